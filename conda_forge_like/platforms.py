"""Target platforms (conda subdirs) and the selector names each one switches on.

``namespace("linux-aarch64")`` -> ``{"linux": True, "aarch64": True, "unix": True, ...}``.
"""

from __future__ import annotations

import platform as _platform
import sys
from dataclasses import dataclass
from typing import Literal, get_args

from .errors import UsageError

Subdir = Literal[
    "linux-64", "linux-aarch64", "linux-ppc64le", "osx-64", "osx-arm64", "win-64", "noarch"
]
SUBDIRS: tuple[str, ...] = get_args(Subdir)


@dataclass(frozen=True)
class PlatformInfo:
    subdir: str
    os: str  # linux | osx | win | noarch
    arch: str  # x86_64 | aarch64 | arm64 | ppc64le | noarch

    @property
    def bits(self) -> int:
        return 64


_ARCHES = {"64": "x86_64", "aarch64": "aarch64", "arm64": "arm64", "ppc64le": "ppc64le"}


def info(subdir: str) -> PlatformInfo:
    if subdir not in SUBDIRS:
        raise UsageError(
            f"unknown target platform {subdir!r}",
            hint=f"use one of: {', '.join(SUBDIRS)}",
        )
    if subdir == "noarch":
        return PlatformInfo("noarch", "noarch", "noarch")
    os_name, arch = subdir.split("-", 1)
    return PlatformInfo(subdir, os_name, _ARCHES[arch])


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
        "x86_64": plat.arch == "x86_64",
        "x86": False,
        "aarch64": plat.arch == "aarch64",
        "arm64": plat.arch == "arm64",
        "ppc64le": plat.arch == "ppc64le",
        "linux64": subdir == "linux-64",
        "win64": subdir == "win-64",
        "osx64": subdir == "osx-64",
        "noarch": subdir == "noarch",
        "target_platform": subdir,
        "build_platform": build_subdir or build_platform(),
    }
    return ns
