"""The stable Python API: ``render()``, ``toolchain()`` (more stages join as they land).

``render(["recipes/mylib"], variant_files=["ci.yaml"], target_platform="linux-64")`` ->
``[RenderedRecipe, ...]``. Variant files merge in the documented order: the default pinning
(``variants/default.yaml``), the recipe-local file, each ``variant_files`` entry, then
``overrides`` (``KEY=VALUE`` strings from the command line).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import baseplate, platforms, recipe
from . import index as index_stage
from . import render as render_stage
from .baseplate import BasePlate, tools
from .errors import CflError, Location, UsageError, raise_collected
from .render.model import RenderedRecipe

if TYPE_CHECKING:
    from .build.runner import BuildResult, DebugSetup, Reporter
from .variants import config as variant_config
from .variants.config import VariantConfig

__all__ = [
    "BasePlate",
    "BuildResult",
    "RenderedRecipe",
    "build",
    "debug",
    "default_variant_file",
    "index",
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
    subdir = target_platform or platforms.build_platform()
    config = load_variants(subdir, variant_files, overrides, use_default_variants)
    return baseplate.resolve(config.first(), subdir, tools.detect_versions())


def render(
    recipes: Sequence[str | os.PathLike[str]],
    variant_files: Sequence[str | os.PathLike[str]] = (),
    target_platform: str | None = None,
    overrides: Iterable[str] = (),
    use_default_variants: bool = True,
    environ: Mapping[str, str] | None = None,
) -> list[RenderedRecipe]:
    """Render every recipe over its variant matrix; problems from all recipes are collected."""
    subdir = target_platform or platforms.build_platform()
    platforms.info(subdir)
    overrides = list(overrides)
    results: list[RenderedRecipe] = []
    errors: list[CflError] = []
    for path in recipes:
        try:
            raw = recipe.load(str(path), environ=dict(os.environ if environ is None else environ))
            config = recipe_variants(raw, subdir, variant_files, overrides, use_default_variants)
            results.extend(render_stage.render_recipe(raw, config, subdir))
        except CflError as exc:
            errors.append(exc)
    raise_collected(errors)
    return results


def index(channel: str | os.PathLike[str]) -> dict[str, int]:
    """Rewrite repodata.json of every subdir of a channel directory -> subdir: package count."""
    path = Path(channel)
    if not path.is_dir():
        raise UsageError(
            f"channel directory {channel} does not exist",
            hint="pass the folder that holds linux-64/, noarch/, ... (e.g. the --output-dir)",
        )
    return index_stage.rebuild(path)


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
    keep_work: bool = False,
    use_default_variants: bool = True,
    report: Reporter | None = None,
) -> list[BuildResult]:
    """Render every recipe, then build all outputs in dependency order into ``output_dir``."""
    from .build import runner

    rendered = render(
        recipes,
        variant_files,
        target_platform,
        overrides,
        use_default_variants=use_default_variants,
    )
    options = runner.BuildOptions(
        output_dir=Path(output_dir),
        channels=tuple(channels),
        test=test,
        package_format=package_format,
        skip_existing=skip_existing,
        keep_work=keep_work,
    )
    return runner.build_all(rendered, options, report or (lambda *_: None), jobs)


def test(package_path: str | os.PathLike[str], channels: Sequence[str] = ()) -> int:  # noqa: PT028 - api.test is not a pytest test
    """Rerun a built package's tests (from its ``info/test/tests.json``); returns how many."""
    from . import package as package_stage
    from .build import runner
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
        runner.run_tests(
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
) -> tuple[RenderedRecipe, DebugSetup]:
    """Prepare one variant's sources and environments for a build by hand (work dir kept)."""
    from .build import runner

    rendered = render([recipe_path], variant_files, target_platform, overrides)
    if output is not None:
        rendered = [r for r in rendered if r.name == output]
    if not rendered:
        raise UsageError(
            f"{recipe_path} renders no output{f' named {output!r}' if output else ''}",
            hint="check --output and the --variant values",
        )
    chosen = rendered[0]
    options = runner.BuildOptions(output_dir=Path(output_dir), channels=tuple(channels))
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    return chosen, runner.prepare_debug(chosen, options, report or (lambda *_: None))
