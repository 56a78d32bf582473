"""The environment a build script runs with: CC, CFLAGS, CMAKE_ARGS, PREFIX, variant keys...

Pure. ``build_env(plate, installed, paths, package, variant)`` -> ``{"CC": ".../x86_64-conda-
linux-gnu-cc", "CFLAGS": "-O2 ...", "PREFIX": "/.../host", "microarch_level": "3", ...}``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .. import lazy
from ..platforms import Execution
from ..records import dataclass
from . import conda_vars as conda
from .model import BasePlate
from .wrappers import Installed

_HASH_RE = lazy.regex(r"h[0-9a-f]{7}(?=_|$)")


@dataclass(frozen=True)
class BuildPaths:
    prefix: str  # host prefix: where the package installs
    build_prefix: str  # build tools (on PATH)
    src_dir: str
    recipe_dir: str


@dataclass(frozen=True)
class PackageInfo:
    name: str
    version: str
    build_number: int
    build_string: str
    hash: str  # the h1234567 part of the build string ("" when it has none): package_hash()


def _join(*parts: Any) -> str:
    return " ".join(str(p) for group in parts for p in group)


def install_root(plate: BasePlate, prefix: str) -> str:
    """Where a package's bin/, lib/ and include/ go: ``$PREFIX``, or on Windows conda-forge's
    ``%LIBRARY_PREFIX%`` (``$PREFIX/Library``), which CMAKE_ARGS and MESON_ARGS install to."""
    return f"{prefix}/Library" if plate.target.os == "win" else prefix


def compile_flags(plate: BasePlate, paths: BuildPaths) -> dict[str, str]:
    """CFLAGS/CXXFLAGS/CPPFLAGS/LDFLAGS with the prefix-dependent parts added.

    Only what users expect to override: the CPU level's flags, the target, the string-merge
    guard and the build-path maps are in the compiler wrappers (``compiler_script``).
    """
    root = install_root(plate, paths.prefix)
    lib = f"{root}/lib"
    ldflags = list(plate.ldflags)
    if plate.target.os == "linux":
        ldflags.append(f"-Wl,-rpath,{lib}")
        if plate.toolchain != "zig":  # lld finds indirect libraries without -rpath-link
            ldflags.append(f"-Wl,-rpath-link,{lib}")
    elif plate.target.os == "osx":
        ldflags += [f"-Wl,-rpath,{lib}"]
    ldflags.append(f"-L{lib}")
    # conda-forge's compiler activation puts the host prefix's headers in CFLAGS/CXXFLAGS
    # (CMake reads no CPPFLAGS): a project that finds a library by name alone (snappy's lz4)
    # also finds its header.
    include = (f"-isystem {root}/include",)
    return {
        "CFLAGS": _join(plate.cflags, include),
        "CXXFLAGS": _join(plate.cxxflags, include),
        "CPPFLAGS": _join(plate.cppflags, [f"-I{root}/include"]),
        "LDFLAGS": _join(ldflags),
    }


def cmake_args(
    plate: BasePlate, installed: Installed, paths: BuildPaths, emulator: str | None = None
) -> str:
    """conda-forge's CMAKE_ARGS (its compiler activation's list) plus cfl's toolchain file.

    Joined with plain spaces, as the activation does: recipes expand ``${CMAKE_ARGS}``
    unquoted, so shell quoting would reach CMake as literal quote characters.
    """
    tools = installed.tools
    root = install_root(plate, paths.prefix)
    programs = [f"{paths.build_prefix}/bin", f"{root}/bin"]
    args = [
        f"-DCMAKE_TOOLCHAIN_FILE={installed.cmake_toolchain}",
        f"-DCMAKE_AR={tools['ar']}",
        f"-DCMAKE_RANLIB={tools['ranlib']}",
        f"-DCMAKE_LINKER={tools['ld']}",
        f"-DCMAKE_STRIP={tools['strip']}",
        "-DCMAKE_BUILD_TYPE=Release",
        f"-DCMAKE_INSTALL_PREFIX={root}",
        "-DCMAKE_INSTALL_LIBDIR=lib",
        "-DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER",
        "-DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY",
        "-DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY",
        # conda-forge adds its sysroot ($BUILD_PREFIX/<triple>/sysroot); the base plate's
        # compilers carry their C library themselves, so the host prefix is the whole root.
        f"-DCMAKE_FIND_ROOT_PATH={paths.prefix}",
        f"-DCMAKE_PROGRAM_PATH={';'.join(programs)}",
    ]
    if plate.target.os == "win":
        # Library/ is not a prefix CMake searches by itself. Elsewhere, as on conda-forge, no
        # CMAKE_PREFIX_PATH: a build tool's own (scikit-build-core's site-packages, where
        # nanobind's CMake package lives) would be overridden by this command-line one.
        args.append(f"-DCMAKE_PREFIX_PATH={root}")
    if plate.target.os == "osx":
        args.append(f"-DCMAKE_OSX_DEPLOYMENT_TARGET={plate.target.libc_floor}")
    if emulator:
        args.append(f"-DCMAKE_CROSSCOMPILING_EMULATOR={emulator}")
    return " ".join(args)


def meson_args(plate: BasePlate, installed: Installed, paths: BuildPaths) -> str:
    """conda-forge's MESON_ARGS; the cross file names the base plate's compilers (always)."""
    return (
        f"-Dbuildtype=release --prefix={install_root(plate, paths.prefix)} -Dlibdir=lib "
        f"--cross-file={installed.meson_cross}"
    )


def package_hash(build_string: str) -> str:
    """PKG_HASH: the ``h`` + 7 hex digits part of a build string (``py312h1a2b3c4_0``); empty
    when the build string has none (no used variant key), as conda-build's hash_dependencies."""
    match = _HASH_RE.search(build_string)
    return match.group(0) if match else ""


