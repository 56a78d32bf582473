"""zig_manifests.reseat: after ziglang is installed again (same wheel, new inodes and mtimes),
the cache manifests' entries of zig's lib files get the new stats — and nothing else does.

The manifests here are written by the test in zig 0.17's layout (std/Build/Cache.zig) with
struct, independently of the module's parser; the install is a fake wheel install (a zig
file, lib sources and a RECORD listing them)."""

from __future__ import annotations

import fcntl
import os
import shutil
import struct
from pathlib import Path

import pytest
from fake_ziglang import LIB_FILES, reinstall, write_install

from conda_forge_like.baseplate import zig_manifests


def entry(stat: tuple[int, int, int], path: str, prefix: int = 1, kind: int = 0) -> bytes:
    digest = bytes(range(16))
    return struct.pack("<QQq16sB", *stat, digest, prefix << 2 | kind) + path.encode() + b"\0"


def lib_stat(site: Path, rel: str) -> tuple[int, int, int]:
    st = os.stat(site / "ziglang" / "lib" / rel)
    return (st.st_size, st.st_ino, st.st_mtime_ns)


def image(*entries: bytes) -> bytes:
    return b"".join(entries) + b"\0"


def manifest(cache: Path, name: str, entries: list[bytes]) -> Path:
    path = cache / "h" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image(*entries))
    return path


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    site, cache = tmp_path / "site", tmp_path / "cache"
    zig = write_install(site)
    return site, cache, zig


def test_a_reinstall_moves_the_lib_entries_to_the_new_stats(setup) -> None:
    site, cache, zig = setup
    old = {rel: lib_stat(site, rel) for rel in LIB_FILES}
    source, header = "/src/hello.c", "libc/include/stdio.h"
    rt = manifest(cache, "rt", [entry(old["compiler_rt.zig"], "compiler_rt.zig"),
                                entry(old["std/std.zig"], "std/std.zig")])  # fmt: skip
    obj = manifest(cache, "obj", [entry((5, 77, 88), source, prefix=0), entry(old[header], header)])
    assert zig_manifests.reseat(cache, str(zig)) == 0  # the first sight only records the install
    reinstall(site)
    new = {rel: lib_stat(site, rel) for rel in LIB_FILES}
    assert all(new[rel] != old[rel] for rel in LIB_FILES)
    assert zig_manifests.reseat(cache, str(zig)) == 3
    assert rt.read_bytes() == image(entry(new["compiler_rt.zig"], "compiler_rt.zig"),
                                    entry(new["std/std.zig"], "std/std.zig"))  # fmt: skip
    assert obj.read_bytes() == image(
        entry((5, 77, 88), source, prefix=0), entry(new[header], header)
    )
    assert zig_manifests.reseat(cache, str(zig)) == 0  # nothing changed since


def test_only_entries_carrying_the_recorded_old_stat_change(setup) -> None:
    site, cache, zig = setup
    old_rt = lib_stat(site, "compiler_rt.zig")
    unknown = (old_rt[0], old_rt[1] + 1, old_rt[2])  # from an install never seen: contents unknown
    kept = [
        entry(unknown, "compiler_rt.zig"),
        entry(old_rt, "compiler_rt.zig", prefix=0),  # the same name in another folder
        entry(old_rt, "compiler_rt.zig", kind=0b10),  # metadata-only: its digest is the stat's
        entry(old_rt, "not/in/the/wheel.zig"),
    ]
    path = manifest(cache, "m", kept)
    before = path.read_bytes()
    zig_manifests.reseat(cache, str(zig))
    reinstall(site)
    assert zig_manifests.reseat(cache, str(zig)) == 0
    assert path.read_bytes() == before


def test_a_file_edited_after_its_install_is_never_vouched_for(setup) -> None:
    site, cache, zig = setup
    edited = site / "ziglang" / "lib" / "std" / "std.zig"
    edited.write_bytes(b"pub const a = 2;\n")  # same size, newer than RECORD
    later = os.stat(site / "ziglang-0.17.1.dist-info" / "RECORD").st_mtime_ns + 10**9
    os.utime(edited, ns=(later, later))
    stat = lib_stat(site, "std/std.zig")
    path = manifest(cache, "m", [entry(stat, "std/std.zig")])  # hashed the edited contents
    zig_manifests.reseat(cache, str(zig))
    reinstall(site)
    assert zig_manifests.reseat(cache, str(zig)) == 0
    assert path.read_bytes() == b"".join([entry(stat, "std/std.zig")]) + b"\0"


def test_another_wheel_at_the_same_place_changes_nothing(setup) -> None:
    site, cache, zig = setup
    stat = lib_stat(site, "compiler_rt.zig")
    path = manifest(cache, "m", [entry(stat, "compiler_rt.zig")])
    zig_manifests.reseat(cache, str(zig))
    reinstall(site, record_extra="ziglang/lib/new.zig,sha256=y,1\n")  # another RECORD
    assert zig_manifests.reseat(cache, str(zig)) == 0
    assert path.read_bytes() == entry(stat, "compiler_rt.zig") + b"\0"


