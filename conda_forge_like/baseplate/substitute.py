"""conda-forge's compiler pins on the base plate: which ones cfl can honour, and what stands in.

conda-forge's ``.ci_support/*.yaml`` files pin conda-forge's compiler packages
(``c_compiler: gcc``, ``c_compiler_version: '14'``, ``clang`` 19 for osx, ``vs2022`` for
win). cfl never installs compiler packages: compilers are the base plate's. A pin the base plate
can honour exactly (its toolchain exists for the target and the installed version matches) is
kept; any other is replaced, for a build, by the base plate's default toolchain for that target
(zig, which cross-compiles everywhere with the glibc 2.17 / macOS 11 floors), so the build
string and ``hash_input`` name the compiler really used. ``cfl render`` keeps conda-forge's
values (render parity); ``cfl build`` says what it replaced in one line per key.

Pure. ``substitute(config, "linux-64", {"zig": "0.17.1", "gcc": "12.2.0"})`` with gcc 14
pinned -> ``(config with c_compiler: zig, c_compiler_version: '0.17', ["c_compiler gcc 14 ..."])``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..records import replace
from ..variants.config import VariantConfig
from .targets import TARGETS, TOOLCHAIN_OF

_LANGUAGES = ("c", "cxx")
DEFAULT = "zig"


def problem(
    name: str,
    version: str | None,
    subdir: str,
    versions: Mapping[str, str],
    floor: str | None = None,
) -> str | None:
    """Why the base plate cannot stand in for a compiler pin, or ``None`` when it can. The
    build machine's gcc and clang build only linux-64 and link against the machine's glibc,
    so they meet only a floor at or above it (conda-forge's gcc 12 with its glibc 2.17
    sysroot is not the host's gcc 12)."""
    toolchain = TOOLCHAIN_OF.get(name)
    if toolchain is None:
        return "the base plate has no such toolchain"
    if toolchain == DEFAULT:
        return None
    installed = versions.get(toolchain)
    if subdir != "linux-64":
        return f"the build machine's {toolchain} builds only linux-64"
    if not installed:
        return f"{toolchain} is not installed"
    wanted = str(version or "").rstrip(".*")
    if wanted and installed != wanted and not installed.startswith(wanted + "."):
        return f"the build machine has {toolchain} {installed}"
    glibc = versions.get("glibc")
    if floor and glibc and _tuple(str(floor)) < _tuple(glibc):
        return (
            f"the build machine's {toolchain} links against glibc {glibc}, above {floor}; "
            f"set c_stdlib_version: '{glibc}' to build with it"
        )
    return None


def _tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def _short(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _pins_beyond_zig(config: VariantConfig) -> bool:
    """Does any compiler pin name something other than zig (only those may be replaced)?"""
    names = [n for lang in _LANGUAGES for n in config.values.get(f"{lang}_compiler") or ()]
    return any(TOOLCHAIN_OF.get(str(name)) != DEFAULT for name in names)


def complete(
    config: VariantConfig, subdir: str, versions: Mapping[str, str]
) -> tuple[VariantConfig, list[str]]:
    """A host compiler a layer names without its version (``c_compiler: [gcc]`` alone) is the
    installed one: its version enters the variant (so the hash names it), and a C library
    floor that only an earlier layer set (the default's 2.17, zig's) becomes the machine's
    glibc, which that compiler links against. One note line per compiler."""
    if subdir != "linux-64":
        return config, []
    values: dict[str, tuple[Any, ...]] = dict(config.values)
    notes: list[str] = []
    for language in _LANGUAGES:
        key, version_key = f"{language}_compiler", f"{language}_compiler_version"
        names = values.get(key) or ()
        toolchain = TOOLCHAIN_OF.get(str(names[0])) if len(names) == 1 else None
        installed = versions.get(toolchain) if toolchain and toolchain != DEFAULT else None
        if version_key in values or installed is None:
            continue
        values[version_key] = (installed.split(".")[0],)
        said = f"{key} {names[0]} names no {version_key}: the installed {toolchain} {installed}"
        glibc = versions.get("glibc")
        floor = values.get("c_stdlib_version")
        if language == "c" and glibc and _below(floor, glibc) and _floor_from_other_layer(config):
            values["c_stdlib_version"] = (glibc,)
            said += f", with the machine's glibc {glibc} as c_stdlib_version"
        notes.append(said)
    if not notes:
        return config, []
    return replace(config, values=MappingProxyType(values)), notes


def _below(floor: tuple[Any, ...] | None, glibc: str) -> bool:
    """Is one floor set, and is it below the machine's glibc?"""
    return floor is not None and len(floor) == 1 and _tuple(str(floor[0])) < _tuple(glibc)


def _floor_from_other_layer(config: VariantConfig) -> bool:
    """Was ``c_stdlib_version`` set by another file than ``c_compiler``?"""
    compiler, floor = config.origins.get("c_compiler"), config.origins.get("c_stdlib_version")
    return compiler is not None and (floor is None or floor.file != compiler.file)


def substitute(
    config: VariantConfig, subdir: str, versions: Mapping[str, str]
) -> tuple[VariantConfig, list[str]]:
    """The config with every compiler pin the base plate cannot honour replaced by zig."""
    if subdir not in TARGETS or not _pins_beyond_zig(config):
        return config, []  # before asking for zig's version: the probe is what costs
    zig = versions.get(DEFAULT)
    if zig is None:
        return config, []
    values: dict[str, tuple[Any, ...]] = dict(config.values)
    notes: list[str] = []
    for language in _LANGUAGES:
        key, version_key = f"{language}_compiler", f"{language}_compiler_version"
        names = values.get(key)
        if not names:
            continue
        pinned = values.get(version_key) or (None,)
        floors = values.get("c_stdlib_version") or (None,)
        new_names, new_versions = [], []
        replaced: list[tuple[str, str]] = []
        for index, name in enumerate(names):
            version = pinned[index] if index < len(pinned) else pinned[-1]
            floor = floors[index] if len(floors) == len(names) else floors[0]
            text = None if version is None else str(version)
            why = problem(str(name), text, subdir, versions, None if floor is None else str(floor))
            if why is None:
                new_names.append(name)
                new_versions.append(version)
                continue
            replaced.append((f"{name} {version}" if version is not None else str(name), why))
            new_names.append(DEFAULT)
            new_versions.append(_short(zig))
        if not replaced:
            continue
        values[key] = tuple(new_names)
        if version_key in values and len(values[version_key]) == len(new_versions):
            values[version_key] = tuple(new_versions)
        elif version_key in values:
            values[version_key] = (_short(zig),)
        said = "; ".join(f"{pin} ({why})" for pin, why in sorted(set(replaced)))
        notes.append(
            f"{key} {said}: conda-forge's compiler packages are in no channel; building with "
            f"the base plate's {DEFAULT} {zig} for {subdir} (the build string and hash_input "
            "name it)"
        )
    if not notes:
        return config, []
    return replace(config, values=MappingProxyType(values)), notes


def _glibc_version() -> str:
    """This machine's glibc (what ``platform.libc_ver`` asks first), or '' off glibc."""
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        return ""
    name, _, version = text.partition(" ")
    return version if name == "glibc" else ""


def for_build(config: VariantConfig, subdir: str) -> tuple[VariantConfig, list[str]]:
    """``complete``, ``substitute`` and the win-64 C runtime (``crt``) with this machine's
    versions: the one entry that probes (a compiler only when a variant names it; zig's
    mingw-w64 for win)."""
    from . import crt, tools

    facts = {"glibc": _glibc_version()}
    if subdir.startswith("win-"):
        facts["mingw-w64"] = crt.mingw_version(tools.find_tools().zig) or ""
    versions = tools.detect_versions().with_facts({k: v for k, v in facts.items() if v})
    config, completed = complete(config, subdir, versions)
    config, notes = substitute(config, subdir, versions)
    config, more = crt.substitute(config, subdir, versions)
    return config, completed + notes + more
