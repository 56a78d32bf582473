"""What a policy reads about packages on disk: records of a channel's subdirs, about.json.

``channel_records(Path("ch"))`` -> ``{"noarch": {"x-1-h0_0.conda": {...record...}}}`` from
every ``<subdir>/repodata.json`` (any tool's); ``facts(path, record, policy)`` ->
``PackageFacts``, reading the package's ``info/about.json`` only when the policy requires
about.json fields (``home``, ``summary``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ChannelError
from ..index import channel as disk
from ..index import repodata
from ..subdirs import SUBDIRS
from .policy import PackageFacts, Policy

INDEX_FIELDS = frozenset({"license", "license_family"})


def subdir_dirs(channel: Path) -> list[Path]:
    """The subdirs of a channel that hold a repodata.json (conda's names only)."""
    if not channel.is_dir():
        raise ChannelError(f"channel directory {channel} does not exist")
    return [channel / s for s in SUBDIRS if (channel / s / disk.REPODATA).is_file()]


def read_repodata(subdir_dir: Path) -> dict[str, Any]:
    return disk.read(subdir_dir)


def channel_records(channel: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """subdir -> file name -> record, for every subdir with a repodata.json."""
    return {d.name: repodata.all_records(disk.read(d)) for d in subdir_dirs(channel)}


def needs_about(policy: Policy) -> bool:
    return any(key not in INDEX_FIELDS for key in policy.require)


def about_of(path: Path) -> dict[str, Any]:
    """A package's info/about.json (empty when it has none or the file is not at hand)."""
    try:
        stat = path.stat()
    except OSError:
        return {}
    return dict(_about(path, stat.st_size, stat.st_mtime_ns))


@lru_cache(maxsize=4096)
def _about(path: Path, size: int, mtime_ns: int) -> dict[str, Any]:
    """Read once per file version: ``cfl serve`` asks again on every request."""
    from .. import package

    data = package.read_info(path, "about.json")
    try:
        about = json.loads(data) if data else {}
    except ValueError:
        return {}
    return about if isinstance(about, dict) else {}


def facts(path: Path, record: Mapping[str, Any], policy: Policy) -> PackageFacts:
    """The facts of the package file ``path`` described by ``record``."""
    about = about_of(path) if needs_about(policy) else {}
    return PackageFacts.from_record(path.name, record, about)


def file_facts(path: Path) -> PackageFacts:
    """The facts of one package file, read from the file alone (index.json + about.json)."""
    from .. import package

    return PackageFacts.from_record(path.name, package.read_index(path), about_of(path))
