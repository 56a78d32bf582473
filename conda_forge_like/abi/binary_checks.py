"""The ABI checks that read binaries: linkage (overlinking), glibc floor, ISA level and RPATH
leaks, per ELF/Mach-O/PE file -> findings.

``binary_findings(root, {"elf": ["bin/tool"], "macho": [], "pe": []}, ctx)`` ->
``({"bin/tool": BinaryInfo(...)}, [Finding("error", "glibc-floor", "bin/tool", ...)])``.
``checks.check`` imports this only when the package has binaries: a noarch package without
any skips the ELF reader and the disassembler look-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .allowlist import is_system_library, library_key, provided_names
from .binary import BinaryInfo, read_binary
from .isa import IsaCounts, allowed_level, disassemble, disassembler
from .marker import marker_finding
from .model import AbiCheckError, CheckContext, Finding, finding, severity_of, spec_name
from .symbols import above_floor, version_tuple

if TYPE_CHECKING:
    from ..relocate.model import BinaryFormat


def binary_findings(
    root: Path, kinds: Mapping[BinaryFormat, Sequence[str]], ctx: CheckContext
) -> tuple[dict[str, BinaryInfo], list[Finding | None]]:
    """Each binary's facts, and the findings of the per-binary and prefix-string checks."""
    binaries = {path: read_binary(root / path) for paths in kinds.values() for path in paths}
    found: list[Finding | None] = []
    for path, info in sorted(binaries.items()):
        found += _overlinking(path, info, ctx)
        found.append(_glibc_floor(path, info, ctx))
        found += _isa_level(root, path, info, ctx)
        found.append(_rpath_leak(path, info, ctx))
    return binaries, found


def _overlinking(path: str, info: BinaryInfo, ctx: CheckContext) -> list[Finding | None]:
    own = provided_names(ctx.package_files, ctx.subdir)
    run = {spec_name(s) for s in ctx.run_depends}
    found: list[Finding | None] = []
    for needed in info.needed:
        key = library_key(needed, ctx.subdir)
        if key in own or is_system_library(needed, ctx.subdir):
            continue
        owners = sorted(n for n, fs in ctx.dependency_files.items()
                        if key in provided_names(fs, ctx.subdir))  # fmt: skip
        if any(o in run for o in owners):
            continue
        found.append(_overlinking_finding(path, needed, owners, ctx))
    return found


def _overlinking_finding(path: str, needed: str, owners: list[str], ctx: CheckContext
                         ) -> Finding | None:  # fmt: skip
    if owners:
        hint = f"add {owners[0]} to the run requirements (or a host dependency with run_exports)"
        where = f"provided by {', '.join(owners)}, which is not a run dependency"
    else:
        hint = "add the package that provides it to host (with run_exports) or link it statically"
        where = "not provided by the package, its dependencies, or the base plate"
    return finding(ctx.severities, "overlinking", path, f"links {needed}: {where}", hint)


def _glibc_floor(path: str, info: BinaryInfo, ctx: CheckContext) -> Finding | None:
    if info.format != "elf" or not ctx.subdir.startswith("linux"):
        return None
    families = ["GLIBC"]
    if not _libstdcxx_from_dependency(ctx):
        families += ["GLIBCXX", "CXXABI"]
    newer = above_floor(info.imports, ctx.glibc_floor, families)
    if not newer:
        return None
    versions = list(dict.fromkeys(v for _, v in newer))  # newest first
    symbols = ", ".join(f"{s}@{v}" for s, v in newer[:8])
    return finding(
        ctx.severities,
        "glibc-floor",
        path,
        f"needs {', '.join(versions)} (above the glibc {ctx.glibc_floor} floor): {symbols}",
        _glibc_hint(versions, ctx.glibc_floor),
    )


def _glibc_hint(versions: list[str], floor: str) -> str:
    """What to change: raise the floor to the glibc the binary needs (the package then requires
    ``__glibc >=X``), or build against the lower floor with zig; C++ runtime symbols come from
    the compiler's libstdc++, which the floor does not move."""
    glibc = [v.partition("_")[2] for v in versions if v.startswith("GLIBC_")]
    if not glibc:
        return ("the compiler's libstdc++ is newer than the floor allows: build with the base "
                "plate's zig (c_compiler: zig, which uses libc++) or ship that libstdc++ as a "
                "run dependency")  # fmt: skip
    newest = max(glibc, key=version_tuple)
    return (
        f"set c_stdlib_version: '{newest}' in a variant file (the package then requires "
        f"__glibc >={newest}; the build machine's gcc/clang link against its own glibc), or "
        f"build with the base plate's zig (c_compiler: zig), which links against glibc {floor}"
    )


def _libstdcxx_from_dependency(ctx: CheckContext) -> bool:
    # A libstdc++ shipped by the package or a run dependency sets its own GLIBCXX floor.
    if "libstdc++.so.6" in provided_names(ctx.package_files, ctx.subdir):
        return True
    run = {spec_name(s) for s in ctx.run_depends}
    return any("libstdc++.so.6" in provided_names(fs, ctx.subdir)
               for name, fs in ctx.dependency_files.items() if name in run)  # fmt: skip


def _isa_level(root: Path, path: str, info: BinaryInfo, ctx: CheckContext
               ) -> list[Finding | None]:  # fmt: skip
    """The isa-level and microarch-marker findings (one disassembly serves both)."""
    if info.arch not in ("x86_64", "amd64", "i386") or info.format == "macho":
        return []
    limit = allowed_level(path, ctx.microarch_level)
    tool = disassembler()
    if tool is None:
        raise AbiCheckError(
            "objdump or llvm-objdump is needed for the ISA-level check",
            hint="install binutils, or set abi_check: {isa-level: ignore} in the recipe",
        )
    counts = disassemble(root / path, tool)
    note = info.isa_needed or 0
    if max(counts.level, note) <= limit:
        return [marker_finding(path, counts, note, info.dispatch, ctx)]
    # Above the variant's level: the isa-level finding says it all (one finding per file).
    return [_isa_finding(path, counts, note, limit, info, ctx)]


def _isa_finding(path: str, counts: IsaCounts, note: int, limit: int, info: BinaryInfo,
                 ctx: CheckContext) -> Finding | None:  # fmt: skip
    detail = f"{counts.avx512} AVX-512 and {counts.avx2} AVX/AVX2 instructions"
    if note > limit:
        detail += f", ISA-needed note x86-64-v{note}"
    evidence = list(info.dispatch) + (["cpuid"] if counts.cpuid else [])
    message = f"needs x86-64-v{max(counts.level, note)} ({detail}) but the variant allows v{limit}"
    march = "x86-64" + (f"-v{limit}" if limit > 1 else "")
    hint = f"compile for the variant's level (-march={march}), or add a microarch_level variant"
    level = severity_of("isa-level", ctx.severities)
    if level == "ignore":
        return None
    if evidence and counts.level > limit and note <= limit:
        # Code that checks the CPU first may only run the wide path where it is supported.
        message += f"; runtime dispatch found ({', '.join(evidence[:4])})"
        level = "warning" if level == "error" else level
    return Finding(level, "isa-level", path, message, hint)


def _rpath_leak(path: str, info: BinaryInfo, ctx: CheckContext) -> Finding | None:
    bad = [e for e in info.rpath + info.runpath if any(s in e for s in ctx.leak_strings)]
    if not bad:
        return None
    return finding(
        ctx.severities,
        "leak",
        path,
        f"RPATH/RUNPATH names the build machine: {':'.join(bad)}",
        "let cfl relocate the binary ($ORIGIN-relative), or drop -Wl,-rpath from the build",
    )
