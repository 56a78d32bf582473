"""Relocation never writes through a hard link to a file outside the prefix."""

from __future__ import annotations

import os
from pathlib import Path

from conda_forge_like.relocate.apply import break_hardlinks


def test_a_hard_linked_file_gets_its_own_copy(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    prefix = tmp_path / "prefix"
    (prefix / "share").mkdir(parents=True)
    os.link(outside, prefix / "share" / "linked.txt")
    (prefix / "share" / "own.txt").write_text("own\n")

    broken = break_hardlinks(prefix, ["share/linked.txt", "share/own.txt", "share/gone.txt"])

    assert broken == ["share/linked.txt"]
    linked = prefix / "share" / "linked.txt"
    assert not linked.samefile(outside)
    assert linked.read_text() == "precious\n"
    linked.write_text("patched\n")
    assert outside.read_text() == "precious\n"
    assert outside.stat().st_nlink == 1


def test_symlinks_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "target").write_text("x")
    os.link(tmp_path / "target", tmp_path / "second")
    (tmp_path / "link").symlink_to("target")
    assert break_hardlinks(tmp_path, ["link"]) == []
    assert (tmp_path / "link").is_symlink()
