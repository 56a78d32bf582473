"""One JSON file replaced atomically (temporary file beside it + ``os.replace``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import ChannelError
from ..fsutil import replace_file


def write(path: Path, data: Any) -> None:
    """Readers see the old file or the new one, never a part of it."""
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    replace_file(path, text.encode("utf-8"), ChannelError)
