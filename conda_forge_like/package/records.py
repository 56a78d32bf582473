"""Path records from files on disk: ``file_record(root, "lib/libz.so")`` -> ``PathRecord``.

Symlinks follow conda-build and rattler-build: ``sha256`` is the hash of the file the link
resolves to inside the package (of empty content when it resolves to nothing there) and
``size`` is the length of the link's target string.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .. import digests
from ..errors import PackageError
from .metadata import check_path
from .model import FILE_MODES, PathRecord

_CHUNK = 1 << 20
EMPTY_SHA256 = digests.sha256(b"").hexdigest()


def sha256_file(path: Path) -> str:
    digest = digests.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def has_nul(path: Path) -> bool:
    """Whether a file holds a NUL byte: such files get binary (length-keeping) replacement."""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if b"\0" in chunk:
                return True
    return False


def file_record(
    root: Path,
    relpath: str,
    placeholder: str | None = None,
    file_mode: str | None = None,
    no_link: bool = False,
) -> PathRecord:
    """The ``paths.json`` record of ``root/relpath``; ``file_mode`` is detected when omitted."""
    problem = check_path(relpath)
    if problem:
        raise PackageError(f"package path {relpath!r} {problem}", hint=f"under {root}")
    path = root / relpath
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return _link_record(root, relpath, placeholder)
        if stat.S_ISDIR(info.st_mode):
            return PathRecord(relpath, "directory", "", 0, no_link=no_link)
        if not stat.S_ISREG(info.st_mode):
            raise PackageError(f"{path} is neither a file, a directory nor a symlink")
        mode = _file_mode(path, placeholder, file_mode)
        return PathRecord(
            relpath, "hardlink", sha256_file(path), info.st_size, placeholder, mode, no_link
        )
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror}") from exc


def _file_mode(path: Path, placeholder: str | None, file_mode: str | None) -> str | None:
    if placeholder is None:
        if file_mode is not None:
            raise PackageError(f"{path}: file_mode {file_mode!r} given without a placeholder")
        return None
    if file_mode is None:
        return "binary" if has_nul(path) else "text"
    if file_mode not in FILE_MODES:
        raise PackageError(f"{path}: unknown file_mode {file_mode!r}", hint="use text or binary")
    return file_mode


def _link_record(root: Path, relpath: str, placeholder: str | None) -> PathRecord:
    path = root / relpath
    if placeholder is not None:
        raise PackageError(f"{path} is a symlink and cannot hold a prefix placeholder")
    target = os.readlink(path)
    resolved = link_target_in(root, relpath)
    digest = sha256_file(resolved) if resolved is not None else EMPTY_SHA256
    return PathRecord(relpath, "softlink", digest, len(os.fsencode(target)))


def link_target_in(root: Path, relpath: str) -> Path | None:
    """The regular file a symlink resolves to when that file is inside ``root``, else None."""
    real_root = root.resolve()
    resolved = (root / relpath).resolve()
    if resolved.is_relative_to(real_root) and resolved.is_file():
        return resolved
    return None
