"""The stable Python API: ``render()``, ``toolchain()`` (more stages join as they land).

``render(["recipes/mylib"], variant_files=["ci.yaml"], target_platform="linux-64")`` ->
``[RenderedRecipe, ...]``. Variant files merge in the documented order: the default pinning
(``variants/default.yaml``), the recipe-local file, each ``variant_files`` entry, then
``overrides`` (``KEY=VALUE`` strings from the command line).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import platforms, recipe
from . import render as render_stage
from .errors import CflError, Location, RecipeError, UsageError, raise_collected
from .render.model import RenderedRecipe
from .variants import MAX_VARIANTS
from .variants import config as variant_config
from .variants.config import VariantConfig

# Stages a command does not always need are imported where they are used: rendering loads
# neither the base plate (archspec), the CI providers, py-rattler nor lief.
if TYPE_CHECKING:
    from . import ci as ci_stage
    from .baseplate import BasePlate
    from .build.debug import DebugSetup
    from .build.result import BuildResult
    from .build.runner import Reporter
    from .source import FetchReport

__all__ = [
    "BasePlate",
    "BuildResult",
    "RenderedRecipe",
    "build",
    "ci",
    "ci_stale",
    "ci_write",
    "debug",
    "default_variant_file",
    "fetch_sources",
    "index",
    "inspect",
    "load_variants",
    "recipe_variants",
    "render",
    "test",
    "toolchain",
]


def default_variant_file() -> Path | None:
    """The shipped default pinning: inside the package when installed, else the repo's."""
    here = Path(__file__).resolve().parent
    for candidate in (
        here / "_variants" / "default.yaml",
        here.parent / "variants" / "default.yaml",
    ):
        if candidate.is_file():
            return candidate
    return None


def _read_variant_file(path: str | os.PathLike[str], subdir: str, numbers: str) -> VariantConfig:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read variant file {path}: {exc.strerror}",
            Location(str(path)),
            hint="check the -m path",
        ) from exc
    return variant_config.parse(text, str(path), subdir, numbers)


def load_variants(
    subdir: str,
    variant_files: Sequence[str | os.PathLike[str]] = (),
    overrides: Iterable[str] = (),
    use_default_variants: bool = True,
    local_files: Sequence[tuple[str, str]] = (),
    numbers: str = "str",
) -> VariantConfig:
    """Merge default pinning, recipe-local files, ``-m`` files and overrides (later wins)."""
    layers: list[VariantConfig] = []
    default = default_variant_file() if use_default_variants else None
    if default is not None:
        layers.append(_read_variant_file(default, subdir, numbers))
    layers.extend(variant_config.parse(text, path, subdir, numbers) for path, text in local_files)
    layers.extend(_read_variant_file(path, subdir, numbers) for path in variant_files)
    layers.append(variant_config.from_overrides(overrides, numbers=numbers))
    merged = variant_config.merge(layers)
    variant_config.validate(merged)
    return merged


def recipe_variants(
    raw: recipe.RawRecipe,
    subdir: str,
    variant_files: Sequence[str | os.PathLike[str]] = (),
    overrides: Iterable[str] = (),
    use_default_variants: bool = True,
) -> VariantConfig:
    """The variant config of one recipe (v1 recipes type numbers as rattler-build does)."""
    return load_variants(
        subdir,
        variant_files,
        overrides,
        use_default_variants,
        raw.variant_files,
        "v1" if raw.format == "v1" else "str",
    )


def toolchain(
    target_platform: str | None = None,
    variant_files: Sequence[str | os.PathLike[str]] = (),
    overrides: Iterable[str] = (),
    use_default_variants: bool = True,
) -> BasePlate:
    """The base plate that the first variant of the given variant files resolves to."""
    from . import baseplate
    from .baseplate import tools

    subdir = target_platform or platforms.build_platform()
    config = load_variants(subdir, variant_files, overrides, use_default_variants)
    return baseplate.resolve(config.first(), subdir, tools.detect_versions())


# Rendering one recipe over its whole matrix takes well under a second; a template that loops
# 10**10 times (nested `range`s, each within the sandbox's bound) is stopped here.
RENDER_SECONDS = 120


class _Expired(Exception):
    """Raised by the timer; no handler of template errors catches it."""


