"""ABI checks on packages built by ``cfl build`` from the recipes in ``tests/data/recipes``.

Each behaviour recipe holds ``expected.json``: the exact (severity, code, path) findings its
package must give, none for ``abi-clean``. The checks run here on the built packages with the
context a build has (run dependencies from ``index.json``, the work directory as a leak
string) until the build orchestrator runs them itself.
"""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path

import pytest

from conda_forge_like import api, package
from conda_forge_like.abi import CheckContext, check, diff_symbols, exported_symbols

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platform.machine() != "x86_64", reason="recipes are x86-64 specific"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="glibc-too-new needs the host gcc"),
]
DATA = Path(__file__).resolve().parent.parent / "data" / "recipes"
BEHAVIOURS = ["abi-clean", "glibc-too-new", "avx512-in-baseline", "overlinking",
              "rpath-outside-prefix"]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    out = tmp_path_factory.mktemp("abi-channel")
    recipes = [DATA / b for b in BEHAVIOURS] + [DATA / "abi-break/1.0", DATA / "abi-break/1.1"]
    results = api.build(recipes, output_dir=out, target_platform="linux-64", test=False)
    packages = {f"{r.name}-{r.version}": r.package for r in results if r.package}
    return out, packages


def package_files(archive: Path, dest: Path) -> list[str]:
    package.extract(archive, dest)
    return sorted(
        str(p.relative_to(dest))
        for p in dest.rglob("*")
        if p.is_file() and p.relative_to(dest).parts[0] != "info"
    )


def expected(recipe: Path) -> list[tuple[str, str, str]]:
    return [(e["severity"], e["code"], e["path"]) for e in json.loads(recipe.read_text())]


@pytest.mark.parametrize("behaviour", BEHAVIOURS)
def test_recipe_trips_exactly_its_check(
    behaviour: str, built: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    out, packages = built
    archive = packages[f"{behaviour}-1.0.0"]
    files = package_files(archive, tmp_path)
    ctx = CheckContext(
        subdir="linux-64",
        package_files=frozenset(files),
        run_depends=tuple(package.read_index(archive).get("depends", [])),
        dependency_files={},
        microarch_level=1,
        leak_strings=(str(out / "work"),),
    )
    found = [(f.severity, f.code, f.path) for f in check(tmp_path, files, ctx)]
    assert found == expected(DATA / behaviour / "expected.json")


def test_abi_break_between_versions(built: tuple[Path, dict[str, Path]], tmp_path: Path) -> None:
    _, packages = built
    old_files = package_files(packages["libabibreak-1.0"], tmp_path / "old")
    new_files = package_files(packages["libabibreak-1.1"], tmp_path / "new")
    old = exported_symbols(tmp_path / "old", old_files)
    new = exported_symbols(tmp_path / "new", new_files)
    found = [(f.severity, f.code, f.path) for f in diff_symbols(old, new)]
    assert found == expected(DATA / "abi-break/1.1/expected.json")
    assert "abibreak_old" in diff_symbols(old, new)[0].message
