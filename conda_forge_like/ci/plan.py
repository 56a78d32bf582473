"""CI planning: rendered outputs per recipe and target platform -> ``Plan`` of jobs (pure).

``plan([RecipeMatrix("recipes/zlib", "linux-64", builds, config)])`` -> ``Plan(jobs=(Job(
name="linux_64_microarch_level3", ...), ...))``. A variant key whose value differs between the
builds of one recipe on one platform is a job axis; builds that do not use an axis key ride
along in every job they are compatible with. Each job carries a self-contained variant config
(every key with one value) so ``cfl build RECIPE -m ci/variants/<job>.yaml --target-platform
SUBDIR`` reproduces it. A job whose host/build requirements name another recipe's output
``needs`` the jobs that build it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from ..records import dataclass, field, replace
from ..render.model import RenderedRecipe
from ..variants.config import VariantConfig

DEFAULT_PLATFORMS = ("linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64")


@dataclass(frozen=True)
class RecipeMatrix:
    """One recipe rendered for one target platform, with the variant config it rendered from."""

    recipe: str
    subdir: str
    builds: tuple[RenderedRecipe, ...]
    config: VariantConfig


@dataclass(frozen=True)
class Job:
    """One CI job: which recipes to build for which platform, with which variant file."""

    name: str
    recipes: tuple[str, ...]
    subdir: str
    axes: tuple[tuple[str, Any], ...]
    variant: Mapping[str, Any]
    builds: tuple[str, ...]
    needs: tuple[str, ...] = ()

    @property
    def variant_file(self) -> str:
        return f"ci/variants/{self.name}.yaml"

    def command(self, output_dir: str = "output") -> list[str]:
        """The ``cfl build`` command line that runs this job, locally or in CI."""
        return [
            "cfl", "build", *self.recipes, "-m", self.variant_file,
            "--target-platform", self.subdir, "--output-dir", output_dir,
        ]  # fmt: skip


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...] = ()
    platforms: tuple[str, ...] = field(default=())

    def job(self, name: str) -> Job:
        return next(j for j in self.jobs if j.name == name)

    def stages(self) -> list[list[Job]]:
        """Jobs grouped by dependency depth: stage N only needs jobs of earlier stages."""
        depth: dict[str, int] = {}
        for job in self.jobs:  # jobs are in dependency order
            depth[job.name] = 1 + max((depth[n] for n in job.needs), default=-1)
        levels: list[list[Job]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
        for job in self.jobs:
            levels[depth[job.name]].append(job)
        return levels


def recipe_label(recipe: str) -> str:
    """``recipes/libgreet`` -> ``libgreet``; ``x/meta.yaml`` -> ``x``."""
    path = PurePath(recipe)
    if path.suffix in (".yaml", ".yml"):
        path = path.parent
    return _slug(path.name or "recipe")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def job_name(prefix: str, subdir: str, axes: Sequence[tuple[str, Any]]) -> str:
    """``("", "linux-64", [("microarch_level", 3), ("c_compiler", "zig")])`` ->
    ``linux_64_microarch_level3c_compilerzig`` (conda-smithy style)."""
    head = f"{prefix}_" if prefix else ""
    tail = "".join(f"{key}{_slug(str(value))}" for key, value in axes)
    return f"{head}{_slug(subdir)}" + (f"_{tail}" if tail else "")


def _axes(builds: Sequence[RenderedRecipe]) -> list[str]:
    """Keys whose value differs between builds (``target_platform`` is the platform)."""
    seen: dict[str, set[str]] = {}
    for build in builds:
        for key, value in build.variant.items():
            if key != "target_platform":
                seen.setdefault(key, set()).add(repr(value))
    return sorted(key for key, values in seen.items() if len(values) > 1)


def _combos(builds: Sequence[RenderedRecipe], axes: list[str]) -> list[tuple[Any, ...]]:
    """Distinct axis values in matrix order; partial ones (keys unused) another one covers go."""
    missing = object()
    combos: list[tuple[Any, ...]] = []
    for build in builds:
        combo = tuple(build.variant.get(k, missing) for k in axes)
        if combo not in combos:
            combos.append(combo)

    def covered(c: tuple[Any, ...]) -> bool:
        return any(
            o is not c
            and missing not in o
            and all(a is missing or a == b for a, b in zip(c, o, strict=True))
            for o in combos
        )

    kept = [c for c in combos if not covered(c)]
    return [tuple(None if v is missing else v for v in c) for c in kept]


def _matches(build: RenderedRecipe, axes: list[str], combo: tuple[Any, ...]) -> bool:
    return all(
        k not in build.variant or build.variant[k] == v for k, v in zip(axes, combo, strict=True)
    )


def job_variant(
    config: VariantConfig, builds: Sequence[RenderedRecipe], fixed: Mapping[str, Any]
) -> dict[str, Any]:
    """Every key of ``config`` with one value: the axis value, else what the builds used, else
    the config's first value. Run pins travel along; zip_keys are moot with single values."""
    used: dict[str, Any] = {}
    for build in builds:
        for key, value in build.variant.items():
            used.setdefault(key, value)
    out: dict[str, Any] = {}
    for key, values in config.values.items():
        if key in fixed and fixed[key] is not None:
            out[key] = [fixed[key]]
        elif key in used:
            out[key] = [used[key]]
        elif values:
            out[key] = [values[0]]
    if config.pin_run_as_build:
        out["pin_run_as_build"] = {k: dict(v) for k, v in config.pin_run_as_build.items()}
    if config.ignore_version:
        out["ignore_version"] = list(config.ignore_version)
    return out


