"""``build: microarch: hwcaps`` end to end: tests/data/recipes/hwcaps-demo becomes one package
with level-3/4 copies of its library in lib/glibc-hwcaps/; installed by py-rattler at another
path, glibc's loader picks the best copy the CPU (or GLIBC_TUNABLES) allows.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_build_recipes import install

from conda_forge_like import abi, api, package
from conda_forge_like.baseplate import microarch
from conda_forge_like.relocate import PatchelfRelinker
from conda_forge_like.render.model import RenderedRecipe

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platform.machine() != "x86_64", reason="glibc-hwcaps x86-64-vN"),
    pytest.mark.skipif(shutil.which("objdump") is None, reason="needs objdump"),
]
RECIPE = Path(__file__).resolve().parent.parent / "data" / "recipes" / "hwcaps-demo"
V3 = "lib/glibc-hwcaps/x86-64-v3/libhwdemo.so.1"
V4 = "lib/glibc-hwcaps/x86-64-v4/libhwdemo.so.1"
LOADER = Path("/lib64/ld-linux-x86-64.so.2")
NO_AVX512 = "glibc.cpu.hwcaps=-AVX512F"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(channel, the package extracted) for linux-64; the package's own test ran too."""
    out = tmp_path_factory.mktemp("hwcaps-channel")
    (result,) = api.build([RECIPE], output_dir=out, target_platform="linux-64")
    assert result.package is not None
    assert result.tested
    root = tmp_path_factory.mktemp("hwcaps-extracted")
    package.extract(result.package, root)
    return out, root


def disassembly(path: Path) -> str:
    return subprocess.run(
        ["objdump", "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_one_package_holds_the_baseline_and_the_hwcaps_copies(built: tuple[Path, Path]) -> None:
    _, root = built
    files = set((root / "info" / "files").read_text().split())
    assert files == {
        "bin/hwdemo",
        "include/hwdemo.h",
        "lib/libhwdemo.so",
        "lib/libhwdemo.so.1",
        "lib/libhwdemo.so.1.0.0",
        V3,
        V4,
    }


def test_copies_are_built_for_their_level(built: tuple[Path, Path]) -> None:
    _, root = built
    v3, v4 = disassembly(root / V3), disassembly(root / V4)
    baseline = disassembly(root / "lib/libhwdemo.so.1.0.0")
    assert "zmm" in v4
    assert "ymm" in v3
    assert "zmm" not in v3
    assert "ymm" not in baseline


def test_copies_find_their_siblings_from_two_directories_down(built: tuple[Path, Path]) -> None:
    _, root = built
    for relpath in (V3, V4):
        rpaths = PatchelfRelinker().read(root / relpath)
        assert rpaths is not None
        assert rpaths.entries == ("$ORIGIN/../..",)


def test_no_microarch_marker_and_the_checks_pass(built: tuple[Path, Path]) -> None:
    _, root = built
    depends = json.loads((root / "info" / "index.json").read_text())["depends"]
    assert not any(d.startswith("_x86_64-microarch-level") for d in depends)


def test_isa_check_still_catches_a_v4_copy_in_the_v3_directory(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, root = built
    wrong = tmp_path / V3
    wrong.parent.mkdir(parents=True)
    shutil.copy2(root / V4, wrong)
    ctx = abi.CheckContext("linux-64", frozenset({V3, V4}), (), {}, microarch_level=1)
    codes = [(f.code, f.path) for f in abi.check(tmp_path, [V3], ctx)]
    assert ("isa-level", V3) in codes
    right = [f for f in abi.check(root, [V3, V4], ctx) if f.code == "isa-level"]
    assert right == []


def run_installed(prefix: Path, tunables: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "GLIBC_TUNABLES")}
    if tunables:
        env["GLIBC_TUNABLES"] = tunables
    result = subprocess.run(
        [str(prefix / "bin" / "hwdemo")], capture_output=True, text=True, env=env, check=True
    )
    return result.stdout.strip()


def loader_help(tunables: str | None = None) -> str:
    env = dict(os.environ)
    if tunables:
        env["GLIBC_TUNABLES"] = tunables
    return subprocess.run(
        [str(LOADER), "--help"], capture_output=True, text=True, env=env, check=True
    ).stdout


@pytest.fixture(scope="module")
def installed(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    channel, _ = built
    prefix = tmp_path_factory.mktemp("elsewhere") / "env"
    install(channel, ["hwcaps-demo"], prefix)
    return prefix


@pytest.mark.skipif(not LOADER.exists(), reason="needs glibc's x86-64 loader")
@pytest.mark.skipif((microarch.loader_level() or 0) < 4, reason="the loader supports no x86-64-v4")
def test_the_loader_picks_the_v4_copy_on_this_cpu(installed: Path) -> None:
    assert "x86-64-v4 (supported, searched)" in loader_help()
    _, level, path = run_installed(installed).split(" ", 2)
    assert level == "4"
    assert path.endswith("/glibc-hwcaps/x86-64-v4/libhwdemo.so.1")
    assert Path(path).resolve() == (installed / V4).resolve()


@pytest.mark.skipif(not LOADER.exists(), reason="needs glibc's x86-64 loader")
@pytest.mark.skipif((microarch.loader_level() or 0) < 3, reason="the loader supports no x86-64-v3")
def test_without_avx512_the_loader_picks_the_v3_copy(installed: Path) -> None:
    # glibc >= 2.33: masking AVX512F out of the usable features drops x86-64-v4 from the
    # supported glibc-hwcaps subdirectories (ld.so --help lists it without "supported").
    listing = loader_help(NO_AVX512)
    assert re.search(r"^\s*x86-64-v4$", listing, re.MULTILINE)
    assert "x86-64-v3 (supported, searched)" in listing
    _, level, path = run_installed(installed, NO_AVX512).split(" ", 2)
    assert level == "3"
    assert path.endswith("/glibc-hwcaps/x86-64-v3/libhwdemo.so.1")


@pytest.mark.skipif(not LOADER.exists(), reason="needs glibc's x86-64 loader")
def test_baseline_copy_when_the_loader_searches_no_hwcaps_dirs(installed: Path) -> None:
    # What an old glibc (< 2.33) does: it ignores lib/glibc-hwcaps/ and loads lib/'s copy.
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    result = subprocess.run(
        [str(LOADER), "--glibc-hwcaps-mask", "none", str(installed / "bin" / "hwdemo")],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    _, level, path = result.stdout.strip().split(" ", 2)
    assert level == "1"
    assert path.endswith("/lib/libhwdemo.so.1")


def test_other_targets_build_as_usual_with_a_note(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []

    def report(event: str, rendered: RenderedRecipe, detail: str) -> None:
        events.append((event, detail))

    (result,) = api.build(
        [RECIPE], output_dir=tmp_path, target_platform="linux-aarch64", test=False, report=report
    )
    assert result.package is not None
    root = tmp_path / "extracted"
    package.extract(result.package, root)
    assert not (root / "lib" / "glibc-hwcaps").exists()
    assert (root / "lib" / "libhwdemo.so.1.0.0").is_file()
    assert any(e == "note" and "linux-aarch64 builds as usual" in d for e, d in events)
