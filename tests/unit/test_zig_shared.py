"""zig_shared.shared: every install of one ziglang wheel runs zig from one copy of it (the same
inodes and mtimes, so zig's cache manifests match whichever environment builds); another
wheel gets its own copy; a zig not installed from a wheel runs as it is.

The installs are fake wheel installs (test_zig_manifests.write_install)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from fake_ziglang import LIB_FILES, reinstall, write_install

from conda_forge_like.baseplate import zig_manifests, zig_shared


def stats(zig: str) -> dict[str, tuple[int, int, int]]:
    lib = Path(zig).parent / "lib"
    out = {}
    for rel in LIB_FILES:
        st = os.stat(lib / rel)
        out[rel] = (st.st_size, st.st_ino, st.st_mtime_ns)
    return out


def test_two_environments_with_one_wheel_run_one_copy(tmp_path: Path) -> None:
    root = tmp_path / "installs"
    first = write_install(tmp_path / "venv-a")
    second = write_install(tmp_path / "venv-b")  # the same wheel: new files, other inodes
    assert stats(str(first)) != stats(str(second))
    copy = zig_shared.shared(root, str(first))
    assert copy.startswith(str(root))
    assert os.access(copy, os.X_OK)
    assert zig_shared.shared(root, str(second)) == copy
    assert zig_shared.shared(root, str(first)) == copy  # remembered: no second copy
    assert len([p for p in root.iterdir() if p.is_dir()]) == 1
    # the copy is a wheel install of its own: reseat keeps its manifests when it moves
    install = zig_manifests.find_install(copy)
    assert install is not None
    assert install.wheel() == zig_manifests.find_install(str(first)).wheel()
    assert set(install.lib_stats()[1]) == set(LIB_FILES)  # RECORD is still the newest file
    assert (Path(copy).parent / "lib" / "std" / "std.zig").read_bytes() == LIB_FILES["std/std.zig"]


def test_the_copy_outlives_a_reinstall_and_an_uninstall(tmp_path: Path) -> None:
    root, site = tmp_path / "installs", tmp_path / "venv"
    zig = write_install(site)
    copy = zig_shared.shared(root, str(zig))
    before = stats(copy)
    reinstall(site)  # new inodes at the same place
    assert zig_shared.shared(root, str(zig)) == copy
    assert stats(copy) == before  # what zig's manifests recorded still holds
    shutil.rmtree(site)
    assert stats(copy) == before


def test_another_wheel_gets_its_own_copy(tmp_path: Path) -> None:
    root = tmp_path / "installs"
    old = zig_shared.shared(root, str(write_install(tmp_path / "a")))
    files = {**LIB_FILES, "std/std.zig": b"pub const a = 2;\n"}
    new = zig_shared.shared(root, str(write_install(tmp_path / "b", files)))
    assert new != old
    assert (Path(new).parent / "lib" / "std" / "std.zig").read_bytes() == files["std/std.zig"]


def test_without_hard_links_the_files_are_copied(tmp_path: Path, monkeypatch) -> None:
    def no_links(source: str, dest: str) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(zig_shared.os, "link", no_links)
    zig = write_install(tmp_path / "venv")
    copy = zig_shared.shared(tmp_path / "installs", str(zig))
    assert copy != os.path.realpath(zig)
    install = zig_manifests.find_install(copy)
    assert install is not None
    assert set(install.lib_stats()[1]) == set(LIB_FILES)


def test_a_zig_from_elsewhere_runs_as_it_is(tmp_path: Path) -> None:
    zig = tmp_path / "bin" / "zig"
    zig.parent.mkdir()
    zig.write_bytes(b"\x7fELF")
    assert zig_shared.shared(tmp_path / "installs", str(zig)) == str(zig)


def test_a_copy_that_cannot_be_made_leaves_the_install_in_use(tmp_path: Path) -> None:
    zig = write_install(tmp_path / "venv")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert zig_shared.shared(blocked / "installs", str(zig)) == os.path.realpath(zig)


@pytest.mark.parametrize("lost", ["copy", "index"])
def test_a_lost_copy_or_index_is_made_again(tmp_path: Path, lost: str) -> None:
    root = tmp_path / "installs"
    zig = write_install(tmp_path / "venv")
    copy = zig_shared.shared(root, str(zig))
    if lost == "copy":
        shutil.rmtree(Path(copy).parents[1])
    else:
        (root / "installs.json").unlink()
    assert zig_shared.shared(root, str(zig)) == copy
    assert os.path.isfile(copy)
