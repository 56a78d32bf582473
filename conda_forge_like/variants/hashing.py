"""The build-string hash: ``h`` + 7 hex digits of sha1 over the sorted JSON of the used keys.

Pure. ``build_hash({"target_platform": "linux-64", "zlib": "1.3"})`` -> ``"h" + sha1(...)[:7]``.
The JSON uses Python's default separators (``", "`` and ``": "``), which is what conda-build
writes and what rattler-build's Python-compatible formatter reproduces.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import digests

HASH_LENGTH = 7

# conda-build's short prefixes: python 3.12 -> py312, numpy 1.26 -> np126, perl 5.32.1 -> pl5321.
PREFIXES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("np", ("numpy",), 2),
    ("py", ("python",), 2),
    ("pl", ("perl",), 3),
    ("lua", ("lua",), 2),
    ("r", ("r", "r-base", "r_base"), 2),
    ("mro", ("mro-base", "mro_base"), 3),
)


def hash_input(variant: Mapping[str, Any]) -> str:
    return json.dumps(dict(variant), sort_keys=True)


def build_hash(variant: Mapping[str, Any]) -> str:
    digest = digests.sha1(hash_input(variant).encode()).hexdigest()
    return "h" + digest[:HASH_LENGTH]


def short_version(value: Any, places: int) -> str:
    """``"3.12.1"`` with 2 places -> ``"312"``; ``">=3.12"`` -> ``"312"``."""
    text = str(value).strip().split(" ")[0].lstrip("=<>!~")
    parts = [p for p in text.replace("*", "").split(".") if p]
    return "".join(parts[:places])


def prefix(names: Mapping[str, Any]) -> str:
    """Concatenate the prefixes of the given ``name -> version`` pairs in conda-build order."""
    out = []
    for short, pkg_names, places in PREFIXES:
        for name in pkg_names:
            if name in names:
                entry = short + short_version(names[name], places)
                if entry not in out:
                    out.append(entry)
                break
    return "".join(out)
