"""Base-plate stage: (rendered variant, target subdir, tool versions) -> ``BasePlate``.

Pure. ``resolve({"c_compiler": "zig", "microarch_level": 3}, "linux-64", {"zig": "0.17.1"})``
-> a ``BasePlate`` with ``-mcpu=x86_64_v3``, glibc floor 2.17 and a fingerprint. The tool
versions are detected by ``baseplate.tools`` (which runs the compilers) and passed in, so this
module never touches the disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CflError, VariantError
from .model import TOOLCHAINS, BasePlate, Target
from .targets import ARCHSPEC_NAMES, TARGETS, TOOLCHAIN_OF

__all__ = ["BasePlate", "Target", "cpu_flags", "guard_flags", "resolve", "toolchain_of"]


def toolchain_of(variant: Mapping[str, Any], language: str = "c") -> str:
    name = str(variant.get(f"{language}_compiler", "zig"))
    toolchain = TOOLCHAIN_OF.get(name)
    if toolchain is None:
        raise VariantError(
            f"{language}_compiler {name!r} is not a base-plate toolchain",
            hint=f"set {language}_compiler to one of: {', '.join(TOOLCHAINS)}",
        )
    return toolchain


def level_of(variant: Mapping[str, Any], target: Target) -> int | None:
    """The x86-64 level (1..4), or ``None`` on other architectures."""
    if target.arch != "x86_64":
        return None
    raw = variant.get("microarch_level", 1)
    try:
        level = int(raw)
    except (TypeError, ValueError):
        level = 0
    if level not in ARCHSPEC_NAMES:
        raise VariantError(
            f"microarch_level {raw!r} is not an x86-64 level",
            hint="use 1 (baseline), 2 (SSE4.2), 3 (AVX2) or 4 (AVX-512)",
        )
    return level


def cpu_flags(toolchain: str, version: str, level: int | None) -> tuple[str, ...]:
    """Compiler flags that make code use the level's instructions (and no higher)."""
    if level is None:
        return ()
    if toolchain == "zig":
        # zig cc takes zig's CPU model names, not -march=x86-64-v3.
        flags = [f"-mcpu={ARCHSPEC_NAMES[level]}"]
    else:
        import archspec.cpu  # only gcc and clang take archspec's flags; its import costs

        target = archspec.cpu.TARGETS[ARCHSPEC_NAMES[level]]
        flags = target.optimization_flags(toolchain, version).split()
        if toolchain == "gcc" and level > 1:
            flags.append("-mneeded")  # record the ISA level in .note.gnu.property
    if level == 4:
        # clang and gcc prefer 256-bit vectors on x86-64-v4 unless told otherwise.
        flags.append("-mprefer-vector-width=512")
    return tuple(flags)


def _ldflags(toolchain: str, target: Target, level: int | None) -> tuple[str, ...]:
    flags: list[str] = []
    if target.os == "linux":
        # zig's lld ignores -O2; --as-needed keeps DT_NEEDED to what is really used.
        flags += ["-Wl,--as-needed"] if toolchain == "zig" else ["-Wl,-O2", "-Wl,--as-needed"]
        if toolchain == "clang" and level and level > 1:
            flags.append(f"-Wl,-z,x86-64-v{level}")
    elif target.os == "osx":
        # Mach-O keeps debug info in the object files and records their absolute paths (the
        # build directory) as N_OSO stabs; those objects are gone once the build ends.
        flags.append("-Wl,-S")
    return tuple(flags)


def _cflags(target: Target) -> tuple[str, ...]:
    """What users expect to find (and replace) in $CFLAGS; the flags that keep packages
    correct are in the compiler wrappers (``guard_flags``), so no script can drop them."""
    flags = ["-O2", "-ftree-vectorize"]
    if target.os != "win":
        flags.append("-fPIC")
    return tuple(flags)


def guard_flags(toolchain: str) -> tuple[str, ...]:
    """Compile flags the wrappers add to every C/C++ compile.

    String literals in mergeable sections let the linker fold one literal into the tail of
    another (GNU ld always; lld, zig's linker, at -O2), e.g. "data" into PREFIX "/share/data",
    which breaks install-time prefix replacement. gcc keeps literals out of those sections
    with -fno-merge-constants; clang ignores that flag, -fwritable-strings does it there.
    """
    return ("-fno-merge-constants",) if toolchain == "gcc" else ("-fwritable-strings",)


def resolve(variant: Mapping[str, Any], subdir: str, versions: Mapping[str, str]) -> BasePlate:
    """The base plate for one variant and target; ``versions`` maps toolchain -> version."""
    target = TARGETS.get(subdir)
    if target is None:
        raise CflError(
            f"the base plate has no toolchain for {subdir!r}",
            hint=f"build for one of: {', '.join(TARGETS)}",
        )
    toolchain = toolchain_of(variant)
    if toolchain != "zig" and subdir != "linux-64":
        raise VariantError(
            f"the {toolchain} toolchain builds only for linux-64, not {subdir}",
            hint="use c_compiler: zig (it cross-compiles to every subdir)",
        )
    version = versions.get(toolchain)
    if not version:
        raise CflError(f"the {toolchain} toolchain is not installed", hint=_install_hint(toolchain))
    _check_pinned_version(variant, toolchain, version)
    level = level_of(variant, target)
    cflags = _cflags(target)
    return BasePlate(
        target=target,
        toolchain=toolchain,
        version=version,
        cxx_stdlib="libc++" if toolchain in ("zig",) else "libstdc++",
        microarch_level=level,
        cpu_flags=cpu_flags(toolchain, version, level),
        cflags=cflags,
        cxxflags=cflags,
        guard_flags=guard_flags(toolchain),
        cppflags=("-DNDEBUG", "-D_FORTIFY_SOURCE=2") if target.os == "linux" else ("-DNDEBUG",),
        ldflags=_ldflags(toolchain, target, level),
    )


def _check_pinned_version(variant: Mapping[str, Any], toolchain: str, version: str) -> None:
    """The variant's compiler version is part of the build hash: it must be the real one."""
    pinned = variant.get("c_compiler_version")
    if pinned is None or str(pinned) == "":
        return
    wanted = str(pinned).rstrip(".*")
    if version != wanted and not version.startswith(wanted + "."):
        raise VariantError(
            f"c_compiler_version {pinned!r} asks for {toolchain} {wanted}, "
            f"but the base plate has {toolchain} {version}",
            hint=f"set c_compiler_version to {'.'.join(version.split('.')[:2])!r} "
            "or install that compiler version",
        )


def _install_hint(toolchain: str) -> str:
    return {
        "zig": "pip install ziglang (it is a dependency of conda-forge-like)",
        "gcc": "apt-get install gcc g++",
        "clang": "apt-get install clang",
    }[toolchain]
