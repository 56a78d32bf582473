"""Mach-O relocation against real binaries: zig links dylibs and an executable into a padded
prefix with absolute install names and LC_RPATHs; after ``relocate`` they must name
``@rpath`` and ``@loader_path`` only, and arm64 files must carry a signature that matches
their pages (checked with our verifier, which first has to accept zig's own signature).
Symlink rules are checked through the applier on a temporary prefix.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import lief
import pytest

from conda_forge_like.relocate import (
    MachoLinks,
    RelocationError,
    relocate,
    verify,
)
from conda_forge_like.relocate.codesign import is_signed

needs_zig = pytest.mark.skipif(
    importlib.util.find_spec("ziglang") is None, reason="zig (PyPI ziglang) is not installed"
)
SYSTEM = "/usr/lib/libSystem.B.dylib"
ARCHES = {"x86_64": "osx-64", "aarch64": "osx-arm64"}


def zig_cc(arch: str, *args: str | Path) -> None:
    command = [sys.executable, "-m", "ziglang", "cc", "-target", f"{arch}-macos", *map(str, args)]
    subprocess.run(command, check=True, capture_output=True)


def links(path: Path) -> dict[str, object]:
    """Install name, libraries and rpaths as lief reads them back."""
    with lief.logging.level_scope(lief.logging.LEVEL.OFF):
        fat = lief.MachO.parse(str(path))
    assert fat is not None
    binary = fat.at(0)
    kinds = {str(c.command.name): c for c in binary.commands}
    return {
        "id": kinds["ID_DYLIB"].name if "ID_DYLIB" in kinds else None,
        "dylibs": [c.name for c in binary.commands if str(c.command.name) == "LOAD_DYLIB"],
        "rpaths": [c.path for c in binary.commands if str(c.command.name) == "RPATH"],
        "signed": binary.has_code_signature,
    }


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


@pytest.fixture(params=sorted(ARCHES))
def arch(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def prefix(tmp_path: Path, arch: str) -> Path:
    """libx.dylib (absolute id), liby.dylib (loads libx by absolute path, no rpath) and
    bin/tool (loads both, rpaths into the prefix and at /usr/local/lib)."""
    root = tmp_path / ("_placehold" * 20) / "h_env"
    lib = root / "lib"
    lib.mkdir(parents=True)
    (root / "bin").mkdir()
    src = tmp_path / "src"
    src.mkdir()
    (src / "x.c").write_text("int x(void) { return 1; }\n")
    (src / "y.c").write_text("int x(void);\nint y(void) { return x() + 1; }\n")
    (src / "tool.c").write_text("int y(void);\nint main(void) { return y() - 2; }\n")
    for name, deps in (("x", ()), ("y", ("-lx",))):
        out = lib / f"lib{name}.dylib"
        zig_cc(arch, "-shared", "-o", out, src / f"{name}.c", f"-Wl,-install_name,{out}",
               f"-L{lib}", *deps)  # fmt: skip
    zig_cc(
        arch, "-o", root / "bin" / "tool", src / "tool.c", f"-L{lib}", "-ly", "-lx",
        f"-Wl,-rpath,{lib}", "-Wl,-rpath,/usr/local/lib",
    )  # fmt: skip
    return root


@needs_zig
def test_zig_output_is_what_the_tests_expect(prefix: Path, arch: str) -> None:
    lib = prefix / "lib"
    assert links(lib / "libx.dylib")["id"] == f"{lib}/libx.dylib"
    assert links(lib / "liby.dylib")["dylibs"] == [SYSTEM, f"{lib}/libx.dylib"]
    assert links(prefix / "bin" / "tool")["rpaths"] == [str(lib), "/usr/local/lib"]
    # zig signs arm64 output (with 16 KiB pages): our verifier must accept its signature
    for path in (lib / "libx.dylib", prefix / "bin" / "tool"):
        data = path.read_bytes()
        assert is_signed(data) == (arch == "aarch64")
        if arch == "aarch64":
            assert verify(data) == []


@needs_zig
def test_ids_libraries_and_rpaths_become_relative(prefix: Path, arch: str) -> None:
    report = relocate(prefix, files_under(prefix), str(prefix), ARCHES[arch])

    assert links(prefix / "lib" / "libx.dylib") == {
        "id": "@rpath/libx.dylib", "dylibs": [SYSTEM], "rpaths": [], "signed": arch == "aarch64",
    }  # fmt: skip
    liby = links(prefix / "lib" / "liby.dylib")
    assert (liby["id"], liby["dylibs"]) == ("@rpath/liby.dylib", [SYSTEM, "@rpath/libx.dylib"])
    assert liby["rpaths"] == ["@loader_path"]  # loads @rpath libraries: one is added
    tool = links(prefix / "bin" / "tool")
    assert set(tool["dylibs"]) == {SYSTEM, "@rpath/liby.dylib", "@rpath/libx.dylib"}
    assert tool["rpaths"] == ["@loader_path/../lib"]
    assert report.counts == {"elf": 0, "macho": 3, "pe": 0}
    assert set(report.changed) == {"bin/tool", "lib/libx.dylib", "lib/liby.dylib"}
    assert [(r.binary, r.entry) for r in report.removed] == [("bin/tool", "/usr/local/lib")]
    assert report.prefix_matches == ()  # nothing left for a client to patch at install time


@needs_zig
def test_signed_files_are_signed_again_and_still_parse(prefix: Path, arch: str) -> None:
    relocate(prefix, files_under(prefix), str(prefix), ARCHES[arch])
    for relpath in ("lib/libx.dylib", "lib/liby.dylib", "bin/tool"):
        data = (prefix / relpath).read_bytes()
        assert is_signed(data) == (arch == "aarch64"), relpath
        if arch == "aarch64":
            assert verify(data) == [], relpath
            assert Path(relpath).name.encode() + b"\0" in data[-16384:]  # the identifier
        assert lief.MachO.parse(str(prefix / relpath)) is not None


@needs_zig
def test_a_second_run_changes_nothing(prefix: Path, arch: str) -> None:
    relocate(prefix, files_under(prefix), str(prefix), ARCHES[arch])
    before = {p: (prefix / p).read_bytes() for p in files_under(prefix)}
    again = relocate(prefix, files_under(prefix), str(prefix), ARCHES[arch])
    assert (again.changed, again.removed) == ((), ())
    assert {p: (prefix / p).read_bytes() for p in files_under(prefix)} == before


@needs_zig
def test_read_only_files_are_rewritten_and_keep_their_mode(prefix: Path, arch: str) -> None:
    tool = prefix / "bin" / "tool"
    tool.chmod(0o555)
    relocate(prefix, ["bin/tool"], str(prefix), ARCHES[arch])
    assert links(tool)["rpaths"] == ["@loader_path/../lib"]
    assert tool.stat().st_mode & 0o777 == 0o555


# -- the applier's bookkeeping with a fake relinker ---------------------------------------------


class FakeMachoRelinker:
    def __init__(self, current: MachoLinks) -> None:
        self.current = current
        self.writes: list[tuple[str, MachoLinks]] = []

    def read(self, path: Path) -> MachoLinks:
        return self.current

    def write(self, path: Path, old: MachoLinks, new: MachoLinks) -> None:
        self.writes.append((path.name, new))


def test_relocate_hands_each_macho_plan_to_the_relinker(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libx.dylib").write_bytes(b"\xcf\xfa\xed\xfe" + bytes(60))
    fake = FakeMachoRelinker(MachoLinks("/p/lib/libx.dylib", (SYSTEM,), ("/p/lib", "/opt/lib")))
    report = relocate(tmp_path, ["lib/libx.dylib"], "/p", "osx-64", macho_relinker=fake)
    assert fake.writes == [
        ("libx.dylib", MachoLinks("@rpath/libx.dylib", (SYSTEM,), ("@loader_path",)))
    ]
    assert report.changed == ("lib/libx.dylib",)
    assert [str(r) for r in report.removed] == [
        "lib/libx.dylib: removed RPATH entry '/opt/lib': outside the prefix /p: it would not "
        "exist where the package is installed"
    ]


def test_a_macho_file_lief_cannot_parse_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "broken.dylib").write_bytes(b"\xcf\xfa\xed\xfe")  # magic, no header
    report = relocate(tmp_path, ["lib/broken.dylib"], "/p", "osx-arm64")
    assert report.unreadable == ("lib/broken.dylib",)


# -- symlinks -----------------------------------------------------------------------------------


def test_absolute_links_into_the_prefix_are_made_relative(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libx.so.1").write_text("x")
    (tmp_path / "lib" / "libx.so").symlink_to(tmp_path / "lib" / "libx.so.1")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "x").symlink_to("../lib/libx.so.1")
    report = relocate(tmp_path, files_under(tmp_path), str(tmp_path), "linux-64")
    assert (tmp_path / "lib" / "libx.so").readlink() == Path("libx.so.1")
    assert (tmp_path / "bin" / "x").readlink() == Path("../lib/libx.so.1")
    assert [(f.path, f.new) for f in report.symlinks] == [("lib/libx.so", "libx.so.1")]


@pytest.mark.parametrize("target", ["/usr/lib/libz.so", "../../outside"])
def test_links_leaving_the_prefix_fail_before_anything_is_touched(
    tmp_path: Path, target: str
) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "libz.so").symlink_to(target)
    (tmp_path / "lib" / "liba.so").symlink_to(tmp_path / "lib" / "libz.so")
    with pytest.raises(RelocationError) as info:
        relocate(tmp_path, files_under(tmp_path), str(tmp_path), "linux-64")
    assert f"lib/libz.so -> {target}" in str(info.value)
    assert info.value.hint is not None
    assert (tmp_path / "lib" / "liba.so").readlink() == tmp_path / "lib" / "libz.so"
