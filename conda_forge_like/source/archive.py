"""Safe archive extraction: an archive file -> its contents in a directory, top folder stripped.

``extract(Path("zlib-1.3.tar.gz"), Path("work/src"), scratch=Path("work"))`` checks every entry
before writing anything and refuses the whole archive when one entry would land outside the
target (``../x``, ``/etc/x``, a symlink pointing out, an entry written through a symlink, a
device). As conda-build does, a single top-level directory is stripped:
``zlib-1.3/configure`` becomes ``work/src/configure``.

Formats: ``.tar`` (plain, gz, bz2, xz), ``.tar.zst`` and ``.zip``.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Literal

from ..archive_members import Entry, escapes, is_absolute, tar_entry, unsafe_entries
from ..errors import SourceError
from ..zstd import zstandard

ArchiveKind = Literal["tar", "zip", "tar.zst"]

_SUFFIXES: tuple[tuple[str, ArchiveKind], ...] = (
    (".tar.gz", "tar"),
    (".tgz", "tar"),
    (".tar.bz2", "tar"),
    (".tbz2", "tar"),
    (".tbz", "tar"),
    (".tar.xz", "tar"),
    (".txz", "tar"),
    (".tar", "tar"),
    (".zip", "zip"),
    (".tar.zst", "tar.zst"),
    (".tzst", "tar.zst"),
)
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def is_archive_name(name: str) -> bool:
    """Whether ``name`` ends in an archive suffix this module extracts (pure)."""
    return name.lower().endswith(tuple(suffix for suffix, _ in _SUFFIXES))


def archive_kind(path: Path, name: str | None = None) -> ArchiveKind | None:
    """The archive format of ``path``, from ``name`` (default: the file's name).

    A known suffix decides; another suffix means "not an archive" (a ``.whl`` or ``.jar`` is a
    zip that a recipe wants as a file); a name without any suffix (``download?id=3`` saved as
    ``download``) is decided by the content.
    """
    lowered = (name or path.name).lower()
    for suffix, kind in _SUFFIXES:
        if lowered.endswith(suffix):
            return kind
    if Path(lowered).suffix:
        return None
    return _sniff(path)


def _sniff(path: Path) -> ArchiveKind | None:
    with path.open("rb") as handle:
        if handle.read(4) == _ZSTD_MAGIC:
            return "tar.zst"
    if zipfile.is_zipfile(path):
        return "zip"
    return "tar" if tarfile.is_tarfile(path) else None


def extract(archive: Path, target: Path, scratch: Path, name: str | None = None) -> None:
    """Extract ``archive`` into ``target`` (merged with what is there), top folder stripped.

    ``scratch`` is a directory on the same file system as ``target`` for the staging copy.
    """
    kind = archive_kind(archive, name)
    if kind is None:
        raise SourceError(
            f"{archive} is not an archive this tool can extract",
            hint="supported: .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz, .tar.zst, .zip; set "
            "`file_name:` to keep the file as it is",
        )
    staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=scratch))
    tree = staging / "tree"
    try:
        if kind == "zip":
            _extract_zip(archive, tree)
        elif kind == "tar.zst":
            _extract_tar(_unzstd(archive, staging), tree, archive)
        else:
            _extract_tar(archive, tree, archive)
        root = _strip_top_dir(tree)
        _refuse(archive, escaping_links(root))
        merge_into(root, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _refuse(archive: Path, problems: list[str]) -> None:
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise SourceError(
            f"refusing to extract {archive}: {len(problems)} unsafe entr"
            f"{'y' if len(problems) == 1 else 'ies'}\n  {shown}{more}",
            hint="the archive would write outside the source directory; nothing was "
            "extracted. Check that the URL and sha256 point at the real upstream release",
        )


def _extract_tar(path: Path, tree: Path, archive: Path) -> None:
    try:
        with tarfile.open(path) as tar:
            members = tar.getmembers()
            _refuse(archive, unsafe_entries(tar_entry(m) for m in members))
            tree.mkdir()
            if hasattr(tarfile, "data_filter"):
                # Belt and braces: the stdlib filter re-checks against the real file system.
                tar.extractall(tree, members, filter="data")
            else:  # Python < 3.11.4; the check above already refused unsafe entries
                tar.extractall(tree, members)  # noqa: S202
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise SourceError(
            f"cannot extract {archive}: {exc}",
            hint="the file is damaged or not the archive its name says",
        ) from exc


def _zip_entry(info: zipfile.ZipInfo, zf: zipfile.ZipFile) -> Entry:
    if info.is_dir():
        return Entry(info.filename, "dir")
    if stat.S_ISLNK(info.external_attr >> 16):
        return Entry(info.filename, "symlink", zf.read(info).decode("utf-8", "replace"))
    return Entry(info.filename, "file")


def _extract_zip(archive: Path, tree: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = [_zip_entry(info, zf) for info in zf.infolist()]
            _refuse(archive, unsafe_entries(entries))
            tree.mkdir()
            for info, entry in zip(zf.infolist(), entries, strict=True):
                _write_zip_member(zf, info, entry, tree)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(
            f"cannot extract {archive}: {exc}",
            hint="the file is damaged or not the archive its name says",
        ) from exc


def _write_zip_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, entry: Entry, root: Path) -> None:
    normal = posixpath.normpath(entry.name.replace("\\", "/"))
    if normal == ".":
        return
    path = root / normal
    if entry.kind == "dir":
        path.mkdir(parents=True, exist_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if entry.kind == "symlink":
        os.symlink(entry.link or "", path)
        return
    with zf.open(info) as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    # zipfile drops permissions and times; configure scripts need +x and autotools compares
    # mtimes, so both are restored.
    executable = (info.external_attr >> 16) & 0o111
    path.chmod(0o755 if executable else 0o644)
    stamp = time.mktime((*info.date_time, 0, 0, -1))
    os.utime(path, (stamp, stamp))


def _unzstd(archive: Path, staging: Path) -> Path:
    tar = staging / "payload.tar"
    try:
        with archive.open("rb") as src, tar.open("wb") as dst:
            zstandard.ZstdDecompressor().copy_stream(src, dst)
    except (zstandard.ZstdError, OSError) as exc:
        raise SourceError(
            f"cannot extract {archive}: {exc}",
            hint="the file is damaged or not a zstd-compressed tar",
        ) from exc
    return tar


def _strip_top_dir(tree: Path) -> Path:
    children = list(tree.iterdir())
    if len(children) == 1 and children[0].is_dir() and not children[0].is_symlink():
        return children[0]
    return tree


def escaping_links(root: Path) -> list[str]:
    """Symlinks of the extracted tree, in its final layout (top folder stripped), that lead
    outside it: each on its own (``up -> ..``) or followed through the others (a chain)."""
    problems: list[str] = []
    real_root = os.path.realpath(root)
    for folder, dirs, names in os.walk(root):
        for name in [*dirs, *names]:
            path = Path(folder, name)
            if not path.is_symlink():
                continue
            rel = path.relative_to(root).as_posix()
            link = os.readlink(path)
            lexical = posixpath.normpath(posixpath.join(posixpath.dirname(rel), link))
            resolved = os.path.realpath(path)
            inside = resolved == real_root or resolved.startswith(real_root + os.sep)
            if is_absolute(link) or escapes(lexical) or not inside:
                problems.append(f"{rel!r}: symlink {link!r} leads outside the source directory")
    return problems


def merge_into(source: Path, target: Path) -> None:
    """Move everything in ``source`` into ``target``; later files replace earlier ones."""
    target.mkdir(parents=True, exist_ok=True)
    for child in source.iterdir():
        dest = target / child.name
        if dest.is_dir() and not dest.is_symlink() and child.is_dir() and not child.is_symlink():
            merge_into(child, dest)
            continue
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)
        elif dest.exists() or dest.is_symlink():
            dest.unlink()
        os.replace(child, dest)
