"""An ELF file's headers, sections, segments and dynamic section (pure Python over ``mmap``).

``with ElfFile.open(Path("lib/libz.so.1")) as elf: elf.needed()`` -> ``("libc.so.6",)``.
ELF32 and ELF64, either byte order. cfl reads ELF with this instead of lief, whose import alone
costs 0.7 s in every process that meets a binary.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from ..errors import CflError

PT_LOAD, PT_DYNAMIC = 1, 2
SHT_DYNAMIC, SHT_NOBITS = 6, 8
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_SONAME, DT_RPATH = 0, 1, 5, 10, 14, 15
DT_RUNPATH, DT_FLAGS, DT_FLAGS_1 = 29, 30, 0x6FFFFFFB
ET_EXEC = 2
_SHN_XINDEX = 0xFFFF
# e_machine values, named as lief names them (``BinaryInfo.arch`` keeps those names).
MACHINES = {
    2: "sparc", 3: "i386", 8: "mips", 15: "parisc", 18: "sparc32plus", 20: "ppc", 21: "ppc64",
    22: "s390", 40: "arm", 42: "sh", 43: "sparcv9", 50: "ia_64", 62: "x86_64", 164: "hexagon",
    183: "aarch64", 243: "riscv", 258: "loongarch",
}  # fmt: skip


class ElfError(CflError):
    """The file is not an ELF file this reader can make sense of (bad or truncated headers)."""


class Header(NamedTuple):
    """The ELF header fields the readers use."""

    bits: int  # 32 or 64
    little: bool
    file_type: int  # e_type: ET_EXEC, ET_DYN, ...
    machine: int  # e_machine
    phoff: int
    shoff: int
    phentsize: int
    phnum: int
    shentsize: int
    shnum: int
    shstrndx: int


class Section(NamedTuple):
    """One section header, its name resolved."""

    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


class ProgramHeader(NamedTuple):
    """One program header (segment)."""

    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int


class ElfFile:
    """Read-only view of one ELF file; parts are parsed when first asked for."""

    def __init__(self, data: bytes | mmap.mmap, name: str = "<bytes>") -> None:
        self.data = data
        self.name = name
        self.header = _header(data, name)
        self.order = "<" if self.header.little else ">"

    @classmethod
    @contextmanager
    def open(cls, path: Path) -> Iterator[ElfFile]:
        """The file mapped into memory for the ``with`` block.

        ``OSError`` when it cannot be read (the caller names the path in its own error class),
        ``ElfError`` when it is not an ELF file this reader understands.
        """
        data = _map(path)
        try:
            yield cls(data, str(path))
        finally:
            data.close()

    @property
    def bits(self) -> int:
        return self.header.bits

    def unpack(self, fmt: str, offset: int) -> tuple[int, ...]:
        """``struct.unpack_from`` in the file's byte order; ``ElfError`` past the end."""
        try:
            return struct.unpack_from(self.order + fmt, self.data, offset)
        except struct.error as exc:
            raise ElfError(f"{self.name}: truncated ELF data at offset {offset}") from exc

    def table(self, fmt: str, offset: int, size: int) -> Iterator[tuple[int, ...]]:
        """Consecutive ``fmt`` records in ``size`` bytes at ``offset`` (a partial one dropped)."""
        record = struct.Struct(self.order + fmt)
        if offset < 0 or size < 0 or offset + size > len(self.data):
            raise ElfError(f"{self.name}: a table at {offset} runs past the end of the file")
        usable = size - size % record.size
        return record.iter_unpack(self.data[offset : offset + usable])

    def string(self, offset: int) -> str:
        """The NUL-terminated string at file ``offset`` ("" when out of range)."""
        if not 0 <= offset < len(self.data):
            return ""
        end = self.data.find(b"\0", offset)
        raw = self.data[offset : end if end >= 0 else len(self.data)]
        return raw.decode("utf-8", errors="surrogateescape")

    @cached_property
    def sections(self) -> tuple[Section, ...]:
        """The section headers; none when they are missing or broken (the loader never reads
        them: the segments and the dynamic section still say what the file needs)."""
        try:
            return _sections(self)
        except ElfError:
            return ()

    @cached_property
    def segments(self) -> tuple[ProgramHeader, ...]:
        fmt = "IIQQQQQQ" if self.bits == 64 else "IIIIIIII"
        found = []
        for i in range(self.header.phnum):
            fields = self.unpack(fmt, self.header.phoff + i * self.header.phentsize)
            if self.bits == 64:
                kind, flags, offset, vaddr, _, filesz, memsz, _ = fields
            else:
                kind, offset, vaddr, _, filesz, memsz, flags, _ = fields
            found.append(ProgramHeader(kind, flags, offset, vaddr, filesz, memsz))
        return tuple(found)

    def section(self, name: str) -> Section | None:
        """The first section called ``name``."""
        return next((s for s in self.sections if s.name == name), None)

    def section_of_type(self, kind: int) -> Section | None:
        return next((s for s in self.sections if s.type == kind), None)

    def section_data(self, section: Section) -> bytes:
        if section.type == SHT_NOBITS:
            return b""
        return bytes(self.data[section.offset : section.offset + section.size])

    def file_offset(self, vaddr: int) -> int | None:
        """Where the byte loaded at ``vaddr`` sits in the file (None: not file-backed)."""
        for seg in self.segments:
            if seg.type == PT_LOAD and seg.vaddr <= vaddr < seg.vaddr + seg.filesz:
                return seg.offset + vaddr - seg.vaddr
        return None

    def read_address(self, vaddr: int, size: int) -> bytes:
        """``size`` bytes loaded at ``vaddr`` (fewer when the segment's file part ends first)."""
        for seg in self.segments:
            if seg.type == PT_LOAD and seg.vaddr <= vaddr < seg.vaddr + seg.filesz:
                start = seg.offset + vaddr - seg.vaddr
                end = min(start + size, seg.offset + seg.filesz)
                return bytes(self.data[start:end])
        return b""

    @cached_property
    def dynamic(self) -> tuple[tuple[int, int], ...]:
        """The ``(d_tag, d_val)`` entries of the dynamic section, up to DT_NULL."""
        return _dynamic(self)

    def dynamic_value(self, tag: int) -> int | None:
        """The value of the first ``tag`` entry."""
        return next((value for t, value in self.dynamic if t == tag), None)

    @cached_property
    def dynamic_string_table(self) -> tuple[int, int] | None:
        """File offset and size of the dynamic string table."""
        address = self.dynamic_value(DT_STRTAB)
        offset = self.file_offset(address) if address is not None else None
        if offset is not None:
            return offset, self.dynamic_value(DT_STRSZ) or len(self.data) - offset
        dyn = self.section_of_type(SHT_DYNAMIC)
        if dyn is not None and dyn.link < len(self.sections):
            strtab = self.sections[dyn.link]
            return strtab.offset, strtab.size
        return None

    def dynamic_string(self, value: int) -> str:
        """A string of the dynamic string table, by its offset in the table."""
        table = self.dynamic_string_table
        if table is None or not 0 <= value < table[1]:
            return ""
        return self.string(table[0] + value)

    def dynamic_strings(self, tag: int) -> tuple[str, ...]:
        """The strings of every ``tag`` entry (DT_NEEDED, DT_RPATH, ...), in order."""
        return tuple(self.dynamic_string(v) for t, v in self.dynamic if t == tag)

    def needed(self) -> tuple[str, ...]:
        return self.dynamic_strings(DT_NEEDED)

    def soname(self) -> str | None:
        value = self.dynamic_value(DT_SONAME)
        return None if value is None else self.dynamic_string(value)


