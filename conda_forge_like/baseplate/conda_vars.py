"""The variables conda-build and rattler-build give every build script, beyond the compilers.

Pure. ``conda_vars(plate, paths, "linux-64")`` -> ``{"CONDA_BUILD": "1", "SHLIB_EXT": ".so",
"CONDA_BUILD_CROSS_COMPILATION": "0", "ARCH": "64", "HOST": "x86_64-conda-linux-gnu", ...}``.

Facts from conda-build's ``environ.py`` (conda_build_vars, os_vars, unix/osx/windows_vars,
python_vars), rattler-build's ``env_vars.rs`` and conda-forge's compiler activation
(``HOST``/``BUILD``/``build_alias``/``host_alias``/``CONDA_TOOLCHAIN_*``, ``CC_FOR_BUILD``).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..platforms import Execution
from ..records import dataclass
from .model import BasePlate
from .targets import TARGETS

# conda-build's get_shlib_ext, by the target's OS.
_SHLIB_EXT = {"linux": ".so", "osx": ".dylib", "win": ".dll"}
# conda-build's osx_vars: OSX_ARCH by the target's architecture.
_OSX_ARCH = {"x86_64": "x86_64", "arm64": "arm64"}


@dataclass(frozen=True)
class ScriptPaths:
    prefix: str  # host prefix
    build_prefix: str
    work_dir: str  # the parent of SRC_DIR: pip's cache goes there, as rattler-build does


@dataclass(frozen=True)
class HostPython:
    """The python installed in the host prefix (its version, e.g. ``3.12.4``)."""

    version: str


def shlib_ext(subdir: str) -> str:
    return _SHLIB_EXT.get(subdir.split("-", 1)[0], ".so")


def build_triple(build_platform: str) -> str:
    """conda-forge's compiler activation names the build machine like the target triples."""
    target = TARGETS.get(build_platform)
    return target.conda_triple if target else "x86_64-conda-linux-gnu"


def conda_vars(
    plate: BasePlate,
    paths: ScriptPaths,
    build_platform: str,
    python: HostPython | None = None,
    execution: Execution | None = None,
) -> dict[str, str]:
    """conda-build's script variables for ``plate``'s target built on ``build_platform``."""
    subdir = plate.subdir
    env = {
        "CONDA_BUILD": "1",
        "CONDA_BUILD_STATE": "BUILD",
        "PYTHONNOUSERSITE": "1",
        "SUBDIR": subdir,
        "target_platform": subdir,
        "host_platform": subdir,
        "build_platform": build_platform,
        "ARCH": subdir.split("-", 1)[1],
        "SHLIB_EXT": shlib_ext(subdir),
        "CONDA_BUILD_CROSS_COMPILATION": "1" if subdir != build_platform else "0",
        "CONDA_DEFAULT_ENV": paths.prefix,
        # The build environment is activated last (stacked on the host one) in both tools.
        "CONDA_PREFIX": paths.build_prefix,
        **_triples(plate, build_platform),
        **_pip_vars(paths),
        **_os_vars(plate, paths),
        **(_python_vars(plate, paths, python) if python else {}),
    }
    if execution is not None and subdir != build_platform and execution.emulator:
        env.update(execution.env)
        if execution.direct:
            # conda-forge's meaning: this machine runs the target's programs (qemu with
            # binfmt_misc), so scripts may run test binaries by name (brotli's ctest).
            env["CROSSCOMPILING_EMULATOR"] = execution.emulator
    return env


def _triples(plate: BasePlate, build_platform: str) -> dict[str, str]:
    host, build = plate.target.conda_triple, build_triple(build_platform)
    return {
        "HOST": host,
        "BUILD": build,
        "host_alias": host,
        "build_alias": build,
        "CONDA_TOOLCHAIN_HOST": host,
        "CONDA_TOOLCHAIN_BUILD": build,
    }


def _pip_vars(paths: ScriptPaths) -> dict[str, str]:
    """Both tools keep pip offline and out of dependency resolution."""
    return {
        "PIP_NO_BUILD_ISOLATION": "False",
        "PIP_NO_DEPENDENCIES": "True",
        "PIP_IGNORE_INSTALLED": "True",
        "PIP_NO_INDEX": "True",
        "PIP_CACHE_DIR": f"{paths.work_dir}/pip_cache",
    }


def _os_vars(plate: BasePlate, paths: ScriptPaths) -> dict[str, str]:
    prefix = paths.prefix
    target = plate.target
    if target.os == "win":
        library = f"{prefix}/Library"
        return {
            "SCRIPTS": f"{prefix}/Scripts",
            "LIBRARY_PREFIX": library,
            "LIBRARY_BIN": f"{library}/bin",
            "LIBRARY_INC": f"{library}/include",
            "LIBRARY_LIB": f"{library}/lib",
            # cfl's pkg-config is the build machine's: point it where win packages keep .pc files.
            "PKG_CONFIG_PATH": f"{library}/lib/pkgconfig:{library}/share/pkgconfig",
        }
    env = {
        # pkg-config's own default search path inside a conda prefix has both.
        "PKG_CONFIG_PATH": f"{prefix}/lib/pkgconfig:{prefix}/share/pkgconfig",
        "CMAKE_GENERATOR": "Unix Makefiles",  # conda-build's and rattler-build's default
    }
    if target.os == "osx":
        env["OSX_ARCH"] = _OSX_ARCH.get(target.arch, target.arch)
        env["MACOSX_DEPLOYMENT_TARGET"] = target.libc_floor
    else:
        env["LD_RUN_PATH"] = f"{prefix}/lib"
    return env


def _python_vars(plate: BasePlate, paths: ScriptPaths, python: HostPython) -> dict[str, str]:
    major_minor = ".".join(python.version.split(".")[:2])
    prefix = paths.prefix
    if plate.target.os == "win":
        stdlib, exe = f"{prefix}/Lib", f"{prefix}/python.exe"
    else:
        stdlib, exe = f"{prefix}/lib/python{major_minor}", f"{prefix}/bin/python"
    return {
        "PYTHON": exe,
        "PY_VER": major_minor,
        "CONDA_PY": major_minor.replace(".", ""),
        "PY3K": "1" if major_minor.startswith("3") else "0",
        "STDLIB_DIR": stdlib,
        "SP_DIR": f"{stdlib}/site-packages",
    }


def host_python(installed: Mapping[str, str]) -> HostPython | None:
    """``{"python": "3.12.4", ...}`` (the host environment's names and versions)."""
    version = installed.get("python")
    return HostPython(version) if version else None
