"""An ELF file's dynamic relocations: DT_RELA, DT_REL and DT_RELR (the PLT's DT_JMPREL apart).

``dynamic_relocations(elf)[0]`` -> ``Relocation(0x3df0, R_X86_64_RELATIVE, 0, 0x1130, "rela")``;
``is_relative(elf, reloc)`` tells the load-address-relative kinds apart from symbol ones.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from .reader import ElfFile

DT_RELA, DT_RELASZ, DT_REL, DT_RELSZ, DT_RELRSZ, DT_RELR = 7, 8, 17, 18, 35, 36
Encoding = Literal["rela", "rel", "relr"]
# R_*_RELATIVE and R_*_IRELATIVE per e_machine, from each architecture's psABI (the kinds
# whose result is load address + addend; RELR entries are RELATIVE ones).
_RELATIVE_TYPES: dict[int, frozenset[int]] = {
    62: frozenset({8, 37}),  # x86_64
    3: frozenset({8, 42}),  # i386
    183: frozenset({1027, 1032}),  # aarch64
    40: frozenset({23, 160}),  # arm
    21: frozenset({22}),  # ppc64
    20: frozenset({22}),  # ppc
    243: frozenset({3, 58}),  # riscv
    22: frozenset({12, 61}),  # s390
    258: frozenset({3, 12}),  # loongarch
    2: frozenset({22}), 18: frozenset({22}), 43: frozenset({22}),  # sparc
    42: frozenset({165}),  # sh
    164: frozenset({35}),  # hexagon
}  # fmt: skip
_RELR_TYPE = -1  # RELR entries carry no type; ``is_relative`` treats them as RELATIVE


class Relocation(NamedTuple):
    """One dynamic relocation: where it writes, its kind, symbol index and explicit addend."""

    offset: int  # r_offset: the virtual address written
    type: int
    symbol: int  # index into the dynamic symbols (0: none)
    addend: int  # RELA's r_addend; 0 for REL and RELR (their addend is the word in place)
    encoding: Encoding


def is_relative(elf: ElfFile, reloc: Relocation) -> bool:
    """Whether ``reloc`` stores load address + addend (RELATIVE, IRELATIVE, every RELR)."""
    if reloc.encoding == "relr":
        return True
    return reloc.type in _RELATIVE_TYPES.get(elf.header.machine, frozenset())


def dynamic_relocations(elf: ElfFile) -> tuple[Relocation, ...]:
    """The relocations of DT_RELA, DT_REL and DT_RELR, in that order."""
    return (
        _explicit(elf, DT_RELA, DT_RELASZ, "rela")
        + _explicit(elf, DT_REL, DT_RELSZ, "rel")
        + _relr(elf)
    )


def _table(elf: ElfFile, tag: int, size_tag: int) -> tuple[int, int] | None:
    address, size = elf.dynamic_value(tag), elf.dynamic_value(size_tag)
    offset = elf.file_offset(address) if address is not None else None
    if offset is None or not size:
        return None
    return offset, min(size, len(elf.data) - offset)


def _explicit(elf: ElfFile, tag: int, size_tag: int, encoding: Encoding
              ) -> tuple[Relocation, ...]:  # fmt: skip
    where = _table(elf, tag, size_tag)
    if where is None:
        return ()
    wide = elf.bits == 64
    fmt = ("QQq" if wide else "IIi") if encoding == "rela" else ("QQ" if wide else "II")
    shift, mask = (32, 0xFFFFFFFF) if wide else (8, 0xFF)
    return tuple(
        Relocation(r[0], r[1] & mask, r[1] >> shift, r[2] if encoding == "rela" else 0, encoding)
        for r in elf.table(fmt, *where)
    )


def _relr(elf: ElfFile) -> tuple[Relocation, ...]:
    """DT_RELR: an address entry, then bitmaps of the words that follow it."""
    where = _table(elf, DT_RELR, DT_RELRSZ)
    if where is None:
        return ()
    word = elf.bits // 8
    found: list[Relocation] = []
    following = 0
    for (entry,) in elf.table("Q" if word == 8 else "I", *where):
        if not entry & 1:
            found.append(Relocation(entry, _RELR_TYPE, 0, 0, "relr"))
            following = entry + word
            continue
        bitmap, bit = entry >> 1, 0
        while bitmap:
            if bitmap & 1:
                found.append(Relocation(following + bit * word, _RELR_TYPE, 0, 0, "relr"))
            bitmap, bit = bitmap >> 1, bit + 1
        following += (elf.bits - 1) * word
    return tuple(found)
