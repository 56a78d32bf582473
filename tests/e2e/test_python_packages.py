"""Python packages on the base plate's Python: a ``noarch: python`` package with an entry point,
built with pip and flit-core from the channel, installed by py-rattler into two prefixes; the
kernels extension (nanobind, scikit-build-core, both built here from their sdists) at CPU
levels 1 and 4, of which py-rattler installs the one the machine runs."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import BASEPLATE, shared_dir
from test_microarch import machine_with, this_level

from conda_forge_like import api, index
from conda_forge_like.build import environments
from conda_forge_like.package import read_index, read_info

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "tests" / "data" / "recipes" / "noarch-python-entry-point"


def _run(cmd: list[str | Path]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def noarch_pkg(python_channel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("noarch-python")
    results = api.build([RECIPE], output_dir=out, channels=[str(python_channel)], sandbox=False)
    assert [r.status for r in results] == ["built"]
    assert results[0].tested
    assert results[0].package is not None
    return results[0].package


def test_the_package_has_the_noarch_python_layout(noarch_pkg: Path) -> None:
    meta = read_index(noarch_pkg)
    assert (meta["subdir"], meta["noarch"]) == ("noarch", "python")
    assert meta["build"].startswith("py")
    assert "python >=3.8" in meta["depends"]
    link = json.loads(read_info(noarch_pkg, "link.json") or b"{}")
    points = ["hello-noarch = hello_noarch.cli:main"]
    assert link["noarch"] == {"type": "python", "entry_points": points}
    files = (read_info(noarch_pkg, "files") or b"").decode().splitlines()
    assert "site-packages/hello_noarch/__init__.py" in files
    assert not [f for f in files if f.endswith(".pyc") or f.startswith(("lib/", "bin/"))]
    installer = [f for f in files if f.endswith(".dist-info/INSTALLER")]
    assert len(installer) == 1
    assert not [f for f in files if f.endswith("direct_url.json")]


def test_it_installs_into_two_pythons_and_its_entry_point_runs(
    noarch_pkg: Path, python_channel: Path, tmp_path: Path
) -> None:
    channel = noarch_pkg.parent.parent
    index.rebuild(channel)
    for name in ("first-env", "second/env"):
        prefix = tmp_path / name
        environments.create(
            prefix, ["python 3.11.*", "pip", "hello-noarch"], [channel, python_channel], "linux-64",
            tmp_path / "pkgs",
        )  # fmt: skip
        site = prefix / "lib" / "python3.11" / "site-packages"
        assert (site / "hello_noarch" / "cli.py").is_file()
        script = prefix / "bin" / "hello-noarch"
        assert script.read_text().startswith(f"#!{prefix}/bin/python")
        assert _run([script, "there"]).strip() == f"hello, there from {prefix}"
        assert "hello-noarch" in _run([prefix / "bin" / "python", "-m", "pip", "list"])


# The build backends of a scikit-build-core extension (baseplate/, written by
# `cfl generate-recipe pypi`), the CPU-level markers, and the kernels at levels 1 and 4.
BACKENDS = ("packaging", "pathspec", "vcs-versioning", "setuptools-scm", "pluggy", "calver",
            "trove-classifiers", "poetry-core", "tomlkit", "hatchling", "hatch-vcs",
            "scikit-build-core", "nanobind")  # fmt: skip


@pytest.fixture(scope="module")
def kernels_channel(python_channel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("kernels-python")
    results = api.build(
        [*(BASEPLATE / name for name in BACKENDS), ROOT / "recipes" / "x86_64-microarch-level",
         ROOT / "examples" / "kernels-python"],
        output_dir=out, channels=[str(python_channel)], target_platform="linux-64",
        overrides=["microarch_level=1,4"], source_cache=shared_dir(tmp_path_factory) / "sources",
        jobs=2, sandbox=False,
    )  # fmt: skip
    assert {r.status for r in results} == {"built"}
    return out


def _solve_install(channels: list[Path], virtual: list[Any], prefix: Path) -> dict[str, Any]:
    import rattler
    from rattler.platform import Subdir

    records = asyncio.run(
        rattler.solve(
            [rattler.Channel(c.resolve().as_uri()) for c in channels],
            ["python 3.11.*", "kernels-python"],
            platforms=[Subdir("linux-64"), Subdir("noarch")],
            virtual_packages=virtual,
            timestamp_policy="allow-missing",
        )
    )
    asyncio.run(rattler.install(records, target_prefix=prefix, show_progress=False))
    return {r.name.normalized: r for r in records}


KERNEL_CALL = (
    "import array, kernels; x = array.array('f', [1.5] * 4096); "
    "print(kernels.dot(x, x)); print(kernels.build_info())"
)


@pytest.mark.parametrize(("archspec", "level"), [(None, 4), ("x86_64_v2", 1)])
def test_py_rattler_installs_the_level_the_machine_runs(
    kernels_channel: Path, python_channel: Path, tmp_path: Path, archspec: str | None, level: int
) -> None:
    if archspec is None and this_level() < 4:
        pytest.skip(f"this machine is x86-64-v{this_level()}: no level-4 build runs here")
    prefix = tmp_path / "env"
    chosen = _solve_install([kernels_channel, python_channel], machine_with(archspec), prefix)
    assert chosen["kernels-python"].build_number == level * 100
    dot, info = _run([prefix / "bin" / "python", "-c", KERNEL_CALL]).splitlines()
    assert float(dot) == 4096 * 2.25
    assert ("x86-64-v4" in info) == (level == 4), info
