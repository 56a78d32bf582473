"""Promotion: packages of one label join another, all of them or none, never rewriting a file.

``select(members, ["x-1.0-h0_0.conda", "y"])`` -> the chosen records (pure);
``promote(channel, ["x"], "dev", "prod", policy)`` -> ``Promotion``. A package is named by its
file name, ``subdir/file name``, its ``name-version-build``, its ``name`` or ``name=version``
(every build of that name in the source label). Every package is checked against the given
policy and the target's own (``<channel>/policies/<target>.yaml``, when there is one: passing
another policy cannot bypass it) before anything is written; the target label is then
replaced in one step (``labels.write_label``), under the channel's label lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import CflError, UsageError, raise_collected
from ..records import dataclass
from . import facts, labels, policy_file
from .labels import MAIN, Members
from .policy import Policy, evaluate


class PromotionRefused(CflError):
    """A package breaks the target label's policy, or is not in the source label."""

    exit_code = 5


@dataclass(frozen=True)
class Promotion:
    source: str
    target: str
    promoted: tuple[str, ...]
    """``subdir/file name`` of every package added to the target."""
    already: tuple[str, ...]
    """Packages that were in the target already (nothing to do for them)."""


def _dist(filename: str) -> str:
    return filename.removesuffix(".conda").removesuffix(".tar.bz2")


def matches(wanted: str, subdir: str, filename: str, record: dict[str, Any]) -> bool:
    name, version = str(record.get("name", "")), str(record.get("version", ""))
    return wanted in (filename, f"{subdir}/{filename}", _dist(filename), name, f"{name}={version}")


def select(source: Members, wanted: Sequence[str], label: str) -> Members:
    """The records of ``source`` that ``wanted`` names; every name must match one (pure)."""
    chosen: Members = {}
    errors: list[CflError] = []
    for item in wanted:
        hits = [
            (subdir, filename, record)
            for subdir, records in sorted(source.items())
            for filename, record in sorted(records.items())
            if matches(item, subdir, filename, record)
        ]
        if not hits:
            errors.append(PromotionRefused(
                f"{item} is not in label {label}",
                hint="name a package by file name, name-version-build, name or name=version",
            ))  # fmt: skip
        for subdir, filename, record in hits:
            chosen.setdefault(subdir, {})[filename] = record
    raise_collected(errors)
    return chosen


def merged(target: Members, added: Members) -> Members:
    """The target's records plus ``added`` (pure)."""
    out: Members = {subdir: dict(records) for subdir, records in target.items()}
    for subdir, records in added.items():
        out.setdefault(subdir, {}).update(records)
    return out


def missing_files(channel: Path, chosen: Members) -> list[CflError]:
    """A label lists only files the channel root holds: it never stores a file of its own."""
    return [
        PromotionRefused(
            f"{channel / subdir / filename} is listed but missing",
            hint=f"run `cfl index {channel}` to list only what is on disk",
        )
        for subdir, records in sorted(chosen.items())
        for filename in sorted(records)
        if not (channel / subdir / filename).is_file()
    ]


def refusals(channel: Path, chosen: Members, policy: Policy, target: str) -> list[CflError]:
    """One error per policy violation of every chosen package."""
    errors: list[CflError] = []
    for subdir, records in sorted(chosen.items()):
        for filename, record in sorted(records.items()):
            found = facts.facts(channel / subdir / filename, record, policy)
            errors.extend(
                PromotionRefused(
                    f"{subdir}/{v.package} cannot join label {target}: {v.rule}: {v.message}",
                    hint=f"the policy is {policy.source}",
                )
                for v in evaluate(policy, found)
            )
    return errors


def promote(
    channel: Path, wanted: Sequence[str], source: str, target: str, policy: Policy | None = None
) -> Promotion:
    """Add the packages ``wanted`` of label ``source`` to label ``target`` (see module doc)."""
    if target == MAIN:
        raise UsageError(
            "every package of the channel is in main (the channel root) already",
            hint="promote to a label such as prod, and point clients at <channel>/label/prod",
        )
    labels.check_name(target)
    labels.require(channel, source)
    with labels.locked(channel):
        chosen = select(labels.members(channel, source), wanted, source)
        errors = missing_files(channel, chosen)
        for rules in (policy, policy_file.label_policy(channel, target)):
            if rules is not None:
                errors += refusals(channel, chosen, rules, target)
        raise_collected(errors)
        current = labels.members(channel, target)
        new, already = _split(chosen, current)
        labels.write_label(channel, target, merged(current, chosen))
    return Promotion(source, target, tuple(new), tuple(already))


def _split(chosen: Members, current: Members) -> tuple[list[str], list[str]]:
    new: list[str] = []
    already: list[str] = []
    for subdir, records in sorted(chosen.items()):
        for filename in sorted(records):
            there = current.get(subdir, {}).get(filename)
            (already if there == records[filename] else new).append(f"{subdir}/{filename}")
    return new, already
