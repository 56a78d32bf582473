"""The prefix-string checks over a package's binaries (file bytes, ELF layout, objdump -> findings).

``prefix_findings(root, {"elf": ["bin/tool"], "macho": [], "pe": []}, ctx)`` ->
``[Finding("error", "merged-string-tail", "bin/tool", "2 reference(s) point into ...", ...)]``
when ``ctx.prefix`` is set. What counts as a hazard is decided by ``prefix_strings`` (pure);
this module gathers the references: relocation targets (``binary.read_layout``, from ``..elf``), the
code's RIP-relative targets (objdump) and, in position-dependent executables, plain pointers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..relocate import BinaryFormat
from .binary import Layout, read_layout
from .isa import disassembler, read_disassembly
from .model import AbiCheckError, CheckContext, Finding, finding
from .prefix_strings import (
    Hazard,
    absolute_pointers,
    code_targets,
    hazards,
    stretches,
    vaddr_range,
)

_MERGED_HINT = (
    "build without string merging: compile with the base plate's $CC/$CXX (its wrappers pass "
    "gcc -fno-merge-constants, clang/zig -fwritable-strings; a compiler named by absolute path "
    "or a later -fmerge-constants bypasses them), or hold the path in a named array "
    '(static const char dir[] = PREFIX "/share/x";), which the linker never merges'
)
_UNTERMINATED_HINT = (
    "find the path at run time instead (relative to the executable: /proc/self/exe, "
    "std::env::current_exe, os.Executable; or from CONDA_PREFIX): Rust and Go keep strings "
    "without a NUL, so a client cannot rewrite them safely"
)


def prefix_findings(
    root: Path, kinds: Mapping[BinaryFormat, Sequence[str]], ctx: CheckContext
) -> list[Finding | None]:
    """One finding per file and hazard kind for the binaries among ``kinds`` holding the prefix."""
    if not ctx.prefix:
        return []
    needle = os.fsencode(ctx.prefix)
    found: list[Finding | None] = []
    for kind, paths in sorted(kinds.items()):
        for path in sorted(paths):
            data = _read(root / path)
            if needle in data:
                found += _file_findings(root / path, path, kind, data, needle, ctx)
    return found


def _file_findings(
    full: Path, path: str, kind: str, data: bytes, needle: bytes, ctx: CheckContext
) -> list[Finding | None]:
    layout = read_layout(full) if kind == "elf" else None
    segments = layout.segments if layout is not None else ()
    references = _references(full, data, needle, layout) if layout is not None else set()
    found = hazards(data, needle, segments, references)
    return [_finding(path, code, [h for h in found if h.code == code], ctx)
            for code in ("merged-string-tail", "prefix-not-terminated")
            if any(h.code == code for h in found)]  # fmt: skip


def _references(full: Path, data: bytes, needle: bytes, layout: Layout) -> set[int]:
    """Addresses pointed at, gathered only when a loaded prefix string could be hit."""
    spans = [vaddr_range(s, layout.segments) for s in stretches(data, needle) if s.terminated]
    loaded = [s for s in spans if s is not None]
    if not loaded:
        return set()
    found = set(layout.relocation_targets)
    tool = disassembler()
    if tool is not None and _x86_64(data):
        found |= _code_targets(full, tool)
    if layout.position_dependent and layout.pointer_size == 8:
        for low, high in loaded:
            found |= absolute_pointers(data, layout.segments, low, high)
    return found


def _x86_64(data: bytes) -> bool:
    """Whether the code is x86-64, whose RIP-relative ``lea`` targets ``code_targets`` reads
    (an aarch64 ``adrp``/``add`` pair is not read: there only relocations and pointers count,
    and a host objdump cannot disassemble it at all)."""
    if data[:4] == b"\x7fELF":
        return int.from_bytes(data[18:20], "big" if data[5] == 2 else "little") == 62
    if data[:4] == b"\xcf\xfa\xed\xfe":  # 64-bit Mach-O, little-endian
        return int.from_bytes(data[4:8], "little") == 0x01000007
    return False


def _code_targets(path: Path, tool: str) -> set[int]:
    return read_disassembly(path, tool, code_targets)


def _finding(path: str, code: str, found: list[Hazard], ctx: CheckContext) -> Finding | None:
    first = found[0]
    where = f"{first.text!r} at offset {first.offset:#x}"
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    if code == "merged-string-tail":
        targets = ", ".join(f"{t:#x}" for t in first.references[:4])
        message = (
            f"{len(first.references)} reference(s) ({targets}) point into the middle of the "
            f"prefix string {where}{more}: a string merged into its tail reads garbage once a "
            "conda client rewrites the prefix at install time"
        )
        return finding(ctx.severities, code, path, message, _MERGED_HINT)
    message = (
        f"the prefix in {where}{more} is not a NUL-terminated C string: a conda client would "
        "rewrite the data after it up to the next NUL, or leave it unreplaced"
    )
    return finding(ctx.severities, code, path, message, _UNTERMINATED_HINT)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AbiCheckError(f"cannot read {path}: {exc.strerror}") from exc
