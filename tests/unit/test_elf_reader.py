"""cfl's ELF reader on small files built here byte by byte: both classes and byte orders (no
big-endian or 32-bit file is needed on the machine), files without section headers, and
malformed ones, which are an ``ElfError`` (the relinker reports them as unreadable)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from conda_forge_like.elf import DT_RPATH, DT_RUNPATH, ElfError, ElfFile, dynamic_symbols
from conda_forge_like.relocate import PatchelfRelinker, UnreadableBinary

STRINGS = b"\0libc.so.6\0libx.so.1\0$ORIGIN/../lib:/opt/lib\0"
NEEDED, SONAME, PATHS = 1, 11, 21
BASE = 0x400000  # where the single PT_LOAD maps the file


def build_elf(bits: int, order: str, path_tag: int = DT_RUNPATH) -> bytes:
    """ELF header, a PT_LOAD over the whole file, a PT_DYNAMIC, the strings; no sections."""
    word = "Q" if bits == 64 else "I"
    ehsize, phentsize = (64, 56) if bits == 64 else (52, 32)
    dyn_at = ehsize + 2 * phentsize
    strtab_at = dyn_at + 6 * (16 if bits == 64 else 8)
    size = strtab_at + len(STRINGS)
    entries = [(1, NEEDED), (14, SONAME), (path_tag, PATHS), (5, BASE + strtab_at),
               (10, len(STRINGS)), (0, 0)]  # fmt: skip
    ident = b"\x7fELF" + bytes([1 if bits == 32 else 2, 1 if order == "<" else 2, 1]) + bytes(9)
    header = struct.pack(f"{order}HHI{word}{word}{word}IHHHHHH", 3, 62, 1, 0, ehsize, 0, 0,
                         ehsize, phentsize, 2, 0, 0, 0)  # fmt: skip
    return (ident + header + _phdr(bits, order, 1, 0, BASE, size)
            + _phdr(bits, order, 2, dyn_at, BASE + dyn_at, strtab_at - dyn_at)
            + b"".join(struct.pack(f"{order}{'q' if bits == 64 else 'i'}{word}", *e)
                       for e in entries)
            + STRINGS)  # fmt: skip


def _phdr(bits: int, order: str, kind: int, offset: int, vaddr: int, size: int) -> bytes:
    if bits == 64:
        return struct.pack(f"{order}IIQQQQQQ", kind, 4, offset, vaddr, vaddr, size, size, 8)
    return struct.pack(f"{order}IIIIIIII", kind, offset, vaddr, vaddr, size, size, 4, 4)


@pytest.mark.parametrize(("bits", "order"), [(64, "<"), (64, ">"), (32, "<"), (32, ">")])
def test_dynamic_section_in_every_class_and_byte_order(tmp_path: Path, bits: int, order: str
                                                       ) -> None:  # fmt: skip
    path = tmp_path / "libx.so.1"
    path.write_bytes(build_elf(bits, order))
    with ElfFile.open(path) as elf:
        assert (elf.bits, elf.header.little) == (bits, order == "<")
        assert elf.needed() == ("libc.so.6",)
        assert elf.soname() == "libx.so.1"
        assert elf.sections == ()
        assert dynamic_symbols(elf) == ()
        value = elf.dynamic_value(DT_RUNPATH)
        assert value is not None
        assert elf.dynamic_string(value) == "$ORIGIN/../lib:/opt/lib"


def test_the_relinker_reads_rpath_and_runpath(tmp_path: Path) -> None:
    (tmp_path / "a.so").write_bytes(build_elf(64, ">", DT_RPATH))
    (tmp_path / "b.so").write_bytes(build_elf(32, "<", DT_RUNPATH))
    rpath, runpath = (PatchelfRelinker().read(tmp_path / n) for n in ("a.so", "b.so"))
    assert rpath is not None
    assert runpath is not None
    assert (rpath.kind, rpath.entries) == ("rpath", ("$ORIGIN/../lib", "/opt/lib"))
    assert runpath.kind == "runpath"


@pytest.mark.parametrize(
    "data",
    [b"\x7fELF" + b"\xff" * 20, b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x03\x00", b""],
    ids=["bad-class", "truncated-header", "empty"],
)
def test_malformed_files_are_elf_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.so"
    path.write_bytes(data)
    with pytest.raises(ElfError), ElfFile.open(path):
        pass
    with pytest.raises(UnreadableBinary, match=r"broken\.so"):
        PatchelfRelinker().read(path)


def test_a_dynamic_section_past_the_end_is_an_elf_error(tmp_path: Path) -> None:
    data = bytearray(build_elf(64, "<"))
    struct.pack_into("<Q", data, 64 + 56 + 8, len(data) + 4096)  # PT_DYNAMIC's p_offset
    path = tmp_path / "cut.so"
    path.write_bytes(bytes(data))
    with pytest.raises(ElfError), ElfFile.open(path) as elf:
        elf.needed()


def test_broken_section_headers_still_give_the_dynamic_section(tmp_path: Path) -> None:
    data = bytearray(build_elf(64, "<"))
    struct.pack_into("<QHH", data, 40, len(data) + 4096, 0, 0)  # e_shoff past the end
    struct.pack_into("<H", data, 60, 3)  # e_shnum
    path = tmp_path / "odd.so"
    path.write_bytes(bytes(data))
    with ElfFile.open(path) as elf:
        assert elf.sections == ()
        assert elf.needed() == ("libc.so.6",)
