"""The compiler wrappers add the base plate's guards themselves: a script calling
``$CC -O2 -o x x.c`` without ``$CFLAGS`` still gets the build-path maps and the string-merge
guard. The wrapper text is run by bash with ``printf`` standing in for the compiler."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conda_forge_like.baseplate.compiler_script import CompilerBehaviour, compiler_script

ENV = {
    "SRC_DIR": "/w/work/src", "PREFIX": "/w/work/host", "BUILD_PREFIX": "/w/work/build",
    "PKG_NAME": "foo", "PKG_VERSION": "1.0", "PATH": "/usr/bin:/bin",
}  # fmt: skip


def argv(tmp_path: Path, args: list[str], how: CompilerBehaviour) -> list[str]:
    """What the real compiler would be called with."""
    script = tmp_path / "cc"
    script.write_text(compiler_script(["printf", "%s\\n"], None, how))
    done = subprocess.run(
        ["bash", str(script), *args], env=ENV, capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


@pytest.mark.parametrize("zig", [True, False])
def test_a_plain_compile_gets_the_maps_and_the_guard(tmp_path: Path, zig: bool) -> None:
    how = CompilerBehaviour(zig, "linux", guards=("-fwritable-strings",))
    got = argv(tmp_path, ["-O2", "-o", "x", "x.c"], how)
    maps = [a for a in got if "prefix-map" in a]
    # the work directory first: gcc and clang try the last map first (clang 14 the longest)
    assert maps == [
        "-ffile-prefix-map=/w/work=/usr/local/src/conda-work",
        "-ffile-prefix-map=/w/work/build=/usr/local/src/conda-build-prefix",
        "-fdebug-prefix-map=/w/work/host=/usr/local/src/conda-prefix",
        "-ffile-prefix-map=/w/work/src=/usr/local/src/conda/foo-1.0",
    ]
    assert "-fwritable-strings" in got
    # the script's own flags come after the wrapper's (a later -fno-writable-strings wins)
    start = got.index("-O2")
    assert got[start : start + 4] == ["-O2", "-o", "x", "x.c"]
    assert start > got.index(maps[-1])
    assert start > got.index("-fwritable-strings")


@pytest.mark.parametrize(
    ("args", "guarded"),
    [
        (["-c", "a.c"], True),
        (["-E", "-"], True),
        (["-o", "x", "a.o", "b.o"], False),  # a link of objects compiles nothing
        (["-c", "start.S"], False),  # assembly: clang would warn the flag is unused
        (["-c", "x.cpp", "y.s"], True),
    ],
)
def test_the_guard_goes_to_compiles_of_c_code(
    tmp_path: Path, args: list[str], guarded: bool
) -> None:
    how = CompilerBehaviour(False, "linux", guards=("-fno-merge-constants",))
    assert ("-fno-merge-constants" in argv(tmp_path, args, how)) == guarded


def test_without_a_build_no_maps(tmp_path: Path) -> None:
    """Outside a build (no SRC_DIR: the cache warm-up, a user's shell) nothing is mapped."""
    script = tmp_path / "cc"
    script.write_text(compiler_script(["printf", "%s\\n"], None, CompilerBehaviour(False, "linux")))
    done = subprocess.run(
        ["bash", str(script), "-c", "a.c"], env={"PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert not [a for a in done.stdout.splitlines() if "prefix-map" in a]


@pytest.mark.parametrize(("args", "dropped"), [(["-g", "-o", "x", "x.o"], True),
                                               (["-o", "x", "x.o"], False),
                                               (["-g", "-c", "x.c"], False)])  # fmt: skip
def test_zig_links_with_g_drop_only_the_runtime_debug_info(
    tmp_path: Path, args: list[str], dropped: bool
) -> None:
    """zig's runtime is built with DWARF naming its install and cache: a -g link gets the
    linker script that discards it (a link without -g is stripped whole)."""
    how = CompilerBehaviour(True, "linux", runtime_debug_script="/b/share/cfl/rt.ld")
    got = argv(tmp_path, args, how)
    assert ("-Wl,-T,/b/share/cfl/rt.ld" in got) == dropped
    assert ("-Wl,--strip-debug" in got) == (args[0] != "-g" and "-c" not in args)