def _map(path: Path) -> mmap.mmap:
    try:
        with path.open("rb") as handle:
            return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError as exc:  # an empty file cannot be mapped
        raise ElfError(f"{path}: not an ELF file (empty)") from exc


def _header(data: bytes | mmap.mmap, name: str) -> Header:
    ident = bytes(data[:16])
    if len(ident) < 16 or not ident.startswith(b"\x7fELF"):
        raise ElfError(f"{name}: not an ELF file")
    # EI_CLASS: 32/64-bit; EI_DATA: little/big endian; EI_VERSION: current
    if ident[4] not in (1, 2) or ident[5] not in (1, 2) or ident[6] != 1:
        raise ElfError(f"{name}: not a valid ELF file (bad class or byte order)")
    bits, order = (32 if ident[4] == 1 else 64), ("<" if ident[5] == 1 else ">")
    fmt = order + ("HHIQQQIHHHHHH" if bits == 64 else "HHIIIIIHHHHHH")
    try:
        fields = struct.unpack_from(fmt, data, 16)
    except struct.error as exc:
        raise ElfError(f"{name}: truncated ELF header") from exc
    kind, machine, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx = fields
    return Header(bits, order == "<", kind, machine, phoff, shoff, phentsize, phnum,
                  shentsize, shnum, shstrndx)  # fmt: skip


def _sections(elf: ElfFile) -> tuple[Section, ...]:
    head = elf.header
    if head.shoff == 0:
        return ()
    fmt = "IIQQQQIIQQ" if elf.bits == 64 else "IIIIIIIIII"
    first = elf.unpack(fmt, head.shoff)
    # Extended numbering: more than 0xff00 sections keep their count and index in section 0.
    count = head.shnum or first[5]
    names = first[6] if head.shstrndx == _SHN_XINDEX else head.shstrndx
    raw = [elf.unpack(fmt, head.shoff + i * head.shentsize) for i in range(count)]
    strtab = raw[names][4] if names < len(raw) else None
    return tuple(
        Section(elf.string(strtab + r[0]) if strtab is not None else "", r[1], r[2], r[3], r[4],
                r[5], r[6], r[7], r[9])
        for r in raw
    )  # fmt: skip


def _dynamic(elf: ElfFile) -> tuple[tuple[int, int], ...]:
    where = next(((s.offset, s.filesz) for s in elf.segments if s.type == PT_DYNAMIC), None)
    if where is None:
        dyn = elf.section_of_type(SHT_DYNAMIC)
        where = (dyn.offset, dyn.size) if dyn is not None else None
    if where is None:
        return ()
    size = min(where[1], max(len(elf.data) - where[0], 0))
    entries = []
    for tag, value in elf.table("qQ" if elf.bits == 64 else "iI", where[0], size):
        if tag == DT_NULL:
            break
        entries.append((tag, value))
    return tuple(entries)
