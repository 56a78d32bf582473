"""Reading ``.conda`` and ``.tar.bz2`` packages: one ``info/`` member, or everything.

``read_info(Path("zlib-1.3-h0_0.conda"), "run_exports.json")`` -> ``b'{"weak": [...]}'``;
``extract(archive, dest)`` refuses members that would land outside ``dest``.
"""

from __future__ import annotations

import json
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

from ..archive_members import next_problem, tar_entry
from ..errors import PackageError
from ..zstd import zstandard

_READ_ERRORS = (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zstandard.ZstdError)


def archive_format(archive: Path) -> str:
    for suffix in ("conda", "tar.bz2"):
        if archive.name.endswith("." + suffix):
            return suffix
    raise PackageError(
        f"{archive} is not a conda package", hint="package files end in .conda or .tar.bz2"
    )


def _conda_part(stack: ExitStack, zf: zipfile.ZipFile, part: str, archive: Path) -> IO[bytes]:
    names = [n for n in zf.namelist() if n.startswith(f"{part}-") and n.endswith(".tar.zst")]
    if len(names) != 1:
        raise PackageError(f"{archive} has no single {part}-*.tar.zst member")
    member = stack.enter_context(zf.open(names[0]))
    reader = zstandard.ZstdDecompressor().stream_reader(member)
    return stack.enter_context(reader)


@contextmanager
def _tars(archive: Path, parts: tuple[str, ...]) -> Iterator[list[tarfile.TarFile]]:
    """Stream-mode tar readers over the requested parts (``info``, ``pkg``) of a package."""
    with ExitStack() as stack:
        if archive_format(archive) == "tar.bz2":
            # One tar holds both parts; callers filter members by name.
            yield [stack.enter_context(tarfile.open(archive, "r|bz2"))]
            return
        zf = stack.enter_context(zipfile.ZipFile(archive))
        streams = [_conda_part(stack, zf, part, archive) for part in parts]
        yield [stack.enter_context(tarfile.open(fileobj=s, mode="r|")) for s in streams]


def read_info(archive: Path, name: str) -> bytes | None:
    """The content of ``info/<name>`` (``name`` may start with ``info/``), None if absent."""
    wanted = name if name.startswith("info/") else f"info/{name}"
    try:
        with _tars(archive, ("info",)) as tars:
            for member in tars[0]:
                if member.name == wanted and member.isfile():
                    handle = tars[0].extractfile(member)
                    return handle.read() if handle else None
    except _READ_ERRORS as exc:
        raise PackageError(f"cannot read {archive}: {exc}") from exc
    return None


def read_info_tree(archive: Path, folder: str) -> dict[str, bytes]:
    """Every file under ``info/<folder>/``, by its path below that folder."""
    base = f"info/{folder.strip('/')}/"
    found: dict[str, bytes] = {}
    try:
        with _tars(archive, ("info",)) as tars:
            for member in tars[0]:
                if member.name.startswith(base) and member.isfile():
                    handle = tars[0].extractfile(member)
                    found[member.name[len(base) :]] = handle.read() if handle else b""
    except _READ_ERRORS as exc:
        raise PackageError(f"cannot read {archive}: {exc}") from exc
    return found


def read_index(archive: Path) -> dict[str, Any]:
    """``info/index.json`` of a package as a dict."""
    data = read_info(archive, "index.json")
    if data is None:
        raise PackageError(f"{archive} has no info/index.json")
    try:
        index = json.loads(data)
    except ValueError as exc:
        raise PackageError(f"{archive}: info/index.json is not JSON: {exc}") from exc
    if not isinstance(index, dict):
        raise PackageError(f"{archive}: info/index.json is not a JSON object")
    return index


# Extraction filters came with Python 3.11.4; Debian 12's python3 is 3.11.2.
_HAS_FILTERS = hasattr(tarfile, "data_filter")
_FILTER_ERRORS: tuple[type[Exception], ...] = (tarfile.FilterError,) if _HAS_FILTERS else ()


def _unsafe(archive: Path, what: str) -> PackageError:
    return PackageError(
        f"{archive}: unsafe member refused: {what}",
        hint="the package was not made by a trusted builder; do not install it",
    )


def _extract_safely(tar: tarfile.TarFile, dest: Path, archive: Path) -> None:
    if _HAS_FILTERS:
        # data_filter refuses escaping paths and links and special files.
        tar.extractall(dest, filter=tarfile.data_filter)  # noqa: S202
        return
    # An older Python: the same refusals, member by member (the tar may be a stream).
    symlinks: set[str] = set()
    for member in tar:
        problem = next_problem(tar_entry(member), symlinks)
        if problem:
            raise _unsafe(archive, f"{member.name!r}: {problem}")
        tar.extract(member, dest)  # checked just above


def extract(archive: Path, dest: Path) -> None:
    """Extract both parts into ``dest``; a member that would escape it (``../``, an absolute
    path or link, a path through a symlink) or a device file stops extraction with an error."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with _tars(archive, ("info", "pkg")) as tars:
            for tar in tars:
                _extract_safely(tar, dest, archive)
    except _FILTER_ERRORS as exc:
        raise _unsafe(archive, str(exc)) from exc
    except _READ_ERRORS as exc:
        raise PackageError(f"cannot extract {archive} into {dest}: {exc}") from exc
