"""Deterministic ``.conda`` and ``.tar.bz2`` writers.

``write_conda(out, root, records, info, epoch, level)`` streams the package into the open file
``out``. Every tar member gets the same mtime, uid/gid 0, empty owner names and a mode that only
keeps the executable bit, and members are sorted by path, so equal inputs give equal bytes.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from .. import digests
from ..errors import PackageError
from ..zstd import zstandard
from .container import Spool, fits_classic_zip, write_stored_zip
from .model import ZSTD_LEVELS, PackageMetadata, PathRecord
from .tarwrite import DIRECTORY, REGULAR, SYMLINK, TarWriter

if TYPE_CHECKING:
    import zipfile

CONDA_FORMAT_VERSION = 2
CONDA_LEVEL = ZSTD_LEVELS["default"]
BZ2_LEVEL = 9
_SPOOL = 32 << 20  # inner archives smaller than this never touch the disk
_ONE_JOB = 4 << 20  # zstd's multi-threaded jobs are larger than this at the levels used


class _HashingReader:
    """Reads a file into the tar while hashing it, so the archive holds what the record claims."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.digest = digests.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _add_record(tar: TarWriter, root: Path, record: PathRecord, epoch: int) -> None:
    path = root / record.path
    try:
        mode = path.lstat().st_mode
        if record.path_type == "softlink":
            _expect(stat.S_ISLNK(mode), path, "a symlink")
            tar.add(record.path, SYMLINK, 0o777, epoch, linkname=os.readlink(path))
        elif record.path_type == "directory":
            _expect(stat.S_ISDIR(mode), path, "a directory")
            tar.add(record.path, DIRECTORY, 0o755, epoch)
        else:
            _expect(stat.S_ISREG(mode), path, "a regular file")
            _add_file(tar, path, record, epoch, 0o755 if mode & 0o111 else 0o644)
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _add_file(tar: TarWriter, path: Path, record: PathRecord, epoch: int, mode: int) -> None:
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        reader = _HashingReader(handle)
        tar.add(record.path, REGULAR, mode, epoch, size, data=reader)
    if (reader.digest.hexdigest(), reader.size) != (record.sha256, record.size):
        raise PackageError(
            f"{path} changed after its path record was made (sha256 or size differ)",
            hint="make path records (package.file_record) after relocation has run",
        )


def _expect(ok: bool, path: Path, what: str) -> None:
    if not ok:
        raise PackageError(f"{path} is not {what} as its path record says")


def _write_tar(
    out: IO[bytes],
    root: Path,
    records: Sequence[PathRecord],
    info: Mapping[str, bytes],
    epoch: int,
) -> None:
    """One tar stream: the info members first, then the package's paths, each sorted."""
    tar = TarWriter(out)
    for name in sorted(info):
        tar.add_bytes(name, info[name], epoch)
    for record in sorted(records, key=lambda r: r.path):
        _add_record(tar, root, record, epoch)
    tar.close()


class _Bzip2Writer:
    """A write-only file compressing into ``out`` at bzip2 level 9 (conda-build's level)."""

    def __init__(self, out: IO[bytes]):
        import bz2

        self.out = out
        self.compressor = bz2.BZ2Compressor(BZ2_LEVEL)

    def write(self, data: bytes) -> int:
        self.out.write(self.compressor.compress(data))
        return len(data)

    def close(self) -> None:
        self.out.write(self.compressor.flush())


def write_tar_bz2(
    out: IO[bytes],
    root: Path,
    records: Sequence[PathRecord],
    info: Mapping[str, bytes],
    epoch: int,
) -> None:
    packed = _Bzip2Writer(out)
    _write_tar(cast("IO[bytes]", packed), root, records, info, epoch)
    packed.close()


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
    # single-threaded output once the input spans several jobs: threads is never 0 here).
    # Below one job's worth of input one worker does the same work without starting a thread
    # per core (~1 ms a package).
    with _spool(spool_dir) as raw:
        _write_tar(raw, root, records, info, epoch)
        size = raw.tell()
        raw.seek(0)
        packed = _spool(spool_dir)
        threads = 1 if size < _ONE_JOB else -1
        try:
            compressor = zstandard.ZstdCompressor(level=level, threads=threads)
            compressor.copy_stream(raw, packed, size=size)
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
