"""CPU-optimized variants end to end: the marker recipe and kernelbench (4 levels x zig/gcc)
built into one channel; a solver picks the build that matches the machine's ``__archspec``,
and the installed level-4 benchmark runs from its prefix."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conda_forge_like import api
from conda_forge_like.baseplate import microarch
from conda_forge_like.baseplate.targets import ARCHSPEC_NAMES

pytestmark = pytest.mark.slow
RECIPES = Path(__file__).resolve().parents[2] / "recipes"


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("microarch")
    # The demo first on purpose: the build must order the marker recipe before it.
    api.build(
        [RECIPES / "kernelbench", RECIPES / "x86_64-microarch-level"],
        output_dir=out,
        target_platform="linux-64",
    )
    return out


def this_level() -> int:
    """This machine's x86-64 level as the build sees it (archspec, glibc's loader, and the
    CONDA_OVERRIDE_ARCHSPEC / GLIBC_TUNABLES masks that pretend to be an older machine)."""
    level = microarch.host_level()
    assert level is not None, "an x86-64 machine runs these tests"
    return level


def machine_with(archspec: str | None) -> list[Any]:
    """This machine's virtual packages, with ``__archspec`` replaced when ``archspec`` is set
    (else by the generic name of this machine's level when a mask hides part of the CPU)."""
    import rattler

    overrides = rattler.VirtualPackageOverrides.from_env()
    found = [v.into_generic() for v in rattler.VirtualPackage.detect(overrides)]
    if archspec is None:
        detected = [str(v.build_string) for v in found if v.name.normalized == "__archspec"]
        if detected and microarch.levels().get(detected[0]) == this_level():
            return found
        archspec = ARCHSPEC_NAMES[this_level()]
    keep = [v for v in found if v.name.normalized != "__archspec"]
    return [
        *keep,
        rattler.GenericVirtualPackage(
            rattler.PackageName("__archspec"), rattler.Version("1"), rattler.BuildString(archspec)
        ),
    ]


def solve(channel: Path, virtual_packages: list[Any]) -> list[Any]:
    import rattler
    from rattler.platform import Subdir

    return asyncio.run(
        rattler.solve(
            [rattler.Channel(channel.resolve().as_uri())],
            ["kernelbench"],
            platforms=[Subdir("linux-64"), Subdir("noarch")],
            virtual_packages=virtual_packages,
            timestamp_policy="allow-missing",
        )
    )


def chosen(records: list[Any]) -> tuple[int, str]:
    """(kernelbench's build number, the _x86_64-microarch-level build) of a solution."""
    by_name = {r.name.normalized: r for r in records}
    return by_name["kernelbench"].build_number, str(by_name["_x86_64-microarch-level"].build)


def test_every_level_and_compiler_is_in_the_channel(channel: Path) -> None:
    builds = sorted(p.name for p in (channel / "linux-64").glob("kernelbench-*.conda"))
    assert len(builds) == 8
    assert sorted({name.rsplit("_", 1)[1] for name in builds}) == [
        "100.conda", "200.conda", "300.conda", "400.conda",
    ]  # fmt: skip
    assert len(list((channel / "noarch").glob("x86_64-microarch-level-*.conda"))) == 4


def test_this_machine_gets_the_best_level_it_runs(channel: Path) -> None:
    number, marker = chosen(solve(channel, machine_with(None)))
    assert number == 100 * this_level()
    # Every marker build of that level (x86_64_v4, icelake, zen4, ...) installs here; which
    # one the solver picks among equals depends on the CPU this runs on.
    assert microarch.levels()[marker.removeprefix("0_")] == this_level()


@pytest.mark.parametrize(
    ("archspec", "number"),
    [("x86_64_v2", 200), ("x86_64", 100), ("haswell", 300), ("zen4", 400), ("nehalem", 200)],
)
def test_older_machines_get_their_level(channel: Path, archspec: str, number: int) -> None:
    got, marker = chosen(solve(channel, machine_with(archspec)))
    assert (got, marker.split("_", 1)[1]) == (number, archspec)


def test_installed_benchmark_runs_at_this_machines_level(channel: Path, tmp_path: Path) -> None:
    import rattler

    records = solve(channel, machine_with(None))
    prefix = tmp_path / "bench-env"
    asyncio.run(rattler.install(records, target_prefix=prefix, show_progress=False))
    run = subprocess.run(
        [prefix / "bin" / "kernelbench", "--quick"], capture_output=True, text=True, check=True
    )
    lines = run.stdout.splitlines()
    assert lines[0].startswith("library ")
    loaded = Path(lines[0].removeprefix("library "))
    assert loaded.resolve() == (prefix / "lib" / "libkernels.so.1").resolve()
    level = this_level()
    assert lines[1].startswith(f"build x86-64-v{level}" if level > 1 else "build x86-64")
    kernels = [line.split()[1] for line in lines if line.startswith("kernel ")]
    assert kernels == ["dot", "saxpy", "matmul", "poly"]


def registers(package_file: Path, tmp_path: Path) -> tuple[int, int]:
    """(ymm, zmm) operand counts in the package's libkernels."""
    from conda_forge_like import package

    root = tmp_path / package_file.stem
    package.extract(package_file, root)
    text = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", root / "lib" / "libkernels.so.1.0.0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.count("%ymm"), text.count("%zmm")


@pytest.mark.parametrize("compiler", ["zig", "gcc"])
def test_level_builds_use_the_level_vector_registers(
    channel: Path, tmp_path: Path, compiler: str
) -> None:
    """Level 3 code uses ymm registers, level 4 zmm (the base plate prefers 512-bit vectors),
    levels 1 and 2 neither."""
    import json

    from conda_forge_like import package

    seen = set()
    for path in (channel / "linux-64").glob("kernelbench-*.conda"):
        variant = json.loads(package.read_info(path, "hash_input.json") or b"{}")
        if variant["c_compiler"] != compiler:
            continue
        level = variant["microarch_level"]
        ymm, zmm = registers(path, tmp_path)
        assert (ymm > 0, zmm > 0) == (level >= 3, level == 4), (path.name, ymm, zmm)
        isa = api.inspect(path)["binaries"]["lib/libkernels.so.1.0.0"]["isa_level"]
        assert isa == level if level >= 3 else isa <= level
        seen.add(level)
    assert seen == {1, 2, 3, 4}


def test_a_level_above_the_machine_is_built_but_not_tested(
    channel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a machine without AVX-512 the level-4 package cannot be installed to be tested: it is
    built and its tests are skipped with a warning, like a cross build's (the level-3 one is
    still tested)."""
    monkeypatch.setenv("CONDA_OVERRIDE_ARCHSPEC", "haswell")  # an AVX2 machine: x86-64-v3
    events: list[tuple[str, str, str]] = []
    results = api.build(
        [RECIPES / "kernelbench"],
        output_dir=tmp_path,
        target_platform="linux-64",
        channels=[str(channel)],
        overrides=["c_compiler=zig", "c_compiler_version=0.17", "c_stdlib_version=2.17"],
        report=lambda event, r, detail: events.append((event, r.build_string, detail)),
    )
    by_number = {int(r.build_string.rsplit("_", 1)[1]): r for r in results}
    assert sorted(by_number) == [100, 200, 300, 400]
    assert all(r.status == "built" for r in results)
    skipped = [(b, d) for e, b, d in events if e == "warning" and "tests skipped" in d]
    assert skipped == [
        (by_number[400].build_string,
         "tests skipped: the package needs x86-64-v4, this machine is x86-64-v3"),
    ]  # fmt: skip
    tested = {b for e, b, _ in events if e == "test"}
    assert by_number[300].build_string in tested
