"""A filtered copy of a channel: ``mirror(Path("upstream"), Path("ours"), policy)``.

Reads ``<src>/<subdir>/repodata.json`` of any conda channel directory (cfl's, conda-index's,
rattler-index's; ``info.base_url`` honoured), copies every package the policy accepts into
``<dest>/<subdir>/`` (a hard link when both lie on one file system, else a copy; its sha256
checked against the record), and writes ``<dest>/<subdir>/repodata.json`` listing exactly the
copied packages (refusals in ``refused.json``, as ``cfl index --policy`` writes them). A file
already in ``dest`` with the recorded sha256 is not copied again. Labels are not mirrored.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

from ..errors import ChannelError, UsageError
from ..index import channel as disk
from ..index import repodata
from ..package.records import sha256_file
from ..records import dataclass
from . import facts, gate
from .policy import Policy, Violation


@dataclass(frozen=True)
class MirrorReport:
    copied: tuple[str, ...]
    """``subdir/file name`` of every package in the mirror."""
    refused: tuple[Violation, ...]


def mirror(src: Path, dest: Path, policy: Policy | None = None) -> MirrorReport:
    if src.resolve() == dest.resolve():
        raise UsageError(f"{src} cannot be mirrored into itself", hint="pass another DEST")
    policy = policy or Policy()
    copied: list[str] = []
    refused: list[Violation] = []
    for subdir_dir in facts.subdir_dirs(src):
        data = disk.read(subdir_dir)
        files = _files_dir(subdir_dir, data)
        kept, out = gate.split(files, repodata.all_records(data), policy)
        target = dest / subdir_dir.name
        target.mkdir(parents=True, exist_ok=True)
        with disk.locked(target):
            for filename, record in kept.items():
                _copy(files / filename, target / filename, record)
            disk.write(target, _mirrored(subdir_dir.name, data, kept))
            gate.write_refused(target, out, policy)
        copied += [f"{subdir_dir.name}/{f}" for f in kept]
        refused += [Violation(f"{subdir_dir.name}/{v.package}", v.rule, v.message) for v in out]
    disk.ensure_noarch(dest)
    return MirrorReport(tuple(copied), tuple(refused))


def _files_dir(subdir_dir: Path, data: dict[str, Any]) -> Path:
    """Where the subdir's package files are: beside repodata.json, or at a relative or
    ``file://`` ``info.base_url``."""
    base = (data.get("info") or {}).get("base_url")
    if not base:
        return subdir_dir
    parsed = urllib.parse.urlparse(str(base))
    if parsed.scheme == "file":
        return Path(urllib.parse.unquote(parsed.path))
    if parsed.scheme:
        raise ChannelError(
            f"{subdir_dir / disk.REPODATA} keeps its packages at {base}",
            hint="mirror a channel directory whose package files are local",
        )
    return (subdir_dir / str(base)).resolve()


def _mirrored(subdir: str, data: dict[str, Any], kept: dict[str, dict[str, Any]]) -> dict[str, Any]:
    info = {k: v for k, v in (data.get("info") or {}).items() if k != "base_url"}
    fresh = {**repodata.empty(subdir), "info": {**info, "subdir": subdir}}
    return repodata.with_records(fresh, kept)


def _copy(source: Path, target: Path, record: dict[str, Any]) -> None:
    expected = record.get("sha256")
    if target.is_file() and (expected is None or sha256_file(target) == expected):
        return
    temp = target.with_name(f".{target.name}.mirror")
    try:
        temp.unlink(missing_ok=True)
        try:
            os.link(source, temp)
        except OSError:
            shutil.copyfile(source, temp)
        if expected is not None and sha256_file(temp) != expected:
            raise ChannelError(
                f"{source} does not have the sha256 its repodata records ({expected})",
                hint="the source channel is damaged: re-index or re-download it",
            )
        os.replace(temp, target)
    except OSError as exc:
        raise ChannelError(f"cannot copy {source} to {target}: {exc.strerror}") from exc
    finally:
        temp.unlink(missing_ok=True)
