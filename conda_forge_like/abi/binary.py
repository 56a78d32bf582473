"""Reading what the checks need from one executable file (ELF with ``..elf``; Mach-O and PE
with lief, in ``lief_binary``, imported only when such a file is met).

``read_binary(Path("lib/libz.so.1"))`` -> ``BinaryInfo(format="elf", arch="x86_64",
needed=("libc.so.6",), soname="libz.so.1", imports=(("memcpy", "GLIBC_2.14"), ...), ...)``.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Literal

from ..elf import (
    DT_RPATH,
    DT_RUNPATH,
    ET_EXEC,
    MACHINES,
    PT_LOAD,
    STT_GNU_IFUNC,
    ElfError,
    ElfFile,
    Symbol,
    dynamic_relocations,
    dynamic_symbols,
    is_relative,
    static_symbols,
)
from ..records import dataclass
from .model import AbiCheckError
from .prefix_strings import Segment

# Symbols that show the code asks the CPU what it supports before taking a vector path.
DISPATCH_SYMBOLS = frozenset(
    {"__cpu_model", "__cpu_features2", "__cpu_indicator_init", "__get_cpuid", "__get_cpuid_max",
     "__builtin_cpu_supports", "__builtin_cpu_init", "getauxval", "__x86_get_cpuid_feature_leaf"}
)  # fmt: skip
_NT_GNU_PROPERTY_TYPE_0 = 5
_X86_ISA_1_NEEDED = (0xC0008002, 0xC0000002)  # current and pre-binutils-2.36 property types


@dataclass(frozen=True)
class BinaryInfo:
    """Linkage and symbol facts of one ELF, Mach-O or PE file."""

    format: str  # "elf" | "macho" | "pe"
    arch: str
    needed: tuple[str, ...]  # DT_NEEDED / LC_LOAD_DYLIB / imported DLLs
    rpath: tuple[str, ...] = ()
    runpath: tuple[str, ...] = ()
    soname: str | None = None
    imports: tuple[tuple[str, str], ...] = ()  # (symbol, version) of versioned imports
    exports: frozenset[str] = frozenset()  # "name@VERSION" or "name"
    isa_needed: int | None = None  # level from the GNU x86 ISA-needed property note
    dispatch: tuple[str, ...] = ()  # runtime CPU dispatch evidence (symbols, IFUNCs)


def read_binary(path: Path) -> BinaryInfo:
    """Parse ``path``; an unparseable file is an ``AbiCheckError`` naming it.

    ELF files are read by cfl's own reader; Mach-O and PE ones with lief, imported only then.
    """
    if not _is_elf(path):
        from .lief_binary import read_foreign

        return read_foreign(path)
    try:
        with ElfFile.open(path) as elf:
            return _elf(elf)
    except OSError as exc:
        raise AbiCheckError(f"cannot read {path}: {exc.strerror}") from exc
    except ElfError as exc:
        raise AbiCheckError(f"cannot parse {path} as ELF: {exc.message}") from exc


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError as exc:
        raise AbiCheckError(f"cannot read {path}: {exc.strerror}") from exc


def _elf(elf: ElfFile) -> BinaryInfo:
    symbols = dynamic_symbols(elf)
    return BinaryInfo(
        format="elf",
        arch=MACHINES.get(elf.header.machine, f"machine-{elf.header.machine}"),
        needed=elf.needed(),
        rpath=_split(elf, DT_RPATH),
        runpath=_split(elf, DT_RUNPATH),
        soname=elf.soname(),
        imports=tuple(sorted({(s.name, s.version) for s in symbols if s.imported and s.version})),
        exports=frozenset(_versioned(s) for s in symbols if s.exported),
        isa_needed=_isa_needed(elf),
        dispatch=_dispatch(symbols + static_symbols(elf)),
    )


def _versioned(symbol: Symbol) -> str:
    return f"{symbol.name}@{symbol.version}" if symbol.version else symbol.name


def _split(elf: ElfFile, tag: int) -> tuple[str, ...]:
    value = elf.dynamic_value(tag)
    text = elf.dynamic_string(value) if value is not None else ""
    return tuple(p for p in text.split(":") if p)


def _dispatch(symbols: tuple[Symbol, ...]) -> tuple[str, ...]:
    names = {s.name for s in symbols if s.name in DISPATCH_SYMBOLS}
    names |= {f"ifunc:{s.name}" for s in symbols if s.type == STT_GNU_IFUNC and s.name}
    return tuple(sorted(names))


def _isa_needed(elf: ElfFile) -> int | None:
    section = elf.section(".note.gnu.property")
    return parse_isa_note(elf.section_data(section)) if section is not None else None


def parse_isa_note(data: bytes) -> int | None:
    """The x86-64 level in a ``.note.gnu.property`` section (64-bit, little endian), if any.

    The ISA_1_NEEDED bits are 1 = baseline, 2 = v2, 4 = v3, 8 = v4; the highest set wins.
    """
    offset = 0
    while offset + 12 <= len(data):
        namesz, descsz, kind = struct.unpack_from("<III", data, offset)
        desc = offset + 12 + _align(namesz, 4)
        if kind == _NT_GNU_PROPERTY_TYPE_0:
            level = _isa_property(data[desc : desc + descsz])
            if level is not None:
                return level
        offset = desc + _align(descsz, 4)
    return None


def _isa_property(desc: bytes) -> int | None:
    offset = 0
    while offset + 8 <= len(desc):
        kind, size = struct.unpack_from("<II", desc, offset)
        if kind in _X86_ISA_1_NEEDED and size >= 4:
            bits = struct.unpack_from("<I", desc, offset + 8)[0]
            return bits.bit_length() or None
        offset += 8 + _align(size, 8)
    return None


def _align(value: int, to: int) -> int:
    return (value + to - 1) // to * to


@dataclass(frozen=True)
class Layout:
    """Where an ELF file's bytes are loaded, and what its relocations point at."""

    segments: tuple[Segment, ...]
    relocation_targets: frozenset[int]  # virtual addresses dynamic relocations produce
    position_dependent: bool  # ET_EXEC: data holds absolute addresses with no relocation
    pointer_size: int  # 8 for ELF64, 4 for ELF32


