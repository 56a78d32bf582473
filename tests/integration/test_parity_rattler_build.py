"""cfl renders recipe.yaml files the way rattler-build does, checked against py-rattler-build.

Every recipe in ``tests/data/parity/<name>/`` is rendered over ``tests/data/parity/
variants.yaml`` (python/numpy zipped x3, zlib x2, microarch_level x2, compilers, an int, a
float and a bool) for several target platforms, once by ``conda_forge_like.api.render`` and
once by py-rattler-build's offline ``Stage0Recipe.render``. Both must give the same number of
packages, the same build strings and the same requirements for each build string.

rattler-build's stage1 recipe stops before the solve, so the peer's side is normalized to the
point where cfl's render ends; each normalization is one function below with its reason. Any
other difference is a bug in cfl's renderer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from conda_forge_like import api
from conda_forge_like.render.pins import apply_pin

rattler_build = pytest.importorskip("rattler_build")

pytestmark = pytest.mark.parity

PARITY = Path(__file__).resolve().parent.parent / "data" / "parity"
VARIANTS = PARITY / "variants.yaml"
RECIPES = sorted(p.parent.name for p in PARITY.glob("*/recipe.yaml"))
PLATFORMS = ["linux-64", "linux-aarch64", "osx-arm64", "osx-64", "win-64"]
SECTIONS = {
    "build": "build",
    "host": "host",
    "run": "run",
    "run_constraints": "run_constrained",
}

Package = tuple[str, str]  # (name, build string)
Requirements = dict[str, list[str]]


# --- the peer: py-rattler-build --------------------------------------------------------------


def _filled(spec: Any, variant: Mapping[str, Any]) -> Any:
    """rattler-build keeps a bare host/build name (``zlib``) in stage1 and applies the variant
    at solve time: ``zlib 1.3.*`` when the value is letters, digits and dots only, otherwise
    ``zlib <value>`` (``libcurl >=8.0``). cfl applies it at render time; do it here too."""
    if not isinstance(spec, str) or len(spec.split()) != 1 or spec.lower() not in variant:
        return spec
    value = str(variant[spec.lower()])
    if value.replace(".", "").isalnum():
        return f"{spec} {value}.*"
    return f"{spec} {value}"


def _resolved(
    spec: Any, own: Package, versions: Mapping[str, str], built: Mapping[str, str]
) -> Any:
    """rattler-build keeps ``pin_subpackage`` as ``{"pin_subpackage": {...}}`` until the build;
    resolve it from the sibling output's version and build string as cfl does at render time:
    exact -> ``name ==version build``, otherwise the range of ``apply_pin``."""
    if not isinstance(spec, dict):
        return spec
    pin = spec["pin_subpackage"]
    name = pin["name"]
    version = versions[name]
    if pin.get("exact"):
        string = own[1] if name == own[0] else built[name]
        return f"{name} =={version} {string}"
    return f"{name} {apply_pin(version, pin.get('lower_bound'), pin.get('upper_bound'))}"


def _peer_requirements(rv: Any, versions: Mapping[str, str]) -> tuple[Requirements, Requirements]:
    recipe = rv.recipe
    own = (recipe.package.name, recipe.build.string)
    built = {name: info.build_string for name, info in rv.pin_subpackages.items()}
    raw = recipe.requirements.to_dict()
    reqs = {}
    for theirs, ours in SECTIONS.items():
        specs = [_resolved(s, own, versions, built) for s in raw.get(theirs, [])]
        if theirs in ("build", "host"):
            specs = [_filled(s, rv.variant) for s in specs]
        reqs[ours] = specs
    exports = {
        kind: [_resolved(s, own, versions, built) for s in specs]
        for kind, specs in (raw.get("run_exports") or {}).items()
        if specs
    }
    return reqs, exports


def _cli_kept(recipes: list[str], platform: str, out: Path) -> set[Package]:
    """The packages rattler-build's command line keeps. Its Python ``render()`` neither drops
    ``build.skip`` variants (skip is not even in the stage1 recipe) nor de-duplicates, so ask
    the CLI's own code path (``build_recipes(render_only=True)``, offline; it prints JSON on the
    Rust side's stdout, hence the subprocess) which (name, build string) pairs survive."""
    code = (
        "import sys, warnings; warnings.simplefilter('ignore')\n"
        "from rattler_build import build_recipes\n"
        "build_recipes(sys.argv[4:], render_only=True, target_platform=sys.argv[1],\n"
        "              variant_config=[sys.argv[2]], output_dir=sys.argv[3])\n"
    )
    paths = [str(PARITY / name / "recipe.yaml") for name in recipes]
    result = subprocess.run(
        [sys.executable, "-c", code, platform, str(VARIANTS), str(out), *paths],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    items = json.loads(result.stdout)
    return {(i["recipe"]["package"]["name"], i["recipe"]["build"]["string"]) for i in items}


def peer_render(recipe: str, platform: str, kept: set[Package]) -> dict[Package, Any]:
    rb = rattler_build
    platform_config = rb.PlatformConfig(target_platform=platform)
    config = rb.VariantConfig.from_file_with_context(
        str(VARIANTS), rb.JinjaConfig(platform=platform_config)
    )
    variants = rb.Stage0Recipe.from_file(str(PARITY / recipe / "recipe.yaml")).render(
        config, rb.RenderConfig(platform=platform_config)
    )
    versions = {rv.recipe.package.name: rv.recipe.package.version for rv in variants}
    packages: dict[Package, Any] = {}
    for rv in variants:
        key = (rv.recipe.package.name, rv.recipe.build.string)
        if key in kept:  # de-duplicated and skipped variants dropped, as the CLI does
            packages.setdefault(key, _peer_requirements(rv, versions))
    return packages


# --- cfl ---------------------------------------------------------------------------------


def cfl_render(recipe: str, platform: str) -> dict[Package, Any]:
    rendered = api.render(
        [PARITY / recipe],
        variant_files=[VARIANTS],
        use_default_variants=False,
        target_platform=platform,
    )
    packages: dict[Package, Any] = {}
    for r in rendered:
        key = (r.name, r.build_string)
        assert key not in packages, f"cfl rendered {key} twice"
        packages[key] = (r.requirements.as_dict(), r.run_exports.as_dict())
    return packages


# --- the comparison ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_kept(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[Package]]:
    out = tmp_path_factory.mktemp("rattler-build-output")
    return {platform: _cli_kept(RECIPES, platform, out) for platform in PLATFORMS}


def cases() -> Iterator[Any]:
    for recipe in RECIPES:
        for platform in PLATFORMS:
            yield pytest.param(recipe, platform, id=f"{recipe}-{platform}")


@pytest.mark.parametrize(("recipe", "platform"), list(cases()))
def test_render_matches_rattler_build(
    recipe: str, platform: str, cli_kept: dict[str, set[Package]]
) -> None:
    ours = cfl_render(recipe, platform)
    theirs = peer_render(recipe, platform, cli_kept[platform])
    assert len(ours) == len(theirs)
    assert sorted(b for _, b in ours) == sorted(b for _, b in theirs)
    assert sorted(ours) == sorted(theirs)
    for package, (reqs, exports) in theirs.items():
        assert ours[package][0] == reqs, package
        assert ours[package][1] == exports, package


def test_matrix_is_at_least_3x2x2() -> None:
    """The parity matrix really multiplies: native-lib uses every axis (12 on linux-64)."""
    assert len(cfl_render("native-lib", "linux-64")) == 12


def test_every_cli_package_comes_from_the_python_render(
    cli_kept: dict[str, set[Package]],
) -> None:
    """The filter above only removes packages: the CLI keeps nothing the Python API lacks."""
    for platform, kept in cli_kept.items():
        rendered = {
            package for recipe in RECIPES for package in peer_render(recipe, platform, kept)
        }
        assert rendered == kept, platform
