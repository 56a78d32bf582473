"""Channel directories on disk: the per-subdir lock, reading and atomically replacing
repodata.json, and the repodata record of one package file."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import digests
from ..errors import ChannelError, PackageError
from ..fsutil import exclusive_lock, replace_file
from . import repodata

LOCK_NAME = ".cfl-index.lock"
REPODATA = "repodata.json"


@contextmanager
def locked(subdir_dir: Path) -> Iterator[None]:
    """Hold the subdir's exclusive lock: concurrent ``cfl`` processes update it in turn."""
    with exclusive_lock(subdir_dir / LOCK_NAME, ChannelError):
        yield


def read(subdir_dir: Path) -> dict[str, Any]:
    """The subdir's repodata, or an empty one when there is none yet."""
    path = subdir_dir / REPODATA
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return repodata.empty(subdir_dir.name)
    except OSError as exc:
        raise ChannelError(f"cannot read {path}: {exc.strerror}") from exc
    return repodata.parse(text, str(path))


def write(subdir_dir: Path, data: dict[str, Any]) -> None:
    """Replace repodata.json atomically: readers see the old or the new file, never a part."""
    replace_file(subdir_dir / REPODATA, repodata.dumps(data), ChannelError)


def ensure_noarch(channel: Path) -> None:
    """conda clients fetch noarch/repodata.json for every solve; give them an empty one."""
    noarch = channel / "noarch"
    if (noarch / REPODATA).is_file():
        return
    with locked(noarch):
        if not (noarch / REPODATA).is_file():
            write(noarch, repodata.empty("noarch"))


def _digests(path: Path) -> tuple[str, str, int]:
    md5, sha256, size = digests.md5(), digests.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            md5.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return md5.hexdigest(), sha256.hexdigest(), size


def package_record(path: Path, index: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """index.json of a package file (read from it unless given) plus its md5, sha256 and
    size."""
    if index is None:
        from .. import package  # only reading a package needs the archive readers

        index = package.read_index(path)
    try:
        md5, sha256, size = _digests(path)
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror}") from exc
    return repodata.record(index, md5, sha256, size)


def package_files(subdir_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in subdir_dir.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.endswith((".conda", ".tar.bz2"))
    )
