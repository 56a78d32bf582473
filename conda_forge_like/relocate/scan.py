"""Finding files that still hold the prefix, and the binary format of files (disk reads only).

``scan(root, ["bin/tool", "etc/conf"], "/p")`` ->
``[PrefixMatch("bin/tool", "binary"), PrefixMatch("etc/conf", "text")]``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from .formats import HEAD_SIZE, binary_format
from .model import BinaryFormat, PrefixMatch, RelocationError


def scan(root: Path, files: Sequence[str], prefix: str) -> list[PrefixMatch]:
    """Which of ``files`` (relative to ``root``) contain ``prefix``; symlinks are skipped.

    A file with a NUL byte anywhere is ``binary`` (clients pad the replacement with NULs),
    any other is ``text`` (clients replace the string as is).
    """
    needle = os.fsencode(prefix)
    matches: list[PrefixMatch] = []
    for relpath in files:
        path = root / relpath
        if not _is_regular(path):
            continue
        data = _read(path)
        if data.find(needle) != -1:
            matches.append(PrefixMatch(relpath, "binary" if b"\0" in data else "text"))
    return matches


def classify(root: Path, files: Sequence[str]) -> dict[BinaryFormat, list[str]]:
    """``files`` grouped by executable format; other files and symlinks are left out."""
    found: dict[BinaryFormat, list[str]] = {"elf": [], "macho": [], "pe": []}
    for relpath in files:
        path = root / relpath
        if _is_regular(path) and (kind := binary_format(_read(path, HEAD_SIZE))):
            found[kind].append(relpath)
    return found


def _is_regular(path: Path) -> bool:
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        raise RelocationError(f"cannot read {path}: {exc.strerror}") from exc
    return stat.S_ISREG(mode)


def _read(path: Path, size: int = -1) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise RelocationError(f"cannot read {path}: {exc.strerror}") from exc
