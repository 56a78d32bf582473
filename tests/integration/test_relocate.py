"""Relocation against real binaries: gcc builds into a long padded prefix, patchelf rewrites.

The executable and library are linked with RPATH/RUNPATH entries pointing into the prefix and
at ``/usr/local/lib``; after ``relocate`` the prefix is moved and the executable must still
find its library. Tests with a fake ``Relinker`` check the applier's bookkeeping without gcc.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import lief
import pytest

from conda_forge_like.errors import CflError, UsageError
from conda_forge_like.relocate import (
    PatchelfRelinker,
    PrefixMatch,
    RelocationError,
    Rpaths,
    relocate,
    replace_binary,
    scan,
)

GCC = shutil.which("gcc")
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc is not installed")

LIB_C = """
const char *greet_data_dir = DATA_DIR;
const char *greet(void) { return "hello from libgreet"; }
"""
MAIN_C = """
#include <stdio.h>
const char *greet(void);
extern const char *greet_data_dir;
int main(void) { printf("%s\\n", greet()); return greet_data_dir[0] == '/' ? 0 : 1; }
"""


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


def gcc(*args: str | Path) -> None:
    assert GCC is not None
    subprocess.run([GCC, *map(str, args)], check=True, capture_output=True)


def dynamic(path: Path) -> dict[str, str]:
    """``{"RUNPATH": "$ORIGIN/../lib"}`` (and/or ``RPATH``) as stored in the file."""
    binary = lief.ELF.parse(str(path))
    found = {}
    for entry in binary.dynamic_entries:
        if isinstance(entry, lief.ELF.DynamicEntryRunPath):
            found["RUNPATH"] = entry.runpath
        elif isinstance(entry, lief.ELF.DynamicEntryRpath):
            found["RPATH"] = entry.rpath
    return found


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    """A prefix padded like a host prefix, with a library, two executables and a text file."""
    root = tmp_path / ("_placehold" * 20) / "h_env"
    src = tmp_path / "src"
    for sub in ("lib", "bin", "etc", "share/greet"):
        (root / sub).mkdir(parents=True)
    src.mkdir()
    (src / "greet.c").write_text(LIB_C)
    (src / "main.c").write_text(MAIN_C)
    lib = root / "lib"
    data = f'-DDATA_DIR="{root}/share/greet"'
    gcc("-shared", "-fPIC", data, src / "greet.c", "-o", lib / "libgreet.so", f"-Wl,-rpath,{lib}")
    (lib / "libgreet.so.1").symlink_to("libgreet.so")
    for name, dtags in (("greet", "--enable-new-dtags"), ("greet-rpath", "--disable-new-dtags")):
        gcc(
            src / "main.c", "-o", root / "bin" / name, f"-L{lib}", "-lgreet",
            f"-Wl,{dtags}", f"-Wl,-rpath,{lib}", "-Wl,-rpath,/usr/local/lib",
        )  # fmt: skip
    (root / "etc" / "greet.conf").write_text(f"data_dir = {root}/share/greet\n")
    (root / "share" / "greet" / "plain.txt").write_text("nothing to relocate\n")
    return root


@needs_gcc
def test_runpath_becomes_origin_relative_and_build_machine_dirs_go(prefix: Path) -> None:
    assert dynamic(prefix / "bin" / "greet") == {"RUNPATH": f"{prefix}/lib:/usr/local/lib"}

    report = relocate(prefix, files_under(prefix), str(prefix), "linux-64")

    assert dynamic(prefix / "bin" / "greet") == {"RUNPATH": "$ORIGIN/../lib"}
    assert dynamic(prefix / "lib" / "libgreet.so") == {"RUNPATH": "$ORIGIN"}
    assert set(report.changed) == {"bin/greet", "bin/greet-rpath", "lib/libgreet.so"}
    assert report.counts == {"elf": 3, "macho": 0, "pe": 0}  # the symlink is not counted
    assert {(r.binary, r.entry) for r in report.removed} == {
        ("bin/greet", "/usr/local/lib"),
        ("bin/greet-rpath", "/usr/local/lib"),
    }
    assert any("bin/greet: removed RPATH entry '/usr/local/lib'" in w for w in report.warnings)


@needs_gcc
def test_rpath_kind_is_kept(prefix: Path) -> None:
    assert "RPATH" in dynamic(prefix / "bin" / "greet-rpath")
    relocate(prefix, files_under(prefix), str(prefix), "linux-64")
    assert dynamic(prefix / "bin" / "greet-rpath") == {"RPATH": "$ORIGIN/../lib"}


@needs_gcc
def test_moved_prefix_still_runs(prefix: Path, tmp_path: Path) -> None:
    relocate(prefix, files_under(prefix), str(prefix), "linux-64")
    moved = tmp_path / "elsewhere" / "env"
    moved.parent.mkdir()
    shutil.move(prefix, moved)
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    for name in ("greet", "greet-rpath"):
        result = subprocess.run(
            [moved / "bin" / name], capture_output=True, text=True, env=env, check=False
        )
        assert (result.returncode, result.stdout) == (0, "hello from libgreet\n"), result.stderr


@needs_gcc
def test_files_still_holding_the_prefix_are_found_after_rewriting(prefix: Path) -> None:
    report = relocate(prefix, files_under(prefix), str(prefix), "linux-64")
    # the executables held the prefix only in their RUNPATH, gone now; the library keeps its
    # compiled-in data path (a client replaces it at install time)
    assert sorted(report.prefix_matches, key=lambda m: m.path) == [
        PrefixMatch("etc/greet.conf", "text"),
        PrefixMatch("lib/libgreet.so", "binary"),
    ]


@needs_gcc
def test_scan_before_relocation_sees_runpaths_and_skips_symlinks(prefix: Path) -> None:
    matches = {m.path: m.file_mode for m in scan(prefix, files_under(prefix), str(prefix))}
    assert matches == {
        "bin/greet": "binary",
        "bin/greet-rpath": "binary",
        "etc/greet.conf": "text",
        "lib/libgreet.so": "binary",
    }


@needs_gcc
def test_the_clients_binary_replacement_keeps_the_library_loadable(
    prefix: Path, tmp_path: Path
) -> None:
    """What a conda client does at install time, with our rule: the library must still work."""
    relocate(prefix, files_under(prefix), str(prefix), "linux-64")
    target = tmp_path / "inst"
    shutil.copytree(prefix, target, symlinks=True)
    library = target / "lib" / "libgreet.so"
    data = library.read_bytes()
    library.write_bytes(replace_binary(data, os.fsencode(prefix), os.fsencode(target)))
    assert os.fsencode(f"{target}/share/greet\0") in library.read_bytes()
    result = subprocess.run([target / "bin" / "greet"], capture_output=True, check=False)
    assert result.returncode == 0


@needs_gcc
def test_read_only_binaries_are_rewritten_and_keep_their_mode(prefix: Path) -> None:
    exe = prefix / "bin" / "greet"
    exe.chmod(0o555)
    relocate(prefix, ["bin/greet"], str(prefix), "linux-64")
    assert dynamic(exe) == {"RUNPATH": "$ORIGIN/../lib"}
    assert stat.S_IMODE(exe.stat().st_mode) == 0o555


@needs_gcc
def test_a_second_run_changes_nothing(prefix: Path) -> None:
    relocate(prefix, files_under(prefix), str(prefix), "linux-64")
    again = relocate(prefix, files_under(prefix), str(prefix), "linux-64")
    assert (again.changed, again.removed) == ((), ())


def test_scanning_200_files_is_fast(tmp_path: Path) -> None:
    prefix = str(tmp_path / ("_placehold" * 20))
    files = []
    for i in range(200):
        path = tmp_path / "share" / f"f{i:03}.dat"
        path.parent.mkdir(exist_ok=True)
        body = os.urandom(50_000).replace(b"\0", b"x") if i % 2 else b"plain text\n" * 5_000
        if i % 10 == 0:
            body += os.fsencode(prefix) + (b"\0" if i % 20 == 0 else b"\n")
        path.write_bytes(body)
        files.append(str(path.relative_to(tmp_path)))
    start = time.perf_counter()
    matches = scan(tmp_path, files, prefix)
    elapsed = time.perf_counter() - start
    assert len(matches) == 20
    assert {m.file_mode for m in matches} == {"text", "binary"}
    assert elapsed < 1.0


# -- the applier's bookkeeping with a fake relinker -----------------------------------------


class FakeRelinker:
    """Every ELF 'has' the RUNPATH it was given; writes are recorded, not performed."""

    def __init__(self, rpaths: dict[str, Rpaths | None]) -> None:
        self.rpaths = rpaths
        self.writes: dict[str, Rpaths] = {}

    def read(self, path: Path) -> Rpaths | None:
        return self.rpaths[path.name]

    def write(self, path: Path, rpaths: Rpaths) -> None:
        self.writes[path.name] = rpaths


def fake_tree(root: Path) -> list[str]:
    heads = {
        "lib/liba.so": b"\x7fELF\x02\x01\x01\0",
        "lib/libb.so": b"\x7fELF\x02\x01\x01\0",
        "lib/static.a": b"!<arch>\n",
        "lib/liba.dylib": b"\xcf\xfa\xed\xfe\x07\0\0\x01",
        "bin/tool.exe": b"MZ" + b"\0" * 58 + (64).to_bytes(4, "little") + b"PE\0\0",
        "share/readme": b"hello\n",
    }
    for relpath, head in heads.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(head + b"\0" * 64)
    return sorted(heads)


def test_relocate_plans_each_elf_and_counts_the_rest(tmp_path: Path) -> None:
    files = fake_tree(tmp_path)
    fake = FakeRelinker({
        "liba.so": Rpaths("rpath", ("/p/lib", "/build/lib")),
        "libb.so": None,
    })  # fmt: skip
    report = relocate(tmp_path, files, "/p", "linux-64", relinker=fake)
    assert fake.writes == {"liba.so": Rpaths("rpath", ("$ORIGIN",))}
    assert report.changed == ("lib/liba.so",)
    assert (report.elf, report.macho, report.pe) == (
        ("lib/liba.so", "lib/libb.so"),
        ("lib/liba.dylib",),
        ("bin/tool.exe",),
    )
    assert [r.entry for r in report.removed] == ["/build/lib"]
    assert report.subdir == "linux-64"


def test_an_unparseable_elf_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "broken.so").write_bytes(b"\x7fELF" + b"\xff" * 20)
    report = relocate(tmp_path, ["lib/broken.so"], "/p", "linux-64", PatchelfRelinker())
    assert report.unreadable == ("lib/broken.so",)
    assert "lib/broken.so" in report.warnings[0]


def test_an_unknown_subdir_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="linux-65"):
        relocate(tmp_path, [], "/p", "linux-65", relinker=FakeRelinker({}))


def test_a_missing_file_names_its_path(tmp_path: Path) -> None:
    with pytest.raises(CflError, match=r"cannot read .*lib/gone\.so"):
        scan(tmp_path, ["lib/gone.so"], "/p")


def test_patchelf_failures_show_command_exit_code_and_output(tmp_path: Path) -> None:
    not_elf = tmp_path / "not-elf"
    not_elf.write_text("text\n")
    with pytest.raises(RelocationError) as info:
        PatchelfRelinker().write(not_elf, Rpaths("runpath", ("$ORIGIN",)))
    message = str(info.value)
    assert "--set-rpath '$ORIGIN'" in message
    assert str(not_elf) in message
    assert "exited with 1" in message
    assert "missing ELF header" in message


def test_a_patchelf_that_cannot_start_is_named(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-patchelf")
    with pytest.raises(RelocationError, match="no-patchelf"):
        PatchelfRelinker(missing).write(tmp_path / "x", Rpaths("runpath", ()))
