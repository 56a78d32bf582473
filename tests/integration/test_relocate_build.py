"""Relocation through ``cfl build``: a symlink leaving the prefix fails the build with an
ERROR naming the link, its target and a TIP, and nothing is written to the channel."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like.cli import main

RECIPES = Path(__file__).resolve().parent.parent / "data" / "recipes"


def test_a_symlink_out_of_the_prefix_fails_before_the_package_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    recipe = RECIPES / "symlink-outside-prefix"
    code = main(["build", str(recipe), "--output-dir", str(out), "--target-platform", "linux-64"])
    err = capsys.readouterr().err
    assert code == 5
    assert "etc/os-release -> /etc/os-release: an absolute path outside the prefix" in err
    assert "etc/data.txt" not in err  # a link into the prefix is fine (made relative)
    assert "TIP:" in err
    assert "Traceback" not in err
    assert not list(out.rglob("*.conda"))
    assert not list(out.rglob("*.tar.bz2"))
