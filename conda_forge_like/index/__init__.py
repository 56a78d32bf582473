"""Index stage: package files in a channel directory -> ``<channel>/<subdir>/repodata.json``.

``add(Path("out"), [Path("out/linux-64/zlib-1.3-h0_0.conda")])`` records one package;
``rebuild(Path("out"))`` -> ``{"linux-64": 1, "noarch": 0}`` rescans everything; ``refresh``
reads only the package files its repodata does not list yet. Each subdir is
updated under an exclusive lock and replaced atomically, so concurrent ``cfl`` processes adding
to one channel lose nothing and readers never see half a file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CflError, ChannelError, raise_collected
from ..subdirs import SUBDIRS
from . import channel as disk
from . import repodata

__all__ = ["Screen", "add", "contains", "rebuild", "records", "refresh"]

REFUSED = "refused.json"
"""What a policy left out of a subdir (``govern.gate``); removed when a rescan lists all."""

Screen = Callable[[Path, dict[str, dict[str, Any]]], dict[str, dict[str, Any]]]
"""(subdir folder, file name -> record) -> the records repodata.json may list (a policy)."""


def _subdir_of(channel: Path, path: Path, record: dict[str, Any]) -> str:
    """The subdir a package belongs to, checked against where it lies in the channel."""
    subdir = str(record.get("subdir") or path.parent.name)
    expected = channel / subdir / path.name
    if not expected.is_file() or not expected.samefile(path):
        raise ChannelError(
            f"{path} is for subdir {subdir} but is not {expected}",
            hint=f"copy or move it into {channel / subdir} before indexing",
        )
    return subdir


def add(
    channel: Path,
    packages: Sequence[Path],
    indexes: Mapping[Path, Mapping[str, Any]] | None = None,
) -> None:
    """Add (or refresh) the records of ``packages``, which already lie in their subdirs.

    ``indexes`` holds the ``info/index.json`` of packages whose writer knows it (the build
    that just wrote them): those are not opened, only hashed."""
    by_subdir: dict[str, dict[str, dict[str, Any]]] = {}
    errors: list[CflError] = []
    known = indexes or {}
    for path in packages:
        try:
            record = disk.package_record(path, known.get(path))
            by_subdir.setdefault(_subdir_of(channel, path, record), {})[path.name] = record
        except CflError as exc:
            errors.append(exc)
    raise_collected(errors)
    for subdir, new in sorted(by_subdir.items()):
        subdir_dir = channel / subdir
        with disk.locked(subdir_dir):
            disk.write(subdir_dir, repodata.with_records(disk.read(subdir_dir), new))
    disk.ensure_noarch(channel)


def _subdirs(channel: Path) -> list[Path]:
    """The channel's subdir folders: only conda's known names (``broken/``, ``work/`` and
    ``label/`` lie beside them and are no subdirs, whatever they hold)."""
    return sorted(
        d
        for d in channel.iterdir()
        if d.name in SUBDIRS
        and d.is_dir()
        and ((d / disk.REPODATA).is_file() or disk.package_files(d))
    )


def _removed(subdir_dir: Path) -> list[Any]:
    """The old ``removed`` list survives a rebuild; a broken repodata.json is just replaced."""
    try:
        removed = disk.read(subdir_dir).get("removed", [])
    except ChannelError:
        return []
    return list(removed) if isinstance(removed, list) else []


def rebuild(channel: Path, screen: Screen | None = None) -> dict[str, int]:
    """Rescan every subdir from its package files; returns subdir -> package count.

    Packages that cannot be read are left out and reported together after the rest is indexed.
    ``screen`` (a policy) picks the records listed; the others stay on disk, unlisted.
    """
    return _scan(channel, reuse=False, screen=screen)


def refresh(channel: Path) -> dict[str, int]:
    """``rebuild``, reading only package files the repodata does not list at their size: a
    channel that is up to date is not rewritten and no package in it is read (``cfl build``
    runs this first, so a rerun costs nothing per package already in the channel)."""
    return _scan(channel, reuse=True)


def _scan(channel: Path, reuse: bool, screen: Screen | None = None) -> dict[str, int]:
    if not channel.is_dir():
        raise ChannelError(f"channel directory {channel} does not exist")
    disk.ensure_noarch(channel)
    counts: dict[str, int] = {}
    errors: list[CflError] = []
    for subdir_dir in _subdirs(channel):
        if reuse and _up_to_date(subdir_dir):
            counts[subdir_dir.name] = len(disk.package_files(subdir_dir))
            continue
        with disk.locked(subdir_dir):
            known = _listed(subdir_dir) if reuse else {}
            found: dict[str, dict[str, Any]] = {}
            for path in disk.package_files(subdir_dir):
                try:
                    found[path.name] = _reused(known, path) or disk.package_record(path)
                except CflError as exc:
                    errors.append(exc)
            if screen is not None:
                found = screen(subdir_dir, found)
            fresh = {**repodata.empty(subdir_dir.name), "removed": _removed(subdir_dir)}
            disk.write(subdir_dir, repodata.with_records(fresh, found))
            if screen is None:  # every file is listed again: no refusal holds any more
                (subdir_dir / REFUSED).unlink(missing_ok=True)
        counts[subdir_dir.name] = len(found)
    raise_collected(errors)
    return counts


def _listed(subdir_dir: Path) -> dict[str, dict[str, Any]]:
    """The records repodata.json holds (none when it is missing or broken)."""
    try:
        return repodata.all_records(disk.read(subdir_dir))
    except ChannelError:
        return {}


def _reused(known: dict[str, dict[str, Any]], path: Path) -> dict[str, Any] | None:
    """The listed record of ``path`` while the file keeps the size it was indexed at."""
    record = known.get(path.name)
    return record if record is not None and record.get("size") == path.stat().st_size else None


def _up_to_date(subdir_dir: Path) -> bool:
    if not (subdir_dir / disk.REPODATA).is_file():
        return False
    known = _listed(subdir_dir)
    files = disk.package_files(subdir_dir)
    return set(known) == {p.name for p in files} and all(_reused(known, p) for p in files)


def records(channel: Path, subdir: str) -> dict[str, dict[str, Any]]:
    """File name -> repodata record of one subdir (empty when it has no repodata yet)."""
    return repodata.all_records(disk.read(channel / subdir))


def contains(channel: Path, subdir: str, filename: str) -> bool:
    return filename in records(channel, subdir)
