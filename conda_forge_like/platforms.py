"""Target platforms (conda subdirs) and the selector names each one switches on.

``namespace("linux-aarch64")`` -> ``{"linux": True, "aarch64": True, "unix": True, ...}``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable

from .errors import UsageError
from .records import dataclass
from .subdirs import SUBDIRS as SUBDIRS
from .subdirs import Subdir as Subdir


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


def environment_subdir(subdir: str) -> str:
    """The subdir whose packages a build's or test's environment holds: a noarch package is
    built and tested with the build machine's (conda-build and rattler-build do the same)."""
    return build_platform() if subdir == "noarch" else subdir


def _machine() -> str:
    if hasattr(os, "uname"):
        return os.uname().machine
    import platform  # Windows: from the environment

    return platform.machine()


def build_platform() -> str:
    """The subdir of the machine running cfl."""
    os_name = {"linux": "linux", "darwin": "osx", "win32": "win"}.get(sys.platform, "linux")
    machine = _machine().lower()
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


# qemu-user's name for each linux architecture cfl can emulate, and where Debian's
# ``libc6-<arch>-cross`` puts that architecture's dynamic loader (QEMU_LD_PREFIX).
_QEMU = {"aarch64": ("qemu-aarch64", "/usr/aarch64-linux-gnu")}
BINFMT_DIR = "/proc/sys/fs/binfmt_misc"


def _read_text(path: str) -> str | None:
    """A file's text; a directory reads as ""; None when absent or unreadable."""
    if os.path.isdir(path):
        return ""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


@dataclass(frozen=True)
class Execution:
    """How this machine runs a subdir's programs.

    ``emulator`` (CROSSCOMPILING_EMULATOR) runs one when named on the command line;
    ``direct`` means the kernel starts it by itself (native, or qemu registered with binfmt),
    which package tests need since their commands call programs by name.
    """

    subdir: str
    direct: bool
    emulator: str | None = None
    env: tuple[tuple[str, str], ...] = ()  # e.g. QEMU_LD_PREFIX
    note: str = ""  # why ``direct`` is False


def execution(
    subdir: str,
    build_subdir: str,
    which: Callable[[str], str | None] = shutil.which,
    read: Callable[[str], str | None] = _read_text,
) -> Execution:
    """Whether ``subdir``'s programs run on a ``build_subdir`` machine, and with what.

    The probes are injected so tests need no qemu: ``which`` finds a program, ``read`` returns
    a file's text (None when absent), as for ``/proc/sys/fs/binfmt_misc/qemu-aarch64``.
    """
    if subdir in (build_subdir, "noarch"):
        return Execution(subdir, True)
    plat = info(subdir)
    qemu = (
        _QEMU.get(plat.arch) if plat.os == "linux" and build_subdir.startswith("linux-") else None
    )
    if qemu is None:
        note = f"{subdir} binaries do not run on {build_subdir}"
        if plat.os == "win":  # wine could start the programs, but not the tests' scripts
            note += " (win tests are cmd.exe scripts, run_test.bat: test them on Windows)"
        return Execution(subdir, False, note=note)
    name, ld_prefix = qemu
    emulator = which(f"{name}-static") or which(name)
    loader_dir = read(f"{ld_prefix}/lib") is not None
    if emulator is None or not loader_dir:
        return Execution(
            subdir, False,
            note=f"{subdir} binaries need qemu-user and the {plat.arch} C library: install "
            f"qemu-user-static and libc6-{'arm64' if plat.arch == 'aarch64' else plat.arch}-cross",
        )  # fmt: skip
    env = (("QEMU_LD_PREFIX", ld_prefix),)
    status = read(f"{BINFMT_DIR}/{name}") or ""
    direct = status.splitlines()[:1] == ["enabled"]
    note = "" if direct else (
        f"{subdir} binaries need qemu-user registered with binfmt_misc ({BINFMT_DIR}/{name} "
        "is missing or disabled): install qemu-user-static and binfmt-support"
    )  # fmt: skip
    return Execution(subdir, direct, emulator, env, note)