def _noarch_job(matrix: RecipeMatrix, prefix: str, axes: list[str]) -> Job:
    """A recipe whose builds are all noarch runs in one job whatever its matrix (the builds are
    the same on any machine): its variant file keeps the axes' lists and their zip_keys."""
    zipped = [g for g in matrix.config.zip_keys if set(g) & set(axes)]
    keys = set(axes).union(*zipped)
    variant = job_variant(matrix.config, matrix.builds, {})
    variant.update({k: list(matrix.config.values[k]) for k in keys if k in matrix.config.values})
    if zipped:
        variant["zip_keys"] = [list(g) for g in zipped]
    return Job(
        name=job_name(prefix, matrix.subdir, []),
        recipes=(matrix.recipe,),
        subdir=matrix.subdir,
        axes=(),
        variant=variant,
        builds=tuple(f"{b.subdir}/{b.dist}" for b in matrix.builds),
    )


def _recipe_jobs(matrix: RecipeMatrix, prefix: str, done: set[tuple[str, str]]) -> list[Job]:
    axes = _axes(matrix.builds)
    if axes and all(b.noarch for b in matrix.builds):
        ids = [(b.subdir, b.dist) for b in matrix.builds]
        if all(i in done for i in ids):
            return []  # built on an earlier platform
        done.update(ids)
        return [_noarch_job(matrix, prefix, axes)]
    jobs = []
    for combo in _combos(matrix.builds, axes) or [()]:
        builds = [b for b in matrix.builds if _matches(b, axes, combo)]
        ids = [(b.subdir, b.dist) for b in builds]
        if all(i in done for i in ids):
            continue  # e.g. a noarch recipe already built on an earlier platform
        done.update(ids)
        named = [(k, v) for k, v in zip(axes, combo, strict=True) if v is not None]
        jobs.append(
            Job(
                name=job_name(prefix, matrix.subdir, named),
                recipes=(matrix.recipe,),
                subdir=matrix.subdir,
                axes=tuple(named),
                variant=job_variant(matrix.config, builds, dict(named)),
                builds=tuple(f"{s}/{d}" for s, d in ids),
            )
        )
    return jobs


def _requirement_names(build: RenderedRecipe) -> set[str]:
    reqs = [*build.requirements.build, *build.requirements.host]
    return {r.split()[0] for r in reqs if r.strip()}


def _link(jobs: list[Job], matrices: Sequence[RecipeMatrix]) -> list[Job]:
    """Add ``needs`` edges: a job needs every job (of another recipe) building a name it
    requires, preferring jobs of its own platform; noarch builds come from wherever they are."""
    builds_of = {(m.recipe, m.subdir): m.builds for m in matrices}
    producers: dict[str, list[Job]] = {}
    for job in jobs:
        for build in builds_of[(job.recipes[0], job.subdir)]:
            if f"{build.subdir}/{build.dist}" in job.builds:
                producers.setdefault(build.name, []).append(job)
    linked = []
    for job in jobs:
        names: set[str] = set()
        for build in builds_of[(job.recipes[0], job.subdir)]:
            if f"{build.subdir}/{build.dist}" in job.builds:
                names |= _requirement_names(build)
        needs: list[str] = []
        for name in sorted(names):
            others = [p for p in producers.get(name, []) if p.recipes != job.recipes]
            same = [p for p in others if p.subdir == job.subdir] or others
            needs.extend(p.name for p in same if p.name not in needs)
        linked.append(replace(job, needs=tuple(needs)))
    return _order(linked)


def _order(jobs: list[Job]) -> list[Job]:
    """Topological order (stable); a dependency cycle between recipes is left as written."""
    by_name = {j.name: j for j in jobs}
    out: list[Job] = []
    state: dict[str, int] = {}

    def visit(job: Job) -> None:
        if state.get(job.name) == 2 or state.get(job.name) == 1:
            return
        state[job.name] = 1
        for need in job.needs:
            visit(by_name[need])
        state[job.name] = 2
        out.append(job)

    for job in jobs:
        visit(job)
    return out


def plan(
    matrices: Sequence[RecipeMatrix],
    max_jobs: int | None = None,
    prefix_recipes: bool | None = None,
) -> Plan:
    """Jobs for every recipe x platform, linked by ``needs`` and grouped to ``max_jobs``."""
    recipes = list(dict.fromkeys(m.recipe for m in matrices))
    prefixed = len(recipes) > 1 if prefix_recipes is None else prefix_recipes
    done: set[tuple[str, str]] = set()
    jobs: list[Job] = []
    for matrix in matrices:
        prefix = recipe_label(matrix.recipe) if prefixed else ""
        jobs.extend(_recipe_jobs(matrix, prefix, done))
    jobs = _unique_names(jobs)
    jobs = _link(jobs, matrices)
    if max_jobs is not None:
        from .group import group

        jobs = group(jobs, max_jobs)
    platforms = tuple(dict.fromkeys(m.subdir for m in matrices))
    return Plan(tuple(jobs), platforms)


def _unique_names(jobs: list[Job]) -> list[Job]:
    counts: dict[str, int] = {}
    out = []
    for job in jobs:
        n = counts.get(job.name, 0)
        counts[job.name] = n + 1
        out.append(job if n == 0 else replace(job, name=f"{job.name}_{n + 1}"))
    return out
