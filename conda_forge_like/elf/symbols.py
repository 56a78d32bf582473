"""An ELF file's symbols and their versions (``.dynsym`` with ``.gnu.version``, ``.gnu.version_r``
and ``.gnu.version_d``; ``.symtab``).

``dynamic_symbols(elf)[1]`` -> ``Symbol("memcpy", 0, 0, STB_GLOBAL, STT_FUNC, 0, "GLIBC_2.14")``;
``Symbol.imported`` / ``Symbol.exported`` say what a library asks for and what it offers.
"""

from __future__ import annotations

from typing import NamedTuple

from .reader import ElfFile

SHT_SYMTAB, SHT_DYNSYM = 2, 11
SHT_GNU_VERDEF, SHT_GNU_VERNEED, SHT_GNU_VERSYM = 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
DT_HASH, DT_SYMTAB, DT_GNU_HASH = 4, 6, 0x6FFFFEF5
DT_VERSYM, DT_VERDEF, DT_VERDEFNUM = 0x6FFFFFF0, 0x6FFFFFFC, 0x6FFFFFFD
DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFE, 0x6FFFFFFF
STB_GLOBAL, STB_WEAK = 1, 2
STT_OBJECT, STT_FUNC, STT_GNU_IFUNC = 1, 2, 10
_LINKABLE_BINDINGS = frozenset({STB_GLOBAL, STB_WEAK})
_LINKABLE_TYPES = frozenset({STT_OBJECT, STT_FUNC, STT_GNU_IFUNC})
_VERSYM_HIDDEN = 0x8000


class Symbol(NamedTuple):
    """One symbol table entry; ``version`` is its version name (None: local or unversioned)."""

    name: str
    value: int
    size: int
    bind: int
    type: int
    shndx: int
    version: str | None = None

    @property
    def imported(self) -> bool:
        """An undefined function or object the dynamic linker must find elsewhere."""
        return (self.shndx == 0 and self.value == 0 and bool(self.name)
                and self.bind in _LINKABLE_BINDINGS and self.type in _LINKABLE_TYPES)  # fmt: skip

    @property
    def exported(self) -> bool:
        """A defined function or object other files can link against (STB_GNU_UNIQUE ones left
        out, as lief, which the exported-symbol diffs of earlier builds were made with, does)."""
        return (self.shndx != 0 and (self.value != 0 or self.size > 0)
                and self.bind in _LINKABLE_BINDINGS and self.type in _LINKABLE_TYPES)  # fmt: skip


def dynamic_symbols(elf: ElfFile) -> tuple[Symbol, ...]:
    """``.dynsym`` (or what DT_SYMTAB points at), each symbol with its version."""
    where = _dynsym_table(elf)
    if where is None:
        return ()
    offset, count, strtab = where
    versions = _version_names(elf)
    indexes = _versym(elf, count) if versions else ()
    symbols = _read_symbols(elf, offset, count, strtab)
    if not indexes:
        return symbols
    return (
        tuple(
            s._replace(version=versions.get(i & ~_VERSYM_HIDDEN)) if i > 1 else s
            for s, i in zip(symbols, indexes, strict=False)
        )
        + symbols[len(indexes) :]
    )


