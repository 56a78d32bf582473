"""conda-build's script variables per target, and whether a subdir's programs run here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conda_forge_like import baseplate, platforms
from conda_forge_like.baseplate import conda_vars, env, wrappers

VERSIONS = {"zig": "0.17.1"}
INSTALLED = wrappers.Installed(
    {role: f"/b/bin/t-{role}" for role in wrappers.ROLES}, "/b/tc.cmake", "/b/cross.ini"
)
PATHS = env.BuildPaths("/w/h", "/w/b", "/w/src", "/recipe")
PACKAGE = env.PackageInfo("foo", "1.0", 2, "py312h1234567_2", "h1234567")


def build_env(subdir: str, facts: env.HostFacts | None = None, **variant: object) -> dict[str, str]:
    plate = baseplate.resolve({"c_compiler": "zig", **variant}, subdir, VERSIONS)
    facts = facts or env.HostFacts()
    return env.build_env(plate, INSTALLED, PATHS, PACKAGE, variant, "linux-64", 2, facts)


def test_linux_64_native_has_conda_builds_variables() -> None:
    v = build_env("linux-64")
    assert v["CONDA_BUILD"] == "1"
    assert v["CONDA_BUILD_STATE"] == "BUILD"
    assert v["SHLIB_EXT"] == ".so"
    assert v["CONDA_BUILD_CROSS_COMPILATION"] == "0"
    assert (v["target_platform"], v["build_platform"], v["SUBDIR"]) == ("linux-64",) * 3
    assert v["ARCH"] == "64"
    assert v["HOST"] == v["BUILD"] == v["host_alias"] == v["build_alias"]
    assert v["HOST"] == "x86_64-conda-linux-gnu"
    assert v["CPU_COUNT"] == "2"
    assert v["PKG_HASH"] == "h1234567"
    assert v["PKG_BUILD_STRING"] == "py312h1234567_2"
    assert v["PKG_CONFIG_PATH"] == "/w/h/lib/pkgconfig:/w/h/share/pkgconfig"
    assert v["CONDA_PREFIX"] == "/w/b"  # the build env is activated last
    assert v["CC_FOR_BUILD"] == v["CC"] == v["GCC"]
    assert v["GXX"] == v["CXX"]
    assert v["PIP_NO_INDEX"] == "True"
    assert v["PIP_CACHE_DIR"] == "/w/pip_cache"
    assert "CROSSCOMPILING_EMULATOR" not in v
    # binutils' other tools by the target's name, as conda-forge's activation sets them
    # (CPython's cross configure requires $HOST-readelf)
    assert (v["READELF"], v["OBJDUMP"]) == ("/b/bin/t-readelf", "/b/bin/t-objdump")
    assert "PY_VER" not in v  # no python in host
    assert "LIBRARY_PREFIX" not in v


def test_cmake_args_are_conda_forges_and_unquoted() -> None:
    args = build_env("linux-64")["CMAKE_ARGS"].split(" ")
    for expected in (
        "-DCMAKE_TOOLCHAIN_FILE=/b/tc.cmake", "-DCMAKE_AR=/b/bin/t-ar",
        "-DCMAKE_RANLIB=/b/bin/t-ranlib", "-DCMAKE_LINKER=/b/bin/t-ld",
        "-DCMAKE_STRIP=/b/bin/t-strip", "-DCMAKE_BUILD_TYPE=Release",
        "-DCMAKE_INSTALL_PREFIX=/w/h", "-DCMAKE_INSTALL_LIBDIR=lib",
        "-DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER", "-DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY",
        "-DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY", "-DCMAKE_FIND_ROOT_PATH=/w/h",
        "-DCMAKE_PROGRAM_PATH=/w/b/bin;/w/h/bin",
    ):  # fmt: skip
        assert expected in args
    assert not any("'" in a for a in args)  # recipes expand ${CMAKE_ARGS} unquoted
    # as on conda-forge: a CMAKE_PREFIX_PATH here would replace scikit-build-core's own
    assert not any(a.startswith("-DCMAKE_PREFIX_PATH=") for a in args)


def test_meson_args_are_conda_forges() -> None:
    assert build_env("linux-64")["MESON_ARGS"] == (
        "-Dbuildtype=release --prefix=/w/h -Dlibdir=lib --cross-file=/b/cross.ini"
    )


def test_linux_aarch64_cross_with_an_emulator() -> None:
    runs = platforms.Execution(
        "linux-aarch64", False, "/usr/bin/qemu-aarch64-static",
        (("QEMU_LD_PREFIX", "/usr/aarch64-linux-gnu"),),
    )  # fmt: skip
    native = {role: f"/b/bin/x86_64-{role}" for role in wrappers.ROLES}
    v = build_env("linux-aarch64", env.HostFacts(execution=runs, build_tools=native))
    assert v["CONDA_BUILD_CROSS_COMPILATION"] == "1"
    assert v["ARCH"] == "aarch64"
    assert v["HOST"] == v["host_alias"] == v["CONDA_TOOLCHAIN_HOST"] == "aarch64-conda-linux-gnu"
    assert v["BUILD"] == v["build_alias"] == "x86_64-conda-linux-gnu"
    # qemu without binfmt_misc: CMake may prefix its try_run/add_test with it, but scripts are
    # not told the target's programs run here (brotli's ctest would exec them by name)
    assert "CROSSCOMPILING_EMULATOR" not in v
    assert v["QEMU_LD_PREFIX"] == "/usr/aarch64-linux-gnu"
    assert "-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/qemu-aarch64-static" in v["CMAKE_ARGS"]
    assert v["CC_FOR_BUILD"] == "/b/bin/x86_64-cc"
    assert v["CXX_FOR_BUILD"] == "/b/bin/x86_64-c++"


def test_linux_aarch64_cross_where_qemu_runs_programs_directly() -> None:
    runs = platforms.Execution(
        "linux-aarch64", True, "/usr/bin/qemu-aarch64-static",
        (("QEMU_LD_PREFIX", "/usr/aarch64-linux-gnu"),),
    )  # fmt: skip
    v = build_env("linux-aarch64", env.HostFacts(execution=runs))
    assert v["CROSSCOMPILING_EMULATOR"] == "/usr/bin/qemu-aarch64-static"


def test_osx_arm64() -> None:
    v = build_env("osx-arm64")
    assert v["SHLIB_EXT"] == ".dylib"
    assert v["HOST"] == "arm64-apple-darwin20.0.0"
    assert v["ARCH"] == "arm64"
    assert v["OSX_ARCH"] == "arm64"
    assert (v["CLANG"], v["CLANGXX"]) == (v["CC"], v["CXX"])
    assert v["MACOSX_DEPLOYMENT_TARGET"] == "11.0"
    assert "-DCMAKE_OSX_DEPLOYMENT_TARGET=11.0" in v["CMAKE_ARGS"]
    assert v["CONDA_BUILD_CROSS_COMPILATION"] == "1"
    assert "LD_RUN_PATH" not in v


def test_osx_64_triple() -> None:
    v = build_env("osx-64")
    assert v["HOST"] == "x86_64-apple-darwin13.4.0"
    assert v["OSX_ARCH"] == "x86_64"


def test_win_64_library_folders() -> None:
    v = build_env("win-64")
    assert v["SHLIB_EXT"] == ".dll"
    assert v["LIBRARY_PREFIX"] == "/w/h/Library"
    assert v["LIBRARY_BIN"] == "/w/h/Library/bin"
    assert v["LIBRARY_LIB"] == "/w/h/Library/lib"
    assert v["LIBRARY_INC"] == "/w/h/Library/include"
    assert v["SCRIPTS"] == "/w/h/Scripts"
    assert v["PKG_CONFIG_PATH"] == "/w/h/Library/lib/pkgconfig:/w/h/Library/share/pkgconfig"
    assert v["ARCH"] == "64"
    # CMake and Meson install there, and the compilers look there for the host's packages.
    assert "-DCMAKE_INSTALL_PREFIX=/w/h/Library " in v["CMAKE_ARGS"]
    assert "-DCMAKE_PREFIX_PATH=/w/h/Library" in v["CMAKE_ARGS"].split()
    assert "--prefix=/w/h/Library " in v["MESON_ARGS"]
    assert "-isystem /w/h/Library/include" in v["CFLAGS"]
    assert "-L/w/h/Library/lib" in v["LDFLAGS"]


@pytest.mark.parametrize(
    ("subdir", "stdlib", "python"),
    [
        ("linux-64", "/w/h/lib/python3.12", "/w/h/bin/python"),
        ("win-64", "/w/h/Lib", "/w/h/python.exe"),
    ],
)
def test_python_variables_when_host_has_python(subdir: str, stdlib: str, python: str) -> None:
    facts = env.HostFacts(python=conda_vars.host_python({"python": "3.12.4", "zlib": "1.3"}))
    v = build_env(subdir, facts)
    assert (v["PY_VER"], v["CONDA_PY"], v["PY3K"]) == ("3.12", "312", "1")
    assert v["STDLIB_DIR"] == stdlib
    assert v["SP_DIR"] == f"{stdlib}/site-packages"
    assert v["PYTHON"] == python


def test_variant_keys_stay_and_package_hash_from_build_strings() -> None:
    assert build_env("linux-64", zlib="1.3")["zlib"] == "1.3"
    assert env.package_hash("py312h1a2b3c4_0") == "h1a2b3c4"
    assert env.package_hash("h1a2b3c4_0") == "h1a2b3c4"
    assert env.package_hash("3") == ""  # no used variant key: conda-build's empty hash


Probe = Callable[[str], str | None]


def probes(programs: set[str], files: dict[str, str]) -> tuple[Probe, Probe]:
    """Fakes of ``shutil.which`` and of reading a file (None: absent)."""
    return (lambda name: f"/usr/bin/{name}" if name in programs else None), files.get


BINFMT = f"{platforms.BINFMT_DIR}/qemu-aarch64"


def test_native_and_noarch_run_directly() -> None:
    assert platforms.execution("linux-64", "linux-64").direct
    assert platforms.execution("noarch", "linux-64").direct


def test_aarch64_with_qemu_and_binfmt_runs_directly() -> None:
    which, read = probes(
        {"qemu-aarch64-static"},
        {"/usr/aarch64-linux-gnu/lib": "", BINFMT: "enabled\ninterpreter /usr/bin/qemu\n"},
    )
    runs = platforms.execution("linux-aarch64", "linux-64", which, read)
    assert runs.direct
    assert runs.emulator == "/usr/bin/qemu-aarch64-static"
    assert dict(runs.env) == {"QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"}


def test_aarch64_without_binfmt_has_an_emulator_but_tests_skip() -> None:
    which, read = probes({"qemu-aarch64-static"}, {"/usr/aarch64-linux-gnu/lib": ""})
    runs = platforms.execution("linux-aarch64", "linux-64", which, read)
    assert not runs.direct
    assert runs.emulator == "/usr/bin/qemu-aarch64-static"
    assert "binfmt" in runs.note
    which, read = probes(
        {"qemu-aarch64-static"}, {"/usr/aarch64-linux-gnu/lib": "", BINFMT: "disabled\n"}
    )
    assert not platforms.execution("linux-aarch64", "linux-64", which, read).direct


def test_aarch64_without_qemu_or_loader() -> None:
    which, read = probes(set(), {"/usr/aarch64-linux-gnu/lib": ""})
    runs = platforms.execution("linux-aarch64", "linux-64", which, read)
    assert (runs.direct, runs.emulator) == (False, None)
    assert "qemu-user-static" in runs.note
    which, read = probes({"qemu-aarch64-static"}, {})
    runs = platforms.execution("linux-aarch64", "linux-64", which, read)
    assert runs.emulator is None
    assert "libc6-arm64-cross" in runs.note


@pytest.mark.parametrize("subdir", ["osx-arm64", "osx-64", "win-64"])
def test_osx_and_windows_do_not_run_on_linux(subdir: str) -> None:
    runs = platforms.execution(subdir, "linux-64", lambda _n: "/usr/bin/x", lambda _p: "")
    assert not runs.direct
    assert runs.emulator is None
    assert runs.note.startswith(f"{subdir} binaries do not run on linux-64")
    assert ("cmd.exe" in runs.note) == subdir.startswith("win")