@contextlib.contextmanager
def _time_limit(path: str) -> Iterator[None]:
    """Stop rendering ``path`` after ``$CFL_RENDER_SECONDS`` (default ``RENDER_SECONDS``) on
    the main thread on Unix when no other timer runs; elsewhere there is no limit."""
    seconds = float(os.environ.get("CFL_RENDER_SECONDS") or RENDER_SECONDS)
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise RecipeError(
            f"rendering took longer than {seconds:g} s",
            Location(path),
            hint="a template loops too long (nested loops over large ranges?); "
            "CFL_RENDER_SECONDS sets the limit",
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(
    recipes: Sequence[str | os.PathLike[str]],
    variant_files: Sequence[str | os.PathLike[str]] = (),
    target_platform: str | None = None,
    overrides: Iterable[str] = (),
    use_default_variants: bool = True,
    environ: Mapping[str, str] | None = None,
    max_variants: int = MAX_VARIANTS,
    notes: dict[str, list[str]] | None = None,
) -> list[RenderedRecipe]:
    """Render every recipe over its variant matrix; problems from all recipes are collected.

    With ``notes`` (a build), compiler pins the base plate cannot honour are replaced by its
    own toolchain first (``baseplate/substitute.py``), a compiled recipe gets the CPU-level
    axis its variants list (``render/levels.py``), and ``notes[recipe path]`` says so.
    """
    subdir = target_platform or platforms.build_platform()
    platforms.info(subdir)
    overrides = list(overrides)
    results: list[RenderedRecipe] = []
    errors: list[CflError] = []
    for path in recipes:
        try:
            raw = recipe.load(str(path), environ=dict(os.environ if environ is None else environ))
            config = recipe_variants(raw, subdir, variant_files, overrides, use_default_variants)
            if notes is not None:
                config, said = _base_plate_compilers(config, subdir)
                notes[raw.path] = said
            with _time_limit(raw.path):
                renderer = render_stage.RecipeRenderer(
                    raw, config, subdir, max_variants, level_axis=notes is not None
                )
                results.extend(renderer.render_all())
            if notes is not None and renderer.note:
                notes[raw.path].append(renderer.note)
        except CflError as exc:
            errors.append(exc)
    raise_collected(errors)
    return results


def _base_plate_compilers(config: VariantConfig, subdir: str) -> tuple[VariantConfig, list[str]]:
    import platform

    from .baseplate import substitute, tools

    # Lazy: a compiler's version is probed only when a variant names that compiler.
    versions = tools.detect_versions().with_facts({"glibc": platform.libc_ver()[1]})
    config, completed = substitute.complete(config, subdir, versions)
    config, replaced = substitute.substitute(config, subdir, versions)
    return config, completed + replaced


def index(channel: str | os.PathLike[str]) -> dict[str, int]:
    """Rewrite repodata.json of every subdir of a channel directory -> subdir: package count."""
    from . import index as index_stage

    path = Path(channel)
    if not path.is_dir():
        raise UsageError(
            f"channel directory {channel} does not exist",
            hint="pass the folder that holds linux-64/, noarch/, ... (e.g. the --output-dir)",
        )
    return index_stage.rebuild(path)


def inspect(package_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The linkage, ABI, ISA and relocation report of a built package (from any build tool)."""
    from . import abi  # imported late: only ``cfl inspect`` and builds need the ABI stage

    path = Path(package_path)
    if not path.is_file():
        raise UsageError(f"package {package_path} does not exist", hint="pass a .conda or .tar.bz2")
    return abi.inspect_package(path)


def build(
    recipes: Sequence[str | os.PathLike[str]],
    output_dir: str | os.PathLike[str] = "output",
    variant_files: Sequence[str | os.PathLike[str]] = (),
    target_platform: str | None = None,
    overrides: Iterable[str] = (),
    channels: Sequence[str] = (),
    jobs: int = 1,
    test: bool = True,
    package_format: str = "conda",
    skip_existing: bool = False,
    overwrite: bool = False,
    sandbox: bool | None = None,
    keep_work: bool = False,
    use_default_variants: bool = True,
    report: Reporter | None = None,
    max_variants: int = MAX_VARIANTS,
    source_cache: str | os.PathLike[str] | None = None,
) -> list[BuildResult]:
    """Render every recipe, then build all outputs in dependency order into ``output_dir``.

    ``source_cache`` is the content-addressed source cache (default: ``$CFL_SOURCE_CACHE``,
    else ``~/.cache/cfl/sources``).
    """
    from .build import result

    notes: dict[str, list[str]] = {}
    rendered = render(
        recipes,
        variant_files,
        target_platform,
        overrides,
        use_default_variants=use_default_variants,
        max_variants=max_variants,
        notes=notes,
    )
    report = report or (lambda *_: None)
    if skip_existing:  # decided from build strings and repodata before preparing anything
        done = result.already_built(rendered, Path(output_dir), package_format, report)
        if done is not None:
            return done
    from .build import pipeline, runner

    for path, said in notes.items():
        first = next((r for r in rendered if r.recipe_path == path), None)
        for note in said:
            if first is not None:
                report("note", first, note)
    options = runner.BuildOptions(
        output_dir=Path(output_dir),
        channels=tuple(channels),
        test=test,
        package_format=package_format,
        skip_existing=skip_existing,
        overwrite=overwrite,
        sandbox=runner.sandbox_default() if sandbox is None else sandbox,
        keep_work=keep_work,
        source_cache=_source_cache(source_cache),
    )
    return pipeline.build_all(rendered, options, report, jobs)


def test(package_path: str | os.PathLike[str], channels: Sequence[str] = ()) -> int:  # noqa: PT028 - api.test is not a pytest test
    """Rerun a built package's tests (from its ``info/test/tests.json``); returns how many."""
    from . import package as package_stage
    from .build import runner, test_step
    from .build import tests as test_stage

    pkg = Path(package_path).resolve()
    if not pkg.is_file():
        raise UsageError(f"package {pkg} does not exist", Location(str(pkg)))
    data = package_stage.read_info(pkg, "test/tests.json")
    if data is None:
        return 0
    specs = test_stage.load(data)
    work = Path(tempfile.mkdtemp(prefix="cfl-test-"))
    try:
        test_step.run_tests(
            pkg, specs, work, [pkg.parent.parent, *channels], runner.default_cache_dir(), None,
            work / "test.log",
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return len(specs)


def debug(
    recipe_path: str | os.PathLike[str],
    output_dir: str | os.PathLike[str] = "output",
    variant_files: Sequence[str | os.PathLike[str]] = (),
    target_platform: str | None = None,
    overrides: Iterable[str] = (),
    channels: Sequence[str] = (),
    output: str | None = None,
    report: Reporter | None = None,
    source_cache: str | os.PathLike[str] | None = None,
) -> tuple[RenderedRecipe, DebugSetup]:
    """Prepare one variant's sources and environments for a build by hand (work dir kept)."""
    from .build import debug as debug_stage
    from .build import runner

    rendered = render([recipe_path], variant_files, target_platform, overrides, notes={})
    if output is not None:
        rendered = [r for r in rendered if r.name == output]
    if not rendered:
        raise UsageError(
            f"{recipe_path} renders no output{f' named {output!r}' if output else ''}",
            hint="check --output and the --variant values",
        )
    chosen = rendered[0]
    options = runner.BuildOptions(
        output_dir=Path(output_dir),
        channels=tuple(channels),
        source_cache=_source_cache(source_cache),
    )
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    return chosen, debug_stage.prepare_debug(chosen, options, report or (lambda *_: None))


def _source_cache(option: str | os.PathLike[str] | None) -> Path:
    from . import source

    return source.resolve_dir(option, os.environ)


def fetch_sources(
    recipes: Sequence[str | os.PathLike[str]],
    variant_files: Sequence[str | os.PathLike[str]] = (),
    target_platform: str | None = None,
    overrides: Iterable[str] = (),
    source_cache: str | os.PathLike[str] | None = None,
    use_default_variants: bool = True,
    max_variants: int = MAX_VARIANTS,
) -> list[FetchReport]:
    """Fill the source cache with every url/pypi source of every variant of ``recipes``.

    Sources already cached are verified, not downloaded again; failures are reported per
    source (``status == "failed"``), after every other source was tried.
    """
    from . import source

    rendered = render(
        recipes,
        variant_files,
        target_platform,
        overrides,
        use_default_variants=use_default_variants,
        max_variants=max_variants,
    )
    specs: list[source.SourceSpec] = []
    errors: list[CflError] = []
    for r in rendered:
        try:
            specs += source.parse_sources(r.meta.get("source"), r.recipe_path)
        except CflError as exc:
            errors.append(exc)
    raise_collected(errors)
    return source.fetch_all(specs, source.SourceCache(_source_cache(source_cache)))


def _ci_matrices(
    recipes: Sequence[str | os.PathLike[str]],
    variant_files: Sequence[str | os.PathLike[str]],
    target_platforms: Sequence[str],
    overrides: Sequence[str],
    max_variants: int = MAX_VARIANTS,
) -> tuple[list[ci_stage.RecipeMatrix], dict[str, recipe.RawRecipe]]:
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
                config = recipe_variants(raw, subdir, variant_files, overrides)
                with _time_limit(raw.path):
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
    from . import ci as ci_stage

    text = ci_stage.variant_text(job)
    found: set[str] = set()
    for path in job.recipes:
        raw = raws[path]
        local = [*raw.variant_files, (job.variant_file, text)]
        numbers = "v1" if raw.format == "v1" else "str"
        config = load_variants(job.subdir, local_files=local, numbers=numbers)
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
) -> dict[str, str]:
    """Plan CI jobs over every recipe's matrix -> {relative path: text} of every CI file."""
    from . import ci as ci_stage

    subdirs = list(target_platforms or ci_stage.DEFAULT_PLATFORMS)
    matrices, raws = _ci_matrices(recipes, variant_files, subdirs, list(overrides), max_variants)
    plan = ci_stage.plan(matrices, max_jobs=max_jobs)
    if not plan.jobs:
        raise UsageError("the recipes render no builds, so there are no CI jobs")
    for job in plan.jobs:
        _check_job(job, raws, max_variants)
    return ci_stage.files(plan, provider, options, output_path)


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
