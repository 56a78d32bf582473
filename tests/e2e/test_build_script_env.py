"""Whole builds of the script environment and the test kinds conda-forge recipes use.

``conda-build-script-env``'s build.sh runs with ``set -u`` over conda-build's variables; its
test uses ``files``, ``source_files`` and run_test.sh; ``v1-test-kinds`` has a script test
with recipe and source files and a strict ``package_contents``; ``cross-test-qemu`` is a
linux-aarch64 program run under qemu in the build and, with binfmt, in its test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like import api, cli, package, platforms
from conda_forge_like.build import tests as test_stage
from conda_forge_like.errors import UsageError

pytestmark = pytest.mark.slow
RECIPES = Path(__file__).resolve().parent.parent / "data" / "recipes"


def build(recipe: str, out: Path, subdir: str = "linux-64") -> api.BuildResult:
    [result] = api.build([RECIPES / recipe], output_dir=out, target_platform=subdir, sandbox=False)
    return result


def packaged_text(pkg: Path, member: str, tmp: Path) -> str:
    dest = tmp / "extracted"
    package.extract(pkg, dest)
    return (dest / member).read_text()


def test_conda_build_variables_files_and_source_files(tmp_path: Path) -> None:
    result = build("conda-build-script-env", tmp_path / "out")
    assert result.tested
    assert result.package is not None
    env = packaged_text(result.package, "share/cb-script-env/env.txt", tmp_path).splitlines()
    for line in (
        "CONDA_BUILD=1", "SHLIB_EXT=.so", "CONDA_BUILD_CROSS_COMPILATION=0", "ARCH=64",
        "HOST=x86_64-conda-linux-gnu", "PKG_BUILDNUM=3", "CMAKE_ARGS is set", "SRC_DIR is set",
    ):  # fmt: skip
        assert line in env
    stored = package.read_info_tree(result.package, "test")
    assert {"run_test.sh", "test-data/expected.txt", "data/input.txt"} <= set(stored)
    # The stored files let the tests run again without the recipe or the sources.
    assert api.test(result.package) == 1


def test_v1_script_files_and_package_contents(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    [result] = api.build(
        [RECIPES / "v1-test-kinds"], output_dir=tmp_path / "out", target_platform="linux-64",
        sandbox=False, report=lambda event, _r, detail: events.append((event, detail)),
    )  # fmt: skip
    assert result.tested
    assert ("note", "python imports not tested (no python in the test environment): kinds") in (
        events
    )


def test_package_contents_failure_moves_the_package_to_broken(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(test_stage.TestFailure, match="lib: no match for absent"):
        build("package-contents-missing", out)
    assert [p.name for p in (out / "broken").iterdir()]


def test_linux_aarch64_cross_build_runs_under_qemu(tmp_path: Path) -> None:
    runs = platforms.execution("linux-aarch64", platforms.build_platform())
    if runs.emulator is None:
        pytest.skip(f"no emulator: {runs.note}")
    result = build("cross-test-qemu", tmp_path / "out", "linux-aarch64")
    assert result.package is not None
    emulated = packaged_text(result.package, "emulated.txt", tmp_path)
    # CROSSCOMPILING_EMULATOR means "this machine runs the target's programs" (conda-forge's
    # meaning: brotli's build.sh then runs its ctest, which execs the binaries by name).
    assert emulated.strip() == ("hello from linux-aarch64" if runs.direct else "not-run")
    # The package test runs `cross-hello` by name: directly with binfmt, else through shims.
    assert result.tested
    stored = package.read_info_tree(result.package, "test")
    assert {"greeting.txt", "hello.c", "tests.json"} <= set(stored)


def test_cfl_test_reruns_a_cross_package_from_the_package_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = platforms.execution("linux-aarch64", platforms.build_platform())
    if runs.emulator is None:
        pytest.skip(f"no emulator: {runs.note}")
    result = build("cross-test-qemu", tmp_path / "out", "linux-aarch64")
    assert result.package is not None
    # Only the package: no recipe, no sources, no channel beside it.
    alone = tmp_path / "elsewhere" / "linux-aarch64" / result.package.name
    alone.parent.mkdir(parents=True)
    alone.write_bytes(result.package.read_bytes())
    assert api.test(alone) == 1
    assert cli.main(["test", str(alone)]) == 0
    out = capsys.readouterr().out
    assert f"1 test(s) passed for {alone}" in out
    # Without binfmt_misc the programs ran through qemu shims, and cfl says so.
    assert ("through PATH shims" in out) == (not runs.direct)


def test_cross_build_variables(tmp_path: Path) -> None:
    result = build("conda-build-script-env", tmp_path / "out", "linux-aarch64")
    assert result.package is not None
    env = packaged_text(result.package, "share/cb-script-env/env.txt", tmp_path).splitlines()
    assert "CONDA_BUILD_CROSS_COMPILATION=1" in env
    assert "HOST=aarch64-conda-linux-gnu" in env
    assert "BUILD=x86_64-conda-linux-gnu" in env
    runs = platforms.execution("linux-aarch64", platforms.build_platform())
    # CROSSCOMPILING_EMULATOR (and the line the script writes for it) only where qemu runs the
    # target's programs directly (binfmt_misc), as on conda-forge's CI
    assert ("QEMU_LD_PREFIX=/usr/aarch64-linux-gnu" in env) == runs.direct
    if runs.emulator is not None:  # qemu runs the test (with binfmt or through PATH shims)
        assert api.test(result.package) == 1
    else:  # `cfl test` says why it cannot run them here
        with pytest.raises(UsageError, match="cannot test cb-script-env"):
            api.test(result.package)
