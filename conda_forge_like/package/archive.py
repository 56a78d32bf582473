"""Deterministic ``.conda`` and ``.tar.bz2`` writers.

``write_conda(out, root, records, info, epoch, level)`` streams the package into the open file
``out``. Every tar member gets the same mtime, uid/gid 0, empty owner names and a mode that only
keeps the executable bit, and members are sorted by path, so equal inputs give equal bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, cast

import zstandard

from ..errors import PackageError
from .container import Spool, fits_classic_zip, write_stored_zip
from .model import ZSTD_LEVELS, PackageMetadata, PathRecord

if TYPE_CHECKING:
    import zipfile

CONDA_FORMAT_VERSION = 2
CONDA_LEVEL = ZSTD_LEVELS["default"]
BZ2_LEVEL = 9
_SPOOL = 32 << 20  # inner archives smaller than this never touch the disk


class _HashingReader:
    """Reads a file for tarfile while hashing it, so the archive holds what the record claims."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _tarinfo(name: str, epoch: int, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = epoch
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, epoch: int) -> None:
    info = _tarinfo(name, epoch, tarfile.REGTYPE, 0o644)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _add_record(tar: tarfile.TarFile, root: Path, record: PathRecord, epoch: int) -> None:
    path = root / record.path
    try:
        mode = path.lstat().st_mode
        if record.path_type == "softlink":
            _expect(stat.S_ISLNK(mode), path, "a symlink")
            info = _tarinfo(record.path, epoch, tarfile.SYMTYPE, 0o777)
            info.linkname = os.readlink(path)
            tar.addfile(info)
        elif record.path_type == "directory":
            _expect(stat.S_ISDIR(mode), path, "a directory")
            tar.addfile(_tarinfo(record.path, epoch, tarfile.DIRTYPE, 0o755))
        else:
            _expect(stat.S_ISREG(mode), path, "a regular file")
            _add_file(tar, path, record, epoch, 0o755 if mode & 0o111 else 0o644)
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _add_file(tar: tarfile.TarFile, path: Path, record: PathRecord, epoch: int, mode: int) -> None:
    with path.open("rb") as handle:
        info = _tarinfo(record.path, epoch, tarfile.REGTYPE, mode)
        info.size = os.fstat(handle.fileno()).st_size
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    if (reader.digest.hexdigest(), reader.size) != (record.sha256, record.size):
        raise PackageError(
            f"{path} changed after its path record was made (sha256 or size differ)",
            hint="make path records (package.file_record) after relocation has run",
        )


def _expect(ok: bool, path: Path, what: str) -> None:
    if not ok:
        raise PackageError(f"{path} is not {what} as its path record says")


def _write_tar(
    fileobj: IO[bytes],
    mode: Literal["w|", "w|bz2"],
    root: Path,
    records: Sequence[PathRecord],
    info: Mapping[str, bytes],
    epoch: int,
) -> None:
    """One tar stream: the info members first, then the package's paths, each sorted."""
    with tarfile.open(fileobj=fileobj, mode=mode, format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(info):
            _add_bytes(tar, name, info[name], epoch)
        for record in sorted(records, key=lambda r: r.path):
            _add_record(tar, root, record, epoch)


def write_tar_bz2(
    out: IO[bytes],
    root: Path,
    records: Sequence[PathRecord],
    info: Mapping[str, bytes],
    epoch: int,
) -> None:
    # tarfile's stream mode compresses with bzip2 level 9, which is also conda-build's level.
    _write_tar(out, "w|bz2", root, records, info, epoch)


def _spool(spool_dir: Path) -> IO[bytes]:
    return cast("IO[bytes]", Spool(spool_dir, _SPOOL))


def _zstd_tar(
    root: Path,
    records: Sequence[PathRecord],
    info: Mapping[str, bytes],
    epoch: int,
    level: int,
    spool_dir: Path,
) -> IO[bytes]:
    # The tar is spooled first so zstd knows the input size: it then sizes its window to the
    # input, which makes small packages ~1000x faster to compress than a sizeless stream.
    # Multi-threaded zstd output does not depend on the thread count (it differs from
    # single-threaded output, which is why threads is never 0 here).
    with _spool(spool_dir) as raw:
        _write_tar(raw, "w|", root, records, info, epoch)
        size = raw.tell()
        raw.seek(0)
        packed = _spool(spool_dir)
        try:
            zstandard.ZstdCompressor(level=level, threads=-1).copy_stream(raw, packed, size=size)
        except BaseException:
            packed.close()
            raise
    packed.seek(0)
    return packed


def _zip_add(archive: zipfile.ZipFile, name: str, data: IO[bytes], epoch: int) -> None:
    import zipfile

    entry = zipfile.ZipInfo(name, date_time=time.gmtime(epoch)[:6])
    entry.compress_type = zipfile.ZIP_STORED
    entry.create_system = 3  # unix, whatever machine writes the package
    entry.external_attr = (stat.S_IFREG | 0o644) << 16
    data.seek(0, os.SEEK_END)
    entry.file_size = data.tell()
    data.seek(0)
    with archive.open(entry, "w") as member:
        shutil.copyfileobj(data, member, 1 << 20)


def write_conda(
    out: IO[bytes],
    root: Path,
    records: Sequence[PathRecord],
    meta: PackageMetadata,
    info: Mapping[str, bytes],
    epoch: int,
    level: int,
    spool_dir: Path,
) -> None:
    """metadata.json, then pkg-<dist>.tar.zst, then info-<dist>.tar.zst (info last, as
    conda-package-handling does, so a client reading the end of the file gets the metadata)."""
    metadata: dict[str, Any] = {"conda_pkg_format_version": CONDA_FORMAT_VERSION}
    with (
        _zstd_tar(root, records, {}, epoch, level, spool_dir) as pkg,
        _zstd_tar(root, (), info, epoch, level, spool_dir) as info_tar,
    ):
        members: list[tuple[str, IO[bytes]]] = [
            ("metadata.json", io.BytesIO(json.dumps(metadata).encode())),
            (f"pkg-{meta.dist}.tar.zst", pkg),
            (f"info-{meta.dist}.tar.zst", info_tar),
        ]
        if fits_classic_zip([pkg.seek(0, os.SEEK_END), info_tar.seek(0, os.SEEK_END)]):
            write_stored_zip(out, members, epoch)
            return
        import zipfile  # zip64 records: a package of 2 GiB or more

        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in members:
                _zip_add(archive, name, data, epoch)
