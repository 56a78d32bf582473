"""One JSON file replaced atomically (temporary file beside it + ``os.replace``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ChannelError


def write(path: Path, data: Any) -> None:
    """Readers see the old file or the new one, never a part of it."""
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise ChannelError(f"cannot write into {path.parent}: {exc.strerror}") from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        temp.chmod(0o644)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ChannelError(f"cannot write {path}: {exc.strerror}") from exc
