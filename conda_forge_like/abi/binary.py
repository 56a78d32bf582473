"""Reading what the checks need from one executable file (the only module that imports lief).

``read_binary(Path("lib/libz.so.1"))`` -> ``BinaryInfo(format="elf", arch="x86_64",
needed=("libc.so.6",), soname="libz.so.1", imports=(("memcpy", "GLIBC_2.14"), ...), ...)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """Parse ``path`` with lief; an unparseable file is an ``AbiCheckError`` naming it."""
    import lief  # imported late: loading lief costs ~0.1 s that packages without binaries skip

    with lief.logging.level_scope(lief.logging.LEVEL.OFF):
        binary = lief.parse(str(path))
    if binary is None:
        raise AbiCheckError(f"cannot parse {path} as ELF, Mach-O or PE")
    if isinstance(binary, lief.ELF.Binary):
        return _elf(binary, lief)
    if isinstance(binary, lief.MachO.Binary):
        return _macho(binary)
    return _pe(binary)


def _elf(binary: Any, lief: Any) -> BinaryInfo:
    tag = lief.ELF.DynamicEntry.TAG
    symbols = list(binary.dynamic_symbols)
    soname = binary.get(tag.SONAME)
    return BinaryInfo(
        format="elf",
        arch=str(binary.header.machine_type).rsplit(".", 1)[-1].lower(),
        needed=tuple(binary.libraries),
        rpath=_split(binary.get(tag.RPATH), "rpath"),
        runpath=_split(binary.get(tag.RUNPATH), "runpath"),
        soname=soname.name if soname is not None else None,
        imports=tuple(sorted({(s.name, v) for s in symbols if s.imported and (v := _version(s))})),
        exports=frozenset(_versioned(s) for s in symbols if s.exported),
        isa_needed=_isa_needed(binary),
        dispatch=_dispatch(binary, lief),
    )


def _split(entry: Any, attribute: str) -> tuple[str, ...]:
    text = getattr(entry, attribute, "") if entry is not None else ""
    return tuple(p for p in text.split(":") if p) if text else ()


def _version(symbol: Any) -> str | None:
    version = symbol.symbol_version
    aux = version.symbol_version_auxiliary if version is not None else None
    return aux.name if aux is not None else None


def _versioned(symbol: Any) -> str:
    version = _version(symbol)
    return f"{symbol.name}@{version}" if version else str(symbol.name)


def _dispatch(binary: Any, lief: Any) -> tuple[str, ...]:
    names = {s.name for s in binary.symbols if s.name in DISPATCH_SYMBOLS}
    ifunc = lief.ELF.Symbol.TYPE.GNU_IFUNC
    names |= {f"ifunc:{s.name}" for s in binary.symbols if s.type == ifunc and s.name}
    return tuple(sorted(names))


def _isa_needed(binary: Any) -> int | None:
    section = binary.get_section(".note.gnu.property")
    return parse_isa_note(bytes(section.content)) if section is not None else None


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


def _macho(binary: Any) -> BinaryInfo:
    rpaths = tuple(c.path for c in binary.rpaths) if hasattr(binary, "rpaths") else ()
    exports = frozenset(s.name for s in binary.exported_symbols)
    own = _macho_id(binary)
    return BinaryInfo(
        format="macho",
        arch=str(binary.header.cpu_type).rsplit(".", 1)[-1].lower(),
        # lief lists the dylib's own LC_ID_DYLIB among its libraries.
        needed=tuple(lib.name for lib in binary.libraries if lib.name != own),
        rpath=rpaths,
        soname=own,
        exports=exports,
    )


def _macho_id(binary: Any) -> str | None:
    """The install name (``LC_ID_DYLIB``) of a dylib; None for executables."""
    import lief

    command = binary.get(lief.MachO.LoadCommand.TYPE.ID_DYLIB)
    return str(command.name) if command is not None else None


def _pe(binary: Any) -> BinaryInfo:
    return BinaryInfo(
        format="pe",
        arch=str(binary.header.machine).rsplit(".", 1)[-1].lower(),
        needed=tuple(imp.name for imp in binary.imports),
        exports=frozenset(e.name for e in binary.get_export().entries if e.name)
        if binary.has_exports
        else frozenset(),
    )


@dataclass(frozen=True)
class Layout:
    """Where an ELF file's bytes are loaded, and what its relocations point at."""

    segments: tuple[Segment, ...]
    relocation_targets: frozenset[int]  # virtual addresses dynamic relocations produce
    position_dependent: bool  # ET_EXEC: data holds absolute addresses with no relocation
    pointer_size: int  # 8 for ELF64, 4 for ELF32


def read_layout(path: Path) -> Layout | None:
    """The load segments and relocation targets of an ELF file; None for other formats."""
    import lief

    with lief.logging.level_scope(lief.logging.LEVEL.OFF):
        binary = lief.ELF.parse(str(path))
    if binary is None:
        return None
    load = lief.ELF.Segment.TYPE.LOAD
    size = 8 if binary.header.identity_class == lief.ELF.Header.CLASS.ELF64 else 4
    segments = tuple(
        Segment(s.file_offset, s.virtual_address, s.physical_size)
        for s in binary.segments
        if s.type == load and s.physical_size
    )
    return Layout(
        segments=segments,
        relocation_targets=frozenset(_relocation_targets(binary, lief, size)),
        position_dependent=binary.header.file_type == lief.ELF.Header.FILE_TYPE.EXEC,
        pointer_size=size,
    )


def _relocation_targets(binary: Any, lief: Any, size: int) -> set[int]:
    """``R_*_RELATIVE`` results (addend, or the stored word for REL/RELR) and ``symbol +
    addend`` of symbol relocations against defined symbols."""
    rela = lief.ELF.Relocation.ENCODING.RELA
    found: set[int] = set()
    for reloc in binary.dynamic_relocations:
        if str(reloc.type).endswith("RELATIVE"):
            implicit = reloc.encoding != rela  # REL and RELR keep the addend in the place
            found.add(_word(binary, reloc.address, size) if implicit else reloc.addend)
        elif reloc.has_symbol and reloc.symbol.value:
            found.add(reloc.symbol.value + reloc.addend)
    return found


def _word(binary: Any, address: int, size: int) -> int:
    content = bytes(binary.get_content_from_virtual_address(address, size))
    return int.from_bytes(content, "little") if len(content) == size else 0
