"""glibc-hwcaps copies against real libraries: ``take`` names them by SONAME, ``install`` puts
them next to their baseline library and gives them a search path that relocation turns into
``$ORIGIN/../..``; a library with no search path gets one only when it needs a sibling."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conda_forge_like.build import hwcaps
from conda_forge_like.relocate import PatchelfRelinker, relocate

GCC = shutil.which("gcc")
pytestmark = pytest.mark.skipif(GCC is None, reason="gcc is not installed")


def shared(out: Path, soname: str, code: str, *link: str) -> Path:
    source = out.with_suffix(".c")
    source.write_text(code)
    command = [str(GCC), "-shared", "-fPIC", f"-Wl,-soname,{soname}", "-o", str(out), str(source)]
    subprocess.run([*command, *link], check=True)
    source.unlink()
    return out


@pytest.fixture
def level_prefix(tmp_path: Path) -> Path:
    """What a level build leaves in lib/: a versioned file with its SONAME link, and a library
    without a search path that needs its sibling."""
    lib = tmp_path / "level" / "lib"
    lib.mkdir(parents=True)
    shared(lib / "libb.so.1.0", "libb.so.1", "int b(void) { return 2; }\n")
    (lib / "libb.so.1").symlink_to("libb.so.1.0")
    shared(lib / "liba.so.1", "liba.so.1", "int b(void);\nint a(void) { return b(); }\n",
           f"-L{lib}", "-l:libb.so.1")  # fmt: skip
    (lib / "libc_only.a").write_bytes(b"!<arch>\n")
    return tmp_path / "level"


def test_take_keeps_real_libraries_named_by_soname(level_prefix: Path, tmp_path: Path) -> None:
    new = {"lib/libb.so.1.0", "lib/libb.so.1", "lib/liba.so.1", "lib/libc_only.a"}
    names = hwcaps.take(level_prefix, new, tmp_path / "stash" / "x86-64-v3")
    assert sorted(names) == ["liba.so.1", "libb.so.1"]
    assert not (tmp_path / "stash" / "x86-64-v3" / "libb.so.1").is_symlink()


def test_install_places_copies_and_relocation_makes_them_origin_relative(
    level_prefix: Path, tmp_path: Path
) -> None:
    stash = hwcaps.Stash(tmp_path / "stash")
    level_new = {"lib/libb.so.1.0", "lib/libb.so.1", "lib/liba.so.1"}
    hwcaps.take(level_prefix, level_new, stash.level_dir(4))
    host = tmp_path / "host"
    shutil.copytree(level_prefix, host, symlinks=True)
    (host / "lib" / "liba.so.1").unlink()  # the baseline build did not make liba

    added, warnings = hwcaps.install(stash, host, {"lib/libb.so.1.0", "lib/libb.so.1"})
    assert added == {"lib/glibc-hwcaps/x86-64-v4/libb.so.1"}
    assert len(warnings) == 1
    assert "lib/liba.so.1" in warnings[0]

    (host / "lib" / "liba.so.1").write_bytes((level_prefix / "lib" / "liba.so.1").read_bytes())
    added, _ = hwcaps.install(stash, host, {"lib/libb.so.1", "lib/liba.so.1"})
    relocate(host, sorted(added), str(host), "linux-64")
    relinker = PatchelfRelinker()
    copy_a = relinker.read(host / "lib/glibc-hwcaps/x86-64-v4/liba.so.1")
    assert copy_a is not None
    assert copy_a.entries == ("$ORIGIN/../..",)
    assert relinker.read(host / "lib/glibc-hwcaps/x86-64-v4/libb.so.1") is None
