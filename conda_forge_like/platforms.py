"""Target platforms (conda subdirs) and the selector names each one switches on.

``namespace("linux-aarch64")`` -> ``{"linux": True, "aarch64": True, "unix": True, ...}``.
"""

from __future__ import annotations

import platform as _platform
import sys
from dataclasses import dataclass
from typing import Literal, get_args

from .errors import UsageError

# Every subdir conda knows (conda's ``KNOWN_SUBDIRS``): rendering works for each of them; a
# build for one the base plate cannot target fails in ``baseplate.resolve`` with the list of
# those it can.
Subdir = Literal[
    "linux-64", "linux-aarch64", "linux-ppc64le", "linux-32", "linux-armv6l", "linux-armv7l",
    "linux-ppc64", "linux-riscv64", "linux-s390x", "osx-64", "osx-arm64", "win-64",
    "win-arm64", "win-32", "freebsd-64", "emscripten-wasm32", "wasi-wasm32", "zos-z", "noarch",
]  # fmt: skip
SUBDIRS: tuple[str, ...] = get_args(Subdir)


@dataclass(frozen=True)
class PlatformInfo:
    subdir: str
    os: str  # linux | osx | win | noarch
    arch: str  # x86_64 | aarch64 | arm64 | ppc64le | x86 | armv7l | riscv64 | ... | noarch

    @property
    def bits(self) -> int:
        return 32 if self.arch in _32_BIT else 64


# The subdir's suffix -> the architecture name conda-build's selectors use (``32`` is x86).
_ARCHES = {"64": "x86_64", "32": "x86"}
_32_BIT = frozenset({"x86", "armv6l", "armv7l", "wasm32"})
# conda-build's selector names for architectures (conda_build.metadata.ns_cfg / ARCH_MAP).
ARCH_NAMES = (
    "x86", "x86_64", "aarch64", "arm64", "ppc64le", "ppc64", "armv6l", "armv7l", "riscv64",
    "s390x", "wasm32", "z",
)  # fmt: skip


def info(subdir: str) -> PlatformInfo:
    if subdir not in SUBDIRS:
        raise UsageError(
            f"unknown target platform {subdir!r}",
            hint=f"use one of: {', '.join(SUBDIRS)}",
        )
    if subdir == "noarch":
        return PlatformInfo("noarch", "noarch", "noarch")
    os_name, arch = subdir.split("-", 1)
    return PlatformInfo(subdir, os_name, _ARCHES.get(arch, arch))


def build_platform() -> str:
    """The subdir of the machine running cfl."""
    os_name = {"linux": "linux", "darwin": "osx", "win32": "win"}.get(sys.platform, "linux")
    machine = _platform.machine().lower()
    arch = {"x86_64": "64", "amd64": "64", "aarch64": "aarch64", "arm64": "arm64"}.get(
        machine, "64"
    )
    if os_name == "osx" and arch == "aarch64":
        arch = "arm64"
    return f"{os_name}-{arch}"


def namespace(subdir: str, build_subdir: str | None = None) -> dict[str, object]:
    """Selector names for a target (conda-build's namespace, minus python/numpy keys)."""
    plat = info(subdir)
    ns: dict[str, object] = {
        "linux": plat.os == "linux",
        "osx": plat.os == "osx",
        "win": plat.os == "win",
        "unix": plat.os in ("linux", "osx"),
        **{arch: plat.arch == arch for arch in ARCH_NAMES},
        "linux32": subdir == "linux-32",
        "linux64": subdir == "linux-64",
        "win32": subdir == "win-32",
        "win64": subdir == "win-64",
        "osx64": subdir == "osx-64",
        "noarch": subdir == "noarch",
        "target_platform": subdir,
        "build_platform": build_subdir or build_platform(),
    }
    return ns