def read_layout(path: Path) -> Layout | None:
    """The load segments and relocation targets of an ELF file; None for other formats."""
    try:
        with ElfFile.open(path) as elf:
            return _layout(elf)
    except OSError as exc:
        raise AbiCheckError(f"cannot read {path}: {exc.strerror}") from exc
    except ElfError:
        return None


def _layout(elf: ElfFile) -> Layout:
    size = elf.bits // 8
    segments = tuple(
        Segment(s.offset, s.vaddr, s.filesz) for s in elf.segments if s.type == PT_LOAD and s.filesz
    )
    return Layout(
        segments=segments,
        relocation_targets=frozenset(_relocation_targets(elf, size)),
        position_dependent=elf.header.file_type == ET_EXEC,
        pointer_size=size,
    )


def _relocation_targets(elf: ElfFile, size: int) -> set[int]:
    """``R_*_RELATIVE`` results (addend, or the stored word for REL/RELR) and ``symbol +
    addend`` of symbol relocations against defined symbols."""
    symbols = dynamic_symbols(elf)
    found: set[int] = set()
    for reloc in dynamic_relocations(elf):
        if is_relative(elf, reloc):
            implicit = reloc.encoding != "rela"  # REL and RELR keep the addend in the place
            found.add(_word(elf, reloc.offset, size) if implicit else reloc.addend)
        elif 0 < reloc.symbol < len(symbols) and symbols[reloc.symbol].value:
            found.add(symbols[reloc.symbol].value + reloc.addend)
    return found


def _word(elf: ElfFile, address: int, size: int) -> int:
    content = elf.read_address(address, size)
    order: Literal["little", "big"] = "little" if elf.header.little else "big"
    return int.from_bytes(content, order) if len(content) == size else 0