def test_damaged_locked_and_foreign_manifests_are_left_alone(setup) -> None:
    site, cache, zig = setup
    stat = lib_stat(site, "compiler_rt.zig")
    cut = manifest(cache, "cut", [entry(stat, "compiler_rt.zig")[:-9]])
    unfinished = cache / "h" / "unfinished"
    unfinished.write_bytes(b"")
    locked = manifest(cache, "locked", [entry(stat, "compiler_rt.zig")])
    good = manifest(cache, "good", [entry(stat, "compiler_rt.zig")])
    (cache / "h" / "timestamp").write_bytes(b"")
    images = {p: p.read_bytes() for p in (cut, unfinished, locked)}
    zig_manifests.reseat(cache, str(zig))
    reinstall(site)
    with locked.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_SH)  # a zig using it
        assert zig_manifests.reseat(cache, str(zig)) == 1
    assert {p: p.read_bytes() for p in images} == images
    assert good.read_bytes() == entry(lib_stat(site, "compiler_rt.zig"), "compiler_rt.zig") + b"\0"


def test_a_zig_not_from_a_wheel_is_left_alone(tmp_path: Path) -> None:
    zig = tmp_path / "opt" / "zig" / "zig"
    zig.parent.mkdir(parents=True)
    zig.write_bytes(b"zig")
    assert zig_manifests.find_install(str(zig)) is None
    assert zig_manifests.reseat(tmp_path / "cache", str(zig)) == 0
    assert not (tmp_path / "cache" / "h").exists()


def test_an_unreadable_state_is_rebuilt(setup) -> None:
    site, cache, zig = setup
    zig_manifests.reseat(cache, str(zig))
    for state in (cache / "installs").glob("*.json"):
        state.write_text("{not json")
    stat = lib_stat(site, "compiler_rt.zig")
    path = manifest(cache, "m", [entry(stat, "compiler_rt.zig")])
    assert zig_manifests.reseat(cache, str(zig)) == 0  # recorded again, nothing vouched for
    reinstall(site)
    assert zig_manifests.reseat(cache, str(zig)) == 1
    assert path.read_bytes() == entry(lib_stat(site, "compiler_rt.zig"), "compiler_rt.zig") + b"\0"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (entry((1, 2, 3), "a"), "final NUL"),
        (entry((1, 2, 3), "a")[:30] + b"\0", "cut short"),
        (entry((1, 2, 3), "a") + struct.pack("<QQq16sB", 1, 2, 3, bytes(16), 4) + b"\0", "path"),
    ],
)
def test_parse_refuses_what_is_not_a_manifest(data: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        zig_manifests.parse(data)


def test_parse_reads_entries_and_offsets() -> None:
    first, second = entry((1, 2, 3), "std/a.zig"), entry((4, 5, -6), "/abs/b.c", prefix=0)
    parsed = zig_manifests.parse(first + second + b"\0")
    assert parsed == [(0, (1, 2, 3), 4, b"std/a.zig"), (len(first), (4, 5, -6), 0, b"/abs/b.c")]


def test_byte_code_and_other_packages_in_record_do_not_count(setup) -> None:
    """pip compiles the package's Python files at install time: their rows may differ from one
    install to the next while the wheel is the same one."""
    site, cache, zig = setup
    stat = lib_stat(site, "compiler_rt.zig")
    path = manifest(cache, "m", [entry(stat, "compiler_rt.zig")])
    zig_manifests.reseat(cache, str(zig))
    reinstall(site, record_extra="ziglang/__pycache__/__init__.cpython-311.pyc,sha256=z,9\n"
                                 "../../../bin/python-zig,sha256=q,5\n")  # fmt: skip
    assert zig_manifests.reseat(cache, str(zig)) == 1
    assert path.read_bytes() == image(entry(lib_stat(site, "compiler_rt.zig"), "compiler_rt.zig"))


def test_another_environment_s_entries_move_to_the_install_first_seen(tmp_path: Path) -> None:
    """Manifests written by another install of the same wheel (its own inodes): the first
    sight of this one gives them its stats; an install whose folder is gone is not asked."""
    cache = tmp_path / "cache"
    first = write_install(tmp_path / "venv-a")
    assert zig_manifests.reseat(cache, str(first)) == 0
    stale = {rel: lib_stat(tmp_path / "venv-a", rel) for rel in LIB_FILES}
    rt = manifest(cache, "rt", [entry(stale["compiler_rt.zig"], "compiler_rt.zig"),
                                entry(stale["std/std.zig"], "std/std.zig")])  # fmt: skip
    second = write_install(tmp_path / "venv-b")
    assert zig_manifests.reseat(cache, str(second)) == 2
    now = [stat for _, stat, _, _ in zig_manifests.parse(rt.read_bytes())]
    assert now == [lib_stat(tmp_path / "venv-b", "compiler_rt.zig"),
                   lib_stat(tmp_path / "venv-b", "std/std.zig")]  # fmt: skip

    other = manifest(cache, "other", [entry(stale["std/std.zig"], "std/std.zig")])
    shutil.rmtree(tmp_path / "venv-a")
    third = write_install(tmp_path / "venv-c")
    assert zig_manifests.reseat(cache, str(third)) == 2  # "rt" again; venv-a's are not asked
    assert other.read_bytes() == image(entry(stale["std/std.zig"], "std/std.zig"))
