"""A policy applied to what is on disk: checking a channel or package, indexing through it.

``check(Path("ch"), policy)`` -> every ``Violation`` of every package file in the channel's
subdirs (or of one package file); ``index(Path("ch"), policy)`` -> ``IndexReport``: the
channel's repodata.json lists only packages the policy accepts. Refused packages stay on disk
and are listed, with their violations, in ``<subdir>/refused.json``::

    {"policy": "prod.yaml",
     "refused": {"gpl-thing-1.0-h0_0.conda": ["license.deny: license 'GPL-3.0-only': ..."]}}

(the file is removed when a subdir refuses nothing). conda clients never read it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import index as index_stage
from ..errors import UsageError
from ..index import channel as disk
from ..records import dataclass
from ..subdirs import SUBDIRS
from . import facts, jsonfile
from .policy import Policy, Violation, evaluate

REFUSED = index_stage.REFUSED


@dataclass(frozen=True)
class IndexReport:
    counts: dict[str, int]
    """subdir -> packages listed."""
    refused: tuple[Violation, ...]
    """Every violation of every package left out (``package`` is ``subdir/file name``)."""


def package_files(target: Path) -> list[Path]:
    """A package file itself, or every package file in a channel's subdirs."""
    if target.is_file():
        return [target]
    if not target.is_dir():
        raise UsageError(
            f"{target} is neither a package file nor a channel directory",
            hint="pass a .conda/.tar.bz2 file or a folder holding noarch/, linux-64/, ...",
        )
    subdirs = [target / s for s in SUBDIRS if (target / s).is_dir()]
    return [p for d in subdirs for p in disk.package_files(d)]


def check(target: Path, policy: Policy) -> list[Violation]:
    """Every violation of every package under ``target``, named ``subdir/file name``."""
    found: list[Violation] = []
    for path in package_files(target):
        named = f"{path.parent.name}/{path.name}" if path.parent != target.parent else path.name
        for violation in evaluate(policy, facts.file_facts(path)):
            found.append(Violation(named, violation.rule, violation.message))
    return found


def index(channel: Path, policy: Policy) -> IndexReport:
    """Rebuild the channel's repodata, leaving out (and recording) what ``policy`` refuses."""
    refused: list[Violation] = []

    def screen(subdir_dir: Path, records: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        kept, out = split(subdir_dir, records, policy)
        write_refused(subdir_dir, out, policy)
        refused.extend(Violation(f"{subdir_dir.name}/{v.package}", v.rule, v.message) for v in out)
        return kept

    counts = index_stage.rebuild(channel, screen)
    return IndexReport(counts, tuple(refused))


def split(
    subdir_dir: Path, records: dict[str, dict[str, Any]], policy: Policy
) -> tuple[dict[str, dict[str, Any]], list[Violation]]:
    """(records the policy accepts, violations of the others)."""
    kept: dict[str, dict[str, Any]] = {}
    refused: list[Violation] = []
    for filename, record in sorted(records.items()):
        found = evaluate(policy, facts.facts(subdir_dir / filename, record, policy))
        if found:
            refused.extend(found)
        else:
            kept[filename] = record
    return kept, refused


def write_refused(subdir_dir: Path, refused: list[Violation], policy: Policy) -> None:
    path = subdir_dir / REFUSED
    if not refused:
        path.unlink(missing_ok=True)
        return
    listed: dict[str, list[str]] = {}
    for v in refused:
        listed.setdefault(v.package, []).append(f"{v.rule}: {v.message}")
    jsonfile.write(path, {"policy": policy.source, "refused": listed})
