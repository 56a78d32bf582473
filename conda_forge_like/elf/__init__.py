"""Reading ELF files: headers, sections, segments, the dynamic section, symbols with versions
and dynamic relocations, in pure Python (no lief: importing it costs 0.7 s per process).

``with ElfFile.open(Path("lib/libz.so.1")) as elf: (elf.needed(), elf.soname())`` ->
``(("libc.so.6",), "libz.so.1")``; ``dynamic_symbols(elf)`` gives each symbol with its version.
"""

from __future__ import annotations

from .reader import DT_RPATH, DT_RUNPATH, ET_EXEC, MACHINES, PT_LOAD, ElfError, ElfFile
from .relocations import Relocation, dynamic_relocations, is_relative
from .symbols import STT_GNU_IFUNC, Symbol, dynamic_symbols, static_symbols

__all__ = [
    "DT_RPATH",
    "DT_RUNPATH",
    "ET_EXEC",
    "MACHINES",
    "PT_LOAD",
    "STT_GNU_IFUNC",
    "ElfError",
    "ElfFile",
    "Relocation",
    "Symbol",
    "dynamic_relocations",
    "dynamic_symbols",
    "is_relative",
    "static_symbols",
]
