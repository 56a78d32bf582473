"""cfl's ELF reader against lief on real files: the system's libc, libm, libstdc++, an aarch64
and an i386 libc when their cross packages are installed, and libraries built here with gcc
(RPATH, RELR) and zig (RUNPATH). Same NEEDED, SONAME, RPATH/RUNPATH, version needs, exported
symbols, IFUNCs, load segments and relocation targets as the lief-based reading it replaced."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import lief
import pytest

from conda_forge_like.abi.binary import read_binary, read_layout
from conda_forge_like.elf import ElfFile, dynamic_symbols
from conda_forge_like.relocate import PatchelfRelinker

SYSTEM = [
    "/lib/x86_64-linux-gnu/libc.so.6",
    "/lib/x86_64-linux-gnu/libm.so.6",
    "/lib/x86_64-linux-gnu/libstdc++.so.6",
    "/usr/aarch64-linux-gnu/lib/libc.so.6",
    "/usr/aarch64-linux-gnu/lib/libm.so.6",
    "/usr/lib32/libc.so.6",
    "/usr/bin/python3",
]
SOURCE = """#include <math.h>
#include <stdio.h>
static int table = 5;
int *pointer = &table;
const char *greeting = "hello";
double wave(double x) { return sin(x) + *pointer; }
int greet(void) { return puts(greeting); }
"""


def lief_reading(path: Path) -> dict[str, Any]:
    """What the ABI checks and the relinker read from ``path`` with lief before cfl's reader."""
    binary: Any = lief.ELF.parse(str(path))
    assert binary is not None
    tag = lief.ELF.DynamicEntry.TAG
    symbols = list(binary.dynamic_symbols)
    soname, rpath, runpath = (binary.get(t) for t in (tag.SONAME, tag.RPATH, tag.RUNPATH))
    ifunc = lief.ELF.Symbol.TYPE.GNU_IFUNC
    return {
        "arch": str(binary.header.machine_type).rsplit(".", 1)[-1].lower(),
        "needed": tuple(binary.libraries),
        "soname": soname.name if soname is not None else None,
        "rpath": tuple(p for p in rpath.rpath.split(":") if p) if rpath is not None else (),
        "runpath": tuple(p for p in runpath.runpath.split(":") if p) if runpath else (),
        "imports": tuple(sorted({(s.name, v) for s in symbols if s.imported and (v := _v(s))})),
        "exports": frozenset(
            f"{s.name}@{v}" if (v := _v(s)) else s.name for s in symbols if s.exported
        ),
        "ifuncs": sorted({s.name for s in binary.symbols if s.type == ifunc and s.name}),
        "segments": [
            (s.file_offset, s.virtual_address, s.physical_size)
            for s in binary.segments
            if s.type == lief.ELF.Segment.TYPE.LOAD and s.physical_size
        ],
        "relocations": _lief_targets(binary),
    }


def _v(symbol: Any) -> str | None:
    version = symbol.symbol_version
    aux = version.symbol_version_auxiliary if version is not None else None
    return aux.name if aux is not None else None


def _lief_targets(binary: Any) -> set[int]:
    size = 8 if binary.header.identity_class == lief.ELF.Header.CLASS.ELF64 else 4
    found: set[int] = set()
    for reloc in binary.dynamic_relocations:
        if str(reloc.type).endswith("RELATIVE"):
            if reloc.encoding == lief.ELF.Relocation.ENCODING.RELA:
                found.add(reloc.addend)
            else:
                word = bytes(binary.get_content_from_virtual_address(reloc.address, size))
                found.add(int.from_bytes(word, "little") if len(word) == size else 0)
        elif reloc.has_symbol and reloc.symbol.value:
            found.add(reloc.symbol.value + reloc.addend)
    return found


def cfl_reading(path: Path) -> dict[str, Any]:
    info = read_binary(path)
    layout = read_layout(path)
    assert layout is not None
    return {
        "arch": info.arch,
        "needed": info.needed,
        "soname": info.soname,
        "rpath": info.rpath,
        "runpath": info.runpath,
        "imports": info.imports,
        "exports": info.exports,
        "ifuncs": sorted(d.removeprefix("ifunc:") for d in info.dispatch if d.startswith("ifunc:")),
        "segments": [(s.offset, s.vaddr, s.size) for s in layout.segments],
        "relocations": set(layout.relocation_targets),
    }


def assert_same(path: Path) -> None:
    expected, got = lief_reading(path), cfl_reading(path)
    for key, value in expected.items():
        assert got[key] == value, f"{path}: {key} differs"


@pytest.mark.parametrize(
    "name", SYSTEM, ids=[Path(p).parent.name + "/" + Path(p).name for p in SYSTEM]
)
def test_system_files_read_as_lief_reads_them(name: str) -> None:
    path = Path(name).resolve()
    if not path.is_file():
        pytest.skip(f"{name} is not installed")
    assert_same(path)


def test_glibc_version_needs_and_definitions() -> None:
    path = Path("/lib/x86_64-linux-gnu/libm.so.6")
    if not path.is_file():
        pytest.skip("no x86-64 libm")
    info = read_binary(path)
    assert "libc.so.6" in info.needed
    assert any(version == "GLIBC_2.2.5" for _, version in info.imports)
    assert "sin@GLIBC_2.2.5" in info.exports
    with ElfFile.open(path) as elf:
        hidden = [s for s in dynamic_symbols(elf) if s.name == "exp" and s.version]
    assert {s.version for s in hidden} >= {"GLIBC_2.2.5", "GLIBC_2.29"}  # old one is hidden


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_gcc_library_with_rpath_and_relr(tmp_path: Path) -> None:
    (tmp_path / "wave.c").write_text(SOURCE)
    library = tmp_path / "libwave.so"
    flags = ["-Wl,--disable-new-dtags,-rpath,/opt/p/lib:/build/lib", "-Wl,-soname,libwave.so.1"]
    command = ["gcc", "-shared", "-fPIC", "-O1", "-o", str(library), str(tmp_path / "wave.c")]
    command += ["-lm", *flags, "-Wl,-z,pack-relative-relocs"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:  # a binutils older than 2.38 has no RELR
        pytest.skip(done.stderr.strip().splitlines()[-1])
    assert_same(library)
    assert read_binary(library).rpath == ("/opt/p/lib", "/build/lib")
    assert PatchelfRelinker().read(library) is not None


def test_zig_library_with_runpath(tmp_path: Path) -> None:
    (tmp_path / "wave.c").write_text(SOURCE)
    library = tmp_path / "libwave.so"
    zig = [sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-linux-gnu.2.17"]
    subprocess.run([*zig, "-shared", "-fPIC", "-O2", "-o", str(library), str(tmp_path / "wave.c"),
                    "-lm", "-Wl,-rpath,/opt/p/lib", "-Wl,-soname,libwave.so.1"],
                   check=True, capture_output=True)  # fmt: skip
    assert_same(library)
    info = read_binary(library)
    assert (info.soname, info.runpath) == ("libwave.so.1", ("/opt/p/lib",))
    assert {"wave", "greet"} <= info.exports
