"""Job grouping: ``group(jobs, max_jobs=4)`` merges jobs of one platform until at most 4 remain.

First the jobs of one recipe on one platform merge into one (their axis values become a
zipped list in the variant file, so the merged file renders exactly the union of builds);
then jobs of different recipes on one platform whose variant files are equal share a job.
Jobs needing different versions of one host compiler (gcc 12 and gcc 13) never merge: a job
puts only one of them on PATH. When nothing more can merge the limit is left exceeded rather
than changing what is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..records import replace
from .plan import Job, _order, _slug, job_name
from .toolchain import HostCompiler, compatible, host_compilers


def _strip_axes(job: Job) -> str:
    tail = job_name("", job.subdir, job.axes)[len(_slug(job.subdir)) :]
    return job.name[: len(job.name) - len(tail)] if tail else job.name


def merged_variant(variants: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One variant file rendering each input file's combination and nothing else."""
    first = variants[0]
    out: dict[str, Any] = {}
    differing = []
    for key, value in first.items():
        values = [v.get(key, value) for v in variants]
        if key in ("pin_run_as_build", "ignore_version") or all(v == value for v in values):
            out[key] = value
        else:
            out[key] = [v[0] for v in values]
            differing.append(key)
    if len(differing) > 1:
        out["zip_keys"] = [differing]
    elif differing:
        out[differing[0]] = list(dict.fromkeys(out[differing[0]]))
    return out


def _merge(jobs: Sequence[Job], name: str) -> Job:
    members = {j.name for j in jobs}
    needs = [n for j in jobs for n in j.needs if n not in members]
    return Job(
        name=name,
        recipes=tuple(dict.fromkeys(r for j in jobs for r in j.recipes)),
        subdir=jobs[0].subdir,
        axes=(),
        variant=merged_variant([dict(j.variant) for j in jobs]),
        builds=tuple(dict.fromkeys(b for j in jobs for b in j.builds)),
        needs=tuple(dict.fromkeys(needs)),
    )


def _replace(jobs: list[Job], merged: Sequence[Job], new: Job) -> list[Job]:
    names = {j.name for j in merged}
    out: list[Job] = []
    for job in jobs:
        if job.name in names:
            if job is merged[0]:
                out.append(new)
            continue
        needs = [new.name if n in names else n for n in job.needs]
        out.append(replace(job, needs=tuple(dict.fromkeys(needs))))
    return out


def _compatible_parts(jobs: list[Job]) -> list[list[Job]]:
    """Jobs split (first fit) into parts whose host compilers can share one machine."""
    parts: list[tuple[list[Job], list[HostCompiler]]] = []
    for job in jobs:
        needed = list(host_compilers(job.variant))
        part = next((p for p in parts if compatible([*p[1], *needed])), None)
        if part is None:
            parts.append(([job], needed))
        else:
            part[0].append(job)
            part[1].extend(needed)
    return [members for members, _ in parts]


def _same_recipe_group(jobs: list[Job]) -> list[Job] | None:
    groups: dict[tuple[tuple[str, ...], str], list[Job]] = {}
    for job in jobs:
        groups.setdefault((job.recipes, job.subdir), []).append(job)
    parts = [part for g in groups.values() for part in _compatible_parts(g)]
    best = max(parts, key=len, default=[])
    return best if len(best) > 1 else None


def _equal_variant_pair(jobs: list[Job]) -> list[Job] | None:
    for i, a in enumerate(jobs):
        for b in jobs[i + 1 :]:
            linked = a.name in b.needs or b.name in a.needs
            if a.subdir == b.subdir and a.variant == b.variant and not linked:
                return [a, b]
    return None


def _free_name(name: str, jobs: Sequence[Job], merged: Sequence[Job]) -> str:
    """``name``, or ``name_2``... when a job not being merged has it (e.g. the other part of a
    recipe's jobs split by host compiler version)."""
    taken = {j.name for j in jobs} - {j.name for j in merged}
    free, n = name, 1
    while free in taken:
        n += 1
        free = f"{name}_{n}"
    return free


def group(jobs: Sequence[Job], max_jobs: int) -> list[Job]:
    """Merge jobs until at most ``max_jobs`` remain (or nothing more can merge safely)."""
    current = list(jobs)
    counter = 0
    while len(current) > max(max_jobs, 1):
        same = _same_recipe_group(current)
        if same is not None:
            new = _merge(same, _free_name(_strip_axes(same[0]), current, same))
        else:
            pair = _equal_variant_pair(current)
            if pair is None:
                break
            counter += 1
            new = _merge(pair, f"{_slug(pair[0].subdir)}_group{counter}")
        current = _replace(current, same or pair or [], new)
    return _order(current)
