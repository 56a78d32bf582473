"""What the base-plate stage produces: a frozen ``BasePlate`` and the per-subdir ``Target``."""

from __future__ import annotations

import json
from typing import Literal

from .. import digests
from ..records import asdict, dataclass, replace

Toolchain = Literal["zig", "gcc", "clang"]
TOOLCHAINS: tuple[str, ...] = ("zig", "gcc", "clang")


@dataclass(frozen=True)
class Target:
    """Everything about a subdir a compiler needs to know.

    ``conda_triple`` names the wrappers (``x86_64-conda-linux-gnu-cc``); ``llvm_triple`` is
    what clang and zig are told to target; ``libc`` is the C library floor.
    """

    subdir: str
    os: str  # linux | osx | win
    arch: str  # x86_64 | aarch64 | arm64
    conda_triple: str
    llvm_triple: str
    libc: str  # glibc | macos | mingw
    libc_floor: str  # "2.17", "11.0", "" for mingw
    cmake_system: str  # Linux | Darwin | Windows
    cmake_processor: str
    meson_system: str  # linux | darwin | windows
    meson_cpu_family: str
    exe_suffix: str = ""

    @property
    def zig_target(self) -> str:
        """``x86_64-linux-gnu.2.17``: zig pins the glibc/macOS floor in the target itself."""
        arch = "aarch64" if self.arch == "arm64" else self.arch
        if self.os == "linux":
            return f"{arch}-linux-gnu.{self.libc_floor}"
        if self.os == "osx":
            return f"{arch}-macos.{self.libc_floor}"
        return f"{arch}-windows-gnu"


@dataclass(frozen=True)
class BuildTool:
    """A build tool the base plate provided to a build: ``patch 2.7.6`` from Debian's patch."""

    name: str
    version: str
    provider: str  # pypi | machine | files (see baseplate/build_tools.toml)
    source: str  # the PyPI project or the Debian package(s)


@dataclass(frozen=True)
class BasePlate:
    """One normalized toolchain for one target and CPU level; its fingerprint names it."""

    target: Target
    toolchain: str
    version: str
    cxx_stdlib: str  # libc++ | libstdc++
    microarch_level: int | None
    cpu_flags: tuple[str, ...]
    cflags: tuple[str, ...]  # $CFLAGS: what users expect to override
    cxxflags: tuple[str, ...]
    cppflags: tuple[str, ...]
    ldflags: tuple[str, ...]
    # Added by the compiler wrappers to every C/C++ compile (with cpu_flags, the target and
    # the build-path maps): the guards that keep packages correct whatever a script passes.
    guard_flags: tuple[str, ...] = ()
    # The table's tools this build used (none unless the recipe lists them): their versions
    # can change the binaries, so they are part of the fingerprint.
    build_tools: tuple[BuildTool, ...] = ()

    @property
    def subdir(self) -> str:
        return self.target.subdir

    @property
    def cross(self) -> bool:
        """True when the binaries cannot run natively on a linux-64 build machine."""
        return self.target.subdir != "linux-64"

    def with_tools(self, tools: tuple[BuildTool, ...]) -> BasePlate:
        return replace(self, build_tools=tools)

    def describe(self) -> dict[str, object]:
        data = asdict(self)
        data["fingerprint"] = self.fingerprint
        data["target"]["zig_target"] = self.target.zig_target
        return data

    @property
    def fingerprint(self) -> str:
        """sha256 over everything that changes the produced binaries (12 hex digits)."""
        data = asdict(self)
        if not self.build_tools:  # a plate without tools keeps the fingerprint it always had
            del data["build_tools"]
        payload = json.dumps(data, sort_keys=True)
        return digests.sha256(payload.encode()).hexdigest()[:12]
