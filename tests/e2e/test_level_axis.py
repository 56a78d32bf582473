"""CPU levels as an axis cfl adds itself: a recipe with a plain ``$CC`` script, no marker and a
literal build number, whose variants file lists ``microarch_level: [1, 3, 4]``, becomes three
packages a solver chooses between by ``__archspec``; the instructions match each level."""

from __future__ import annotations

import asyncio
import ctypes
import json
import platform
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conda_forge_like import api, package
from conda_forge_like.baseplate import microarch
from conda_forge_like.baseplate.targets import ARCHSPEC_NAMES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 levels"),
    pytest.mark.skipif(shutil.which("objdump") is None, reason="needs objdump"),
]
ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "tests" / "data" / "recipes" / "level-axis-plain-cc"
EVENTS: list[tuple[str, str, str]] = []


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("level-axis")
    # the marker packages the level builds depend on (their tests install them)
    api.build([ROOT / "recipes" / "x86_64-microarch-level"], output_dir=out, test=False)
    api.build(
        [RECIPE], output_dir=out, target_platform="linux-64",
        report=lambda event, r, detail: EVENTS.append((event, r.build_string, detail)),
    )  # fmt: skip
    return out


def packages(channel: Path) -> dict[int, Path]:
    """microarch_level -> the levelk package of that level."""
    found = {}
    for path in (channel / "linux-64").glob("levelk-*.conda"):
        hashed = json.loads(package.read_info(path, "hash_input.json") or b"{}")
        found[int(hashed["microarch_level"])] = path
    return found


def solve(channel: Path, archspec: str | None) -> Any:
    """The levelk record a solver installs on a machine with ``__archspec 1 <archspec>``
    (None: this machine, at the level its CPU — or the suite's mask — allows)."""
    import rattler
    from rattler.platform import Subdir

    level = microarch.host_level()
    assert level is not None
    name = archspec or ARCHSPEC_NAMES[level]
    found = [v.into_generic() for v in rattler.VirtualPackage.detect()]
    machine = [v for v in found if v.name.normalized != "__archspec"] + [
        rattler.GenericVirtualPackage(
            rattler.PackageName("__archspec"), rattler.Version("1"), rattler.BuildString(name)
        )
    ]
    records = asyncio.run(
        rattler.solve(
            [rattler.Channel(channel.resolve().as_uri())], ["levelk"],
            platforms=[Subdir("linux-64"), Subdir("noarch")], virtual_packages=machine,
            timestamp_policy="allow-missing",
        )
    )  # fmt: skip
    return records, next(r for r in records if r.name.normalized == "levelk")


def test_three_packages_with_marker_and_build_number(channel: Path) -> None:
    found = packages(channel)
    assert sorted(found) == [1, 3, 4]
    for level, path in found.items():
        index = json.loads(package.read_info(path, "index.json") or b"{}")
        assert index["build_number"] == 100 * level
        markers = [d for d in index["depends"] if d.startswith("_x86_64-microarch-level")]
        assert markers == ([f"_x86_64-microarch-level >={level}"] if level > 1 else [])
    notes = [d for e, _, d in EVENTS if e == "note" and d.startswith("microarch_level [1, 3, 4]")]
    assert len(notes) == 1  # one line for the recipe, not one per build
    assert len({b for e, b, _ in EVENTS if e == "built"}) == 3


@pytest.mark.parametrize(("archspec", "level"), [("x86_64_v4", 4), ("x86_64", 1), ("haswell", 3)])
def test_the_solver_picks_the_level_the_machine_runs(
    channel: Path, archspec: str, level: int
) -> None:
    _, record = solve(channel, archspec)
    assert record.build_number == 100 * level


def test_this_machine_gets_its_best_level_and_it_runs(channel: Path, tmp_path: Path) -> None:
    import rattler

    here = microarch.host_level()
    assert here is not None
    best = max(level for level in (1, 3, 4) if level <= here)
    records, record = solve(channel, None)
    assert record.build_number == 100 * best
    prefix = tmp_path / "env"
    asyncio.run(rattler.install(records, target_prefix=prefix, show_progress=False))
    lib = ctypes.CDLL(str(prefix / "lib" / "libk.so"))
    lib.k_dot.restype = ctypes.c_double
    doubles = ctypes.POINTER(ctypes.c_double)
    lib.k_dot.argtypes = [ctypes.c_int, doubles, doubles]
    values = (ctypes.c_double * 64)(*([2.0] * 64))
    assert lib.k_dot(64, values, values) == 256.0


def instructions(path: Path, tmp_path: Path) -> str:
    root = tmp_path / path.stem
    package.extract(path, root)
    return subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(root / "lib" / "libk.so")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def test_the_instructions_match_each_level(channel: Path, tmp_path: Path) -> None:
    code = {level: instructions(path, tmp_path) for level, path in packages(channel).items()}
    assert [level for level, text in sorted(code.items()) if "%zmm" in text] == [4]
    assert "%ymm" in code[3]
    # level 1: no AVX at all (no VEX/EVEX-encoded v* instruction, no ymm/zmm register)
    assert not re.search(r"^\s+[0-9a-f]+:\s+v[a-z0-9]+\s", code[1], re.MULTILINE)
    assert "%ymm" not in code[1]
