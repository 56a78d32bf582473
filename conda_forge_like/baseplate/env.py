"""The environment a build script runs with: CC, CFLAGS, CMAKE_ARGS, PREFIX, variant keys...

Pure. ``build_env(plate, installed, paths, package, variant)`` -> ``{"CC": ".../x86_64-conda-
linux-gnu-cc", "CFLAGS": "-O2 ...", "PREFIX": "/.../host", "microarch_level": "3", ...}``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import BasePlate
from .wrappers import Installed


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
    hash: str  # the h1234567 part


def _join(*parts: Any) -> str:
    return " ".join(str(p) for group in parts for p in group)


def compile_flags(plate: BasePlate, paths: BuildPaths, package: PackageInfo) -> dict[str, str]:
    """CFLAGS/CXXFLAGS/CPPFLAGS/LDFLAGS with the prefix-dependent parts added."""
    source_map = f"/usr/local/src/conda/{package.name}-{package.version}"
    debug_map = (
        # file-prefix-map covers __FILE__ as well as debug info: assert messages and test
        # frameworks (gtest) keep source paths, which must not name the build machine.
        f"-ffile-prefix-map={paths.src_dir}={source_map}",
        f"-fdebug-prefix-map={paths.prefix}=/usr/local/src/conda-prefix",
    )
    lib = f"{paths.prefix}/lib"
    ldflags = list(plate.ldflags)
    if plate.target.os == "linux":
        ldflags.append(f"-Wl,-rpath,{lib}")
        if plate.toolchain != "zig":  # lld finds indirect libraries without -rpath-link
            ldflags.append(f"-Wl,-rpath-link,{lib}")
    elif plate.target.os == "osx":
        ldflags += [f"-Wl,-rpath,{lib}"]
    ldflags.append(f"-L{lib}")
    return {
        "CFLAGS": _join(plate.cflags, plate.cpu_flags, debug_map),
        "CXXFLAGS": _join(plate.cxxflags, plate.cpu_flags, debug_map),
        "CPPFLAGS": _join(plate.cppflags, [f"-I{paths.prefix}/include"]),
        "LDFLAGS": _join(ldflags),
    }


def cmake_args(plate: BasePlate, installed: Installed, paths: BuildPaths) -> str:
    args = [
        f"-DCMAKE_TOOLCHAIN_FILE={installed.cmake_toolchain}",
        f"-DCMAKE_INSTALL_PREFIX={paths.prefix}",
        "-DCMAKE_INSTALL_LIBDIR=lib",
        f"-DCMAKE_PREFIX_PATH={paths.prefix}",
        "-DCMAKE_BUILD_TYPE=Release",
    ]
    return shlex.join(args)


def build_env(
    plate: BasePlate,
    installed: Installed,
    paths: BuildPaths,
    package: PackageInfo,
    variant: Mapping[str, Any],
    build_platform: str = "linux-64",
    cpu_count: int = 1,
) -> dict[str, str]:
    """Every variable the design promises a build script."""
    tools = installed.tools
    env: dict[str, str] = {str(k): str(v) for k, v in variant.items() if v is not None}
    env.update(compile_flags(plate, paths, package))
    env.update(
        CC=tools["cc"], CXX=tools["c++"], AR=tools["ar"], RANLIB=tools["ranlib"],
        LD=tools["ld"], STRIP=tools["strip"], NM=tools["nm"],
        CMAKE_ARGS=cmake_args(plate, installed, paths),
        CMAKE_TOOLCHAIN_FILE=installed.cmake_toolchain,
        MESON_ARGS=f"--cross-file={installed.meson_cross} --prefix={paths.prefix} --libdir=lib",
        CFL_MESON_CROSS_FILE=installed.meson_cross,
        HOST=plate.target.conda_triple, BUILD="x86_64-conda-linux-gnu",
        target_platform=plate.subdir, build_platform=build_platform,
        CPU_COUNT=str(cpu_count),
        PREFIX=paths.prefix, BUILD_PREFIX=paths.build_prefix,
        SRC_DIR=paths.src_dir, RECIPE_DIR=paths.recipe_dir,
        PKG_NAME=package.name, PKG_VERSION=package.version,
        PKG_BUILDNUM=str(package.build_number), PKG_BUILD_STRING=package.build_string,
        PKG_HASH=package.hash,
        CFL_BASEPLATE=plate.fingerprint,
    )  # fmt: skip
    if plate.microarch_level is not None:
        env["CFL_MICROARCH_LEVEL"] = str(plate.microarch_level)
    return env
