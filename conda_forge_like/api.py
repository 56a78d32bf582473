"""The stable Python API: ``render()``, ``toolchain()`` (more stages join as they land).

``render(["recipes/mylib"], variant_files=["ci.yaml"], target_platform="linux-64")`` ->
``[RenderedRecipe, ...]``. Variant files merge in the documented order: the default pinning
(``variants/default.yaml``), the recipe-local file, each ``variant_files`` entry, then
``overrides`` (``KEY=VALUE`` strings from the command line).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import channels as channels_stage
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
    from .baseplate import substitute

    return substitute.for_build(config, subdir)


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
    compression_level: int | None = None,
    max_variants: int = MAX_VARIANTS,
    source_cache: str | os.PathLike[str] | None = None,
    summary: list[BuildResult] | None = None,
) -> list[BuildResult]:
    """Render every recipe, then build all outputs in dependency order into ``output_dir``.

    ``compression_level`` is the zstd level of ``conda`` packages (default 15, rattler-build's;
    conda-build's is 19). ``source_cache`` is the content-addressed source cache (default:
    ``$CFL_SOURCE_CACHE``, else ``~/.cache/cfl/sources``). ``summary`` gets a result for every
    recipe and output, also when the build fails: built, skipped (with the reason), failed,
    blocked.
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
    subdir = target_platform or platforms.build_platform()
    nothing = result.recipes_without_outputs([str(r) for r in recipes], rendered, subdir)
    summary = [] if summary is None else summary
    summary.extend(nothing)
    if skip_existing:  # decided from build strings and repodata before preparing anything
        done = result.already_built(rendered, Path(output_dir), package_format, report)
        if done is not None:
            summary.extend(done)
            return nothing + done
    from .build import pipeline, runner

    for path, said in notes.items():
        first = next((r for r in rendered if r.recipe_path == path), None)
        for note in said:
            if first is not None:
                report("note", first, note)
    options = runner.BuildOptions(
        output_dir=Path(output_dir),
        channels=channels_stage.resolve_all(channels),
        test=test,
        package_format=package_format,
        compression_level=compression_level,
        skip_existing=skip_existing,
        overwrite=overwrite,
        sandbox=runner.sandbox_default() if sandbox is None else sandbox,
        keep_work=keep_work,
        source_cache=_source_cache(source_cache),
    )
    return nothing + pipeline.build_all(rendered, options, report, jobs, summary)


def test(
    package_path: str | os.PathLike[str],
    channels: Sequence[str] = (),  # noqa: PT028 - api.test is not a pytest test
    notes: list[str] | None = None,  # noqa: PT028
) -> int:
    """Rerun a built package's tests (from its ``info/test/tests.json``); returns how many
    (``notes`` gets what was skipped, or run under an emulator)."""
    from .build import test_step

    return test_step.retest(
        Path(package_path).resolve(), channels_stage.resolve_all(channels), notes
    )


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
        channels=channels_stage.resolve_all(channels),
        source_cache=_source_cache(source_cache),
    )
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    return chosen, debug_stage.prepare_debug(chosen, options, report or (lambda *_: None))


def _source_cache(option: str | os.PathLike[str] | None) -> Path:
    from .fsutil import source_cache_dir

    return source_cache_dir(option, os.environ)


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


# The CI part of the API lives in api_ci, loaded when first asked for (a build never is):
# api.ci, api.ci_stale and api.ci_write are the stable names.
if TYPE_CHECKING:
    from .api_ci import ci, ci_stale, ci_write

_CI_NAMES = frozenset({"ci", "ci_stale", "ci_write"})


def __getattr__(name: str) -> Any:
    if name in _CI_NAMES:
        from . import api_ci

        return getattr(api_ci, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