def static_symbols(elf: ElfFile) -> tuple[Symbol, ...]:
    """``.symtab`` (empty in a stripped file)."""
    table = elf.section_of_type(SHT_SYMTAB)
    if table is None or not table.entsize or table.link >= len(elf.sections):
        return ()
    strtab = elf.sections[table.link].offset
    return _read_symbols(elf, table.offset, table.size // table.entsize, strtab)


def _entry_size(elf: ElfFile) -> int:
    return 24 if elf.bits == 64 else 16


def _read_symbols(elf: ElfFile, offset: int, count: int, strtab: int) -> tuple[Symbol, ...]:
    size = _entry_size(elf)
    found = []
    if elf.bits == 64:
        for name, info, _, shndx, value, sym_size in elf.table("IBBHQQ", offset, count * size):
            found.append(Symbol(elf.string(strtab + name) if name else "", value, sym_size,
                                info >> 4, info & 0xF, shndx))  # fmt: skip
    else:
        for name, value, sym_size, info, _, shndx in elf.table("IIIBBH", offset, count * size):
            found.append(Symbol(elf.string(strtab + name) if name else "", value, sym_size,
                                info >> 4, info & 0xF, shndx))  # fmt: skip
    return tuple(found)


def _dynsym_table(elf: ElfFile) -> tuple[int, int, int] | None:
    """File offset, entry count and string table offset of the dynamic symbols."""
    section = elf.section_of_type(SHT_DYNSYM)
    if section is not None and section.link < len(elf.sections) and section.entsize:
        strtab = elf.sections[section.link].offset
        return section.offset, section.size // section.entsize, strtab
    address = elf.dynamic_value(DT_SYMTAB)
    offset = elf.file_offset(address) if address is not None else None
    strtab_table = elf.dynamic_string_table
    if offset is None or strtab_table is None:
        return None
    return offset, _symbol_count(elf), strtab_table[0]


def _symbol_count(elf: ElfFile) -> int:
    """How many dynamic symbols there are, from the hash tables (no section headers)."""
    address = elf.dynamic_value(DT_HASH)
    offset = elf.file_offset(address) if address is not None else None
    if offset is not None:
        return elf.unpack("II", offset)[1]  # nchain
    address = elf.dynamic_value(DT_GNU_HASH)
    offset = elf.file_offset(address) if address is not None else None
    return _gnu_hash_count(elf, offset) if offset is not None else 0


def _gnu_hash_count(elf: ElfFile, offset: int) -> int:
    nbuckets, symoffset, bloom_size, _ = elf.unpack("IIII", offset)
    buckets = offset + 16 + bloom_size * (elf.bits // 8)
    last = max((elf.unpack("I", buckets + 4 * i)[0] for i in range(nbuckets)), default=0)
    if last < symoffset:
        return symoffset
    chains = buckets + 4 * nbuckets
    while not elf.unpack("I", chains + 4 * (last - symoffset))[0] & 1:
        last += 1
    return last + 1


def _versym(elf: ElfFile, count: int) -> tuple[int, ...]:
    offset = _table_offset(elf, SHT_GNU_VERSYM, DT_VERSYM)
    if offset is None:
        return ()
    size = min(count * 2, len(elf.data) - offset)
    return tuple(v for (v,) in elf.table("H", offset, size))


def _table_offset(elf: ElfFile, kind: int, tag: int) -> int | None:
    section = elf.section_of_type(kind)
    if section is not None:
        return section.offset
    address = elf.dynamic_value(tag)
    return elf.file_offset(address) if address is not None else None


def _version_names(elf: ElfFile) -> dict[int, str]:
    """Version index -> name, from the version definitions and the needed versions."""
    names = _verdef(elf)
    names.update(_verneed(elf))
    return names


def _string_base(elf: ElfFile, kind: int) -> int | None:
    """File offset of the string table a version section names (else the dynamic one)."""
    section = elf.section_of_type(kind)
    if section is not None and section.link < len(elf.sections):
        return elf.sections[section.link].offset
    table = elf.dynamic_string_table
    return table[0] if table is not None else None


def _verdef(elf: ElfFile) -> dict[int, str]:
    offset = _table_offset(elf, SHT_GNU_VERDEF, DT_VERDEF)
    strtab = _string_base(elf, SHT_GNU_VERDEF)
    if offset is None or strtab is None:
        return {}
    names: dict[int, str] = {}
    for _ in range(elf.dynamic_value(DT_VERDEFNUM) or _section_info(elf, SHT_GNU_VERDEF)):
        _, _, index, aux_count, _, aux, following = elf.unpack("HHHHIII", offset)
        if aux_count:
            names[index] = elf.string(strtab + elf.unpack("I", offset + aux)[0])
        if not following:
            break
        offset += following
    return names


def _verneed(elf: ElfFile) -> dict[int, str]:
    offset = _table_offset(elf, SHT_GNU_VERNEED, DT_VERNEED)
    strtab = _string_base(elf, SHT_GNU_VERNEED)
    if offset is None or strtab is None:
        return {}
    names: dict[int, str] = {}
    for _ in range(elf.dynamic_value(DT_VERNEEDNUM) or _section_info(elf, SHT_GNU_VERNEED)):
        _, aux_count, _, aux, following = elf.unpack("HHIII", offset)
        entry = offset + aux
        for _ in range(aux_count):
            _, _, index, name, next_aux = elf.unpack("IHHII", entry)
            names[index] = elf.string(strtab + name)
            if not next_aux:
                break
            entry += next_aux
        if not following:
            break
        offset += following
    return names


def _section_info(elf: ElfFile, kind: int) -> int:
    """sh_info of a version section: its number of entries."""
    section = elf.section_of_type(kind)
    return section.info if section is not None else 0
