"""``cfl ci`` in the API: plan every recipe's jobs and write (or check) the CI files.

``ci(["recipes/mylib"], provider="github")`` -> ``{".github/workflows/recipes.yml": ...}``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, platforms, recipe
from . import render as render_stage
from .errors import CflError, Location, UsageError, raise_collected
from .variants import MAX_VARIANTS

# The distribution name on PyPI (pyproject.toml) that a checkout of cfl itself declares.
PROJECT_NAME = "conda-forge-like"

if TYPE_CHECKING:
    from . import ci as ci_stage


def _ci_matrices(
    recipes: Sequence[str | os.PathLike[str]],
    variant_files: Sequence[str | os.PathLike[str]],
    target_platforms: Sequence[str],
    overrides: Sequence[str],
    max_variants: int = MAX_VARIANTS,
) -> tuple[list[ci_stage.RecipeMatrix], dict[str, recipe.RawRecipe]]:
    from . import api
    from . import ci as ci_stage

    matrices: list[ci_stage.RecipeMatrix] = []
    raws: dict[str, recipe.RawRecipe] = {}
    errors: list[CflError] = []
    for path in recipes:
        try:
            raw = recipe.load(str(path), environ=dict(os.environ))
            raws[str(path)] = raw
            for subdir in target_platforms:
                platforms.info(subdir)
                config = api.recipe_variants(raw, subdir, variant_files, overrides)
                with api._time_limit(raw.path):
                    builds = tuple(render_stage.render_recipe(raw, config, subdir, max_variants))
                matrices.append(ci_stage.RecipeMatrix(str(path), subdir, builds, config))
        except CflError as exc:
            errors.append(exc)
    raise_collected(errors)
    return matrices, raws


def _check_job(
    job: ci_stage.Job, raws: Mapping[str, recipe.RawRecipe], max_variants: int = MAX_VARIANTS
) -> None:
    """Render the job the way its command will; the builds must be exactly the planned ones."""
    from . import api
    from . import ci as ci_stage

    text = ci_stage.variant_text(job)
    found: set[str] = set()
    for path in job.recipes:
        raw = raws[path]
        local = [*raw.variant_files, (job.variant_file, text)]
        numbers = "v1" if raw.format == "v1" else "str"
        config = api.load_variants(job.subdir, local_files=local, numbers=numbers)
        found |= {
            f"{r.subdir}/{r.dist}"
            for r in render_stage.render_recipe(raw, config, job.subdir, max_variants)
        }
    if found != set(job.builds):
        raise CflError(
            f"CI job {job.name} would build {sorted(found)}, planned {sorted(job.builds)}",
            hint="report this: the job's variant file does not reproduce its builds",
        )


def ci(
    recipes: Sequence[str | os.PathLike[str]],
    variant_files: Sequence[str | os.PathLike[str]] = (),
    provider: str = "github",
    target_platforms: Sequence[str] | None = None,
    overrides: Iterable[str] = (),
    max_jobs: int | None = None,
    options: ci_stage.ProviderOptions | None = None,
    output_path: str | None = None,
    max_variants: int = MAX_VARIANTS,
    install: str | None = None,
) -> dict[str, str]:
    """Plan CI jobs over every recipe's matrix -> {relative path: text} of every CI file.

    The files are for the repository in the current directory: ``install`` (a shell command)
    is how its jobs install cfl; ``options``' setup and cache files are chosen for it (see
    ``ci.for_repository``)."""
    from . import ci as ci_stage

    subdirs = list(target_platforms or ci_stage.DEFAULT_PLATFORMS)
    matrices, raws = _ci_matrices(recipes, variant_files, subdirs, list(overrides), max_variants)
    plan = ci_stage.plan(matrices, max_jobs=max_jobs)
    if not plan.jobs:
        raise UsageError("the recipes render no builds, so there are no CI jobs")
    for job in plan.jobs:
        _check_job(job, raws, max_variants)
    root = Path.cwd()
    chosen = ci_stage.for_repository(
        options or ci_stage.ProviderOptions(), is_cfl_source_tree(root),
        _recipe_globs(recipes, root), __version__, install,
    )  # fmt: skip
    return ci_stage.files(plan, provider, chosen, output_path)


def is_cfl_source_tree(root: Path) -> bool:
    """Whether ``root`` is a checkout of cfl itself (its pyproject.toml names this project)."""
    import tomllib

    try:
        with (root / "pyproject.toml").open("rb") as stream:
            project = tomllib.load(stream).get("project") or {}
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return isinstance(project, dict) and project.get("name") == PROJECT_NAME


def _recipe_globs(recipes: Sequence[str | os.PathLike[str]], root: Path) -> list[str]:
    """Each recipe's folder as a glob relative to the repository root (the CI workspace)."""
    globs = []
    for path in recipes:
        folder = Path(path) if Path(path).is_dir() else Path(path).parent
        try:
            rel = folder.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue  # outside the repository: no CI job can hash it
        globs.append("**" if rel == "." else f"{rel}/**")
    return globs


def _generated(path: Path) -> bool:
    from . import ci as ci_stage

    try:
        return path.read_text(encoding="utf-8").startswith(ci_stage.HEADER)
    except OSError:
        return False


def ci_stale(files: Mapping[str, str], root: str | os.PathLike[str] = ".") -> list[str]:
    """Paths whose committed text differs from ``files`` (or that ``files`` no longer has)."""
    base = Path(root)
    stale = []
    for rel, text in files.items():
        try:
            current = (base / rel).read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            stale.append(rel)
    leftovers = sorted((base / "ci" / "variants").glob("*.yaml"))
    stale += [str(p.relative_to(base)) for p in leftovers if _generated(p)
              and str(p.relative_to(base)) not in files]  # fmt: skip
    return stale


def ci_write(files: Mapping[str, str], root: str | os.PathLike[str] = ".") -> list[str]:
    """Write ``files`` under ``root``; remove generated job files of jobs that are gone."""
    base = Path(root)
    for rel in ci_stale(files, base):
        path = base / rel
        try:
            if rel in files:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(files[rel], encoding="utf-8")
            else:
                path.unlink()
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}", Location(str(path))) from exc
    return list(files)