@dataclass(frozen=True)
class HostFacts:
    """What the build environments add to the script's variables."""

    python: conda.HostPython | None = None
    execution: Execution | None = None  # how the target's programs run here
    build_tools: Mapping[str, str] | None = None  # the build machine's compiler wrappers


def build_env(
    plate: BasePlate,
    installed: Installed,
    paths: BuildPaths,
    package: PackageInfo,
    variant: Mapping[str, Any],
    build_platform: str = "linux-64",
    cpu_count: int = 1,
    facts: HostFacts = HostFacts(),
) -> dict[str, str]:
    """Every variable conda-build (and conda-forge's activation) gives a build script."""
    tools = installed.tools
    env: dict[str, str] = {str(k): str(v) for k, v in variant.items() if v is not None}
    script_paths = conda.ScriptPaths(
        paths.prefix, paths.build_prefix, os.path.dirname(paths.src_dir)
    )
    env.update(conda.conda_vars(plate, script_paths, build_platform, facts.python, facts.execution))
    env.update(compile_flags(plate, paths))
    # CMake prefixes try_run and add_test commands with it: useful even without binfmt_misc.
    runs = facts.execution
    emulator = runs.emulator if runs is not None and runs.emulator else None
    native = facts.build_tools or tools
    env.update(
        CC=tools["cc"], CXX=tools["c++"], AR=tools["ar"], RANLIB=tools["ranlib"],
        LD=tools["ld"], STRIP=tools["strip"], NM=tools["nm"], READELF=tools["readelf"],
        OBJDUMP=tools["objdump"], CC_FOR_BUILD=native["cc"], CXX_FOR_BUILD=native["c++"],
        CMAKE_ARGS=cmake_args(plate, installed, paths, emulator),
        CMAKE_TOOLCHAIN_FILE=installed.cmake_toolchain,
        MESON_ARGS=meson_args(plate, installed, paths),
        CFL_MESON_CROSS_FILE=installed.meson_cross,
        CPU_COUNT=str(cpu_count),
        PREFIX=paths.prefix, BUILD_PREFIX=paths.build_prefix,
        SRC_DIR=paths.src_dir, RECIPE_DIR=paths.recipe_dir,
        PKG_NAME=package.name, PKG_VERSION=package.version,
        PKG_BUILDNUM=str(package.build_number), PKG_BUILD_STRING=package.build_string,
        PKG_HASH=package.hash,
        CFL_BASEPLATE=plate.fingerprint,
    )  # fmt: skip
    env.update(_compiler_aliases(plate, tools))
    if plate.microarch_level is not None:
        env["CFL_MICROARCH_LEVEL"] = str(plate.microarch_level)
    return env


def _compiler_aliases(plate: BasePlate, tools: Mapping[str, str]) -> dict[str, str]:
    """The names conda-forge's compiler activation also exports (zlib's build.sh uses
    ``CC=$GCC`` on linux): the base plate's wrappers stand in for them."""
    if plate.target.os == "linux":
        return {"GCC": tools["cc"], "GXX": tools["c++"]}
    if plate.target.os == "osx":
        return {"CLANG": tools["cc"], "CLANGXX": tools["c++"]}
    return {}
