"""repodata.json as data: an empty one, one package's record, merging records in.

``record({"name": "zlib", ...}, md5="..", sha256="..", size=1234)`` -> the index.json fields
plus the three checksums fields; ``with_records(empty("linux-64"), {"zlib-1.3-h0_0.conda": r})``
puts it under ``packages.conda`` (``.tar.bz2`` files go under ``packages``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import ChannelError

SECTIONS = ("packages", "packages.conda")


def empty(subdir: str) -> dict[str, Any]:
    return {
        "info": {"subdir": subdir},
        "packages": {},
        "packages.conda": {},
        "removed": [],
        "repodata_version": 1,
    }


def section(filename: str) -> str:
    """The repodata key a package file belongs under."""
    if filename.endswith(".conda"):
        return "packages.conda"
    if filename.endswith(".tar.bz2"):
        return "packages"
    raise ChannelError(f"{filename} is not a conda package (.conda or .tar.bz2)")


def record(index: Mapping[str, Any], md5: str, sha256: str, size: int) -> dict[str, Any]:
    return {**index, "md5": md5, "sha256": sha256, "size": size}


def with_records(
    repodata: Mapping[str, Any], records: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """A copy of ``repodata`` with ``records`` (file name -> record) added or replaced."""
    merged = {**repodata, **{key: dict(repodata.get(key, {})) for key in SECTIONS}}
    for filename, rec in records.items():
        merged[section(filename)][filename] = dict(rec)
    return merged


def all_records(repodata: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """File name -> record over both sections."""
    found: dict[str, dict[str, Any]] = {}
    for key in SECTIONS:
        found.update(repodata.get(key, {}))
    return found


def parse(text: str, where: str) -> dict[str, Any]:
    """A repodata.json text, checked just enough that merging into it cannot fail."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ChannelError(
            f"{where} is not valid JSON: {exc}", hint="run `cfl index` on the channel to rebuild it"
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(data.get(key, {}), dict) for key in SECTIONS
    ):
        raise ChannelError(
            f"{where} is not repodata (no packages mappings)",
            hint="run `cfl index` on the channel to rebuild it",
        )
    return data


def dumps(repodata: Mapping[str, Any]) -> bytes:
    return json.dumps(repodata, indent=2, sort_keys=True).encode("utf-8") + b"\n"
