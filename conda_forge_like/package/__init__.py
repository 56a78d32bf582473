"""Package stage: files under a root + path records + metadata -> one conda package file.

``write(prefix, [file_record(prefix, "bin/greet")], meta, Path("out"))`` ->
``out/greet-1.0-h1234567_0.conda``. The file appears atomically (written to a temporary file in
``out`` and renamed) and is byte-identical whenever the inputs and SOURCE_DATE_EPOCH are.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import PackageError
from ..fsutil import atomic_output
from . import archive, metadata
from .model import CONDA_LEVELS, PACKAGE_FORMATS, PackageFormat, PackageMetadata, PathRecord
from .records import file_record

if TYPE_CHECKING:
    from .reader import extract, read_index, read_info, read_info_tree

# Reading packages (zipfile, tarfile's readers) loads with the first package read: a build
# that installs nothing only writes one.
_READER_NAMES = frozenset({"extract", "read_index", "read_info", "read_info_tree"})


def __getattr__(name: str) -> Any:
    if name in _READER_NAMES:
        from . import reader

        return getattr(reader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PackageFormat",
    "PackageMetadata",
    "PathRecord",
    "extract",
    "file_record",
    "index_of",
    "read_index",
    "read_info",
    "read_info_tree",
    "write",
]


def write(
    root: Path,
    records: Sequence[PathRecord],
    meta: PackageMetadata,
    out_dir: Path,
    fmt: str = "conda",
    *,
    compression_level: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write ``out_dir/<name>-<version>-<build>.<fmt>`` from ``root`` and return its path.

    ``environ`` (default ``os.environ``) supplies SOURCE_DATE_EPOCH; ``compression_level`` is
    the zstd level of ``conda`` packages (-7..22, default 15); ``tar.bz2`` always uses bzip2
    level 9.
    """
    if fmt not in PACKAGE_FORMATS:
        raise PackageError(f"unknown package format {fmt!r}", hint="use conda or tar.bz2")
    if compression_level is not None and (fmt != "conda" or compression_level not in CONDA_LEVELS):
        raise PackageError(
            f"compression level {compression_level} is not one of {fmt} packages",
            hint="conda packages take zstd levels -7 to 22; tar.bz2 is always bzip2 level 9",
        )
    env = os.environ if environ is None else environ
    info = metadata.info_files(meta, records, env)
    epoch = metadata.source_date_epoch(env)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackageError(f"cannot create {out_dir}: {exc.strerror}") from exc
    target = out_dir / f"{meta.dist}.{fmt}"
    with atomic_output(target, PackageError) as out:
        if fmt == "conda":
            level = archive.CONDA_LEVEL if compression_level is None else compression_level
            archive.write_conda(out, root, records, meta, info, epoch, level, out_dir)
        else:
            archive.write_tar_bz2(out, root, records, info, epoch)
    return target


def index_of(meta: PackageMetadata, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``info/index.json`` that ``write(..., meta, ..., environ=environ)`` puts in the
    package, as reading it back gives it (the index records a just-written package from it)."""
    env = os.environ if environ is None else environ
    index: dict[str, Any] = json.loads(metadata.dumps(metadata.index_json(meta, env)))
    return index
