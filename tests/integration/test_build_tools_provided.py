"""Build tools no channel has come from the base plate's table: linked into the build prefix
(and a test environment), their versions recorded in the package; a requirement neither has
fails before anything is built, naming its recipe line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conda_forge_like import package
from conda_forge_like.baseplate import build_tools, provide

ROOT = Path(__file__).resolve().parents[2]
RECIPES = ROOT / "tests" / "data" / "recipes"


def _cfl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conda_forge_like.cli", "build", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip


def _cfl_json(package_path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(package.read_info(package_path, "cfl.json") or b"{}")
    return loaded


def _need(*names: str) -> None:
    problems = provide.missing(list(names))
    if problems:
        pytest.skip("; ".join(problems))


@pytest.mark.slow
def test_machine_tools_build_a_package_and_their_versions_are_recorded(tmp_path: Path) -> None:
    tools = ["make", "patch", "m4", "autoconf", "automake", "libtool", "yasm", "gnuconfig"]
    _need(*tools, "pkg-config")
    out = tmp_path / "out"
    result = _cfl(str(RECIPES / "build-tools-from-the-plate"), "--output-dir", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = (out / "linux-64").glob("plate-build-tools-1.0-*.conda")
    plate = _cfl_json(built)["baseplate"]
    recorded = {t["name"]: t for t in plate["build_tools"]}
    assert set(recorded) == {*tools, "pkg-config"}
    assert recorded["patch"]["provider"] == "machine"
    assert recorded["patch"]["source"] == "patch"
    assert recorded["gnuconfig"]["source"] == "autotools-dev"
    for name in recorded:
        assert recorded[name]["version"][0].isdigit(), recorded[name]


def test_a_build_requirement_nobody_has_fails_before_the_build(tmp_path: Path) -> None:
    recipe = RECIPES / "build-tool-nobody-has"
    result = _cfl(str(recipe), "--output-dir", str(tmp_path / "out"), "--no-sandbox")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    meta = recipe / "meta.yaml"
    assert f"{meta}:13: build requirement 'definitely-not-a-tool'" in result.stderr
    assert f"{meta}:14: build requirement 'also-not-a-tool >=2'" in result.stderr
    assert "-c CHANNEL" in result.stderr
    # Before the sources (its path source does not exist) and the script.
    assert "does-not-exist" not in result.stderr
    assert not list((tmp_path / "out").rglob("the-script-ran"))


def test_a_table_tool_not_installed_names_its_debian_package() -> None:
    entry = build_tools.parse_entry(
        "frobnicate", {"provider": "machine", "debian": ["frob-tools"],
                       "executables": ["cfl-test-no-such-executable"]},
    )  # fmt: skip
    (problem,) = provide.missing(["frobnicate"], {"frobnicate": entry})
    assert "cfl-test-no-such-executable not installed" in problem
    assert "apt-get install frob-tools" in problem
    assert "ci/setup.sh" in problem


def test_autoreconf_works_from_the_build_prefix_links(tmp_path: Path) -> None:
    _need("autoconf", "automake", "libtool", "m4", "pkg-config")
    prefix = tmp_path / "prefix"
    provide.provide(["autoconf", "automake", "libtool", "m4", "pkg-config"], prefix, tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "configure.ac").write_text(
        "AC_INIT([t], [1])\nAM_INIT_AUTOMAKE([foreign])\nAC_PROG_CC\nLT_INIT\n"
        "PKG_PROG_PKG_CONFIG\nAC_CONFIG_FILES([Makefile])\nAC_OUTPUT\n"
    )
    (project / "Makefile.am").write_text("bin_SCRIPTS =\n")
    env = {**os.environ, "PATH": f"{prefix / 'bin'}:/usr/bin:/bin"}
    run = subprocess.run(
        [str(prefix / "bin" / "autoreconf"), "-fi"], cwd=project, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (project / "configure").is_file()
    assert (project / "ltmain.sh").is_file()
    assert "PKG_PROG_PKG_CONFIG" not in (project / "configure").read_text()


def test_versions_are_probed_once_and_cached(tmp_path: Path) -> None:
    _need("patch")
    first = provide.provide(["patch"], tmp_path / "a", tmp_path / "cache")
    cache = tmp_path / "cache" / provide.CACHE_FILE
    data = json.loads(cache.read_text())
    assert list(data.values()) == [first[0].version]
    (key,) = data
    data[key] = "9.9.9-from-the-cache"
    cache.write_text(json.dumps(data))
    again = provide.provide(["patch"], tmp_path / "b", tmp_path / "cache")
    assert again[0].version == "9.9.9-from-the-cache"
    assert os.readlink(tmp_path / "b" / "bin" / "patch").endswith("/patch")
