"""Prefix-string hazards in real binaries: zig and clang merge a literal into the prefix
string's tail unless built with the base plate's flags; the check finds the pointer in code
(RIP-relative), in relocations (PIE) and as a plain address (position-dependent)."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conda_forge_like.abi import CheckContext
from conda_forge_like.abi.isa import disassembler
from conda_forge_like.abi.prefix_check import prefix_findings
from conda_forge_like.relocate import classify

pytestmark = [
    pytest.mark.skipif(platform.machine() != "x86_64", reason="fixtures are x86-64 binaries"),
    pytest.mark.skipif(disassembler() is None, reason="objdump is not installed"),
]
PREFIX = "/opt/h_env_placehold_placehold_placehold_placehold_placehold"
IN_CODE = """#include <stdio.h>
const char *datadir(void) { return DATADIR; }
const char *name(void) { return "data"; }
int main(void) { printf("%s %s\\n", datadir(), name()); return 0; }
"""
IN_TABLE = """#include <stdio.h>
const char *const names[] = {DATADIR, "data"};
int main(int argc, char **argv) { (void)argv; puts(names[argc % 2]); return 0; }
"""
# What Rust and Go emit: the literal's bytes followed directly by other data, no NUL.
PACKED = """__asm__(".section .rodata.packed,\\"a\\"\\n.globl packed\\npacked:\\n"
        ".ascii \\"" DATADIR "\\"\\n.byte 3, 0x90, 0, 0\\n.previous");
extern const char packed[];
int main(void) { return packed[0]; }
"""
ZIG = [sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-linux-gnu.2.17"]


def compile_c(tmp_path: Path, compiler: list[str], source: str, *flags: str) -> list[str]:
    (tmp_path / "bin").mkdir(parents=True)
    (tmp_path / "main.c").write_text(source)
    command = [*compiler, "-O2", "-fPIC", *flags, f'-DDATADIR="{PREFIX}/share/data"']
    subprocess.run([*command, "-o", str(tmp_path / "bin" / "tool"), str(tmp_path / "main.c")],
                   check=True, capture_output=True)  # fmt: skip
    return [(f.severity, f.code, f.path) for f in findings(tmp_path)]


def findings(root: Path) -> list[object]:
    ctx = CheckContext("linux-64", frozenset({"bin/tool"}), (), {}, prefix=PREFIX)
    return [f for f in prefix_findings(root, classify(root, ["bin/tool"]), ctx) if f]


MERGED = [("error", "merged-string-tail", "bin/tool")]


@pytest.mark.parametrize("source", [IN_CODE, IN_TABLE], ids=["code", "table"])
def test_zig_merges_without_the_base_plate_flag(tmp_path: Path, source: str) -> None:
    assert compile_c(tmp_path, ZIG, source) == MERGED


@pytest.mark.parametrize("source", [IN_CODE, IN_TABLE], ids=["code", "table"])
def test_zig_with_writable_strings_does_not_merge(tmp_path: Path, source: str) -> None:
    assert compile_c(tmp_path, ZIG, source, "-fwritable-strings") == []


@pytest.mark.skipif(shutil.which("clang") is None, reason="clang is not installed")
def test_clang_pie_relocation_into_the_tail(tmp_path: Path) -> None:
    assert compile_c(tmp_path, ["clang"], IN_TABLE, "-pie") == MERGED


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_gcc_merges_at_os_unless_told_not_to(tmp_path: Path) -> None:
    assert compile_c(tmp_path / "a", ["gcc"], IN_CODE, "-Os") == MERGED
    assert compile_c(tmp_path / "b", ["gcc"], IN_CODE, "-Os", "-fno-merge-constants") == []


def test_length_delimited_prefix_is_not_terminated(tmp_path: Path) -> None:
    assert compile_c(tmp_path, ZIG, PACKED) == [("error", "prefix-not-terminated", "bin/tool")]
