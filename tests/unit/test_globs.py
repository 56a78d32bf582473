"""``files:`` globs as conda-build and rattler-build read them (``**`` is zero or more dirs)."""

from __future__ import annotations

import pytest

from conda_forge_like.build.files import select
from conda_forge_like.globs import matches, selects


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("lib/libx.so", "lib/**/*.so", True),
        ("lib/a/b/libx.so", "lib/**/*.so", True),
        ("lib/libx.so.1", "lib/*.so*", True),
        ("lib/sub/x.so", "lib/*.so", False),
        ("include/a/b.h", "include/", True),
        ("includes/a.h", "include/", False),
        ("c", "**/c", True),
        ("lib/5.so", "lib/[0-9].so", True),
        ("lib/a.so", "lib/[!ab].so", False),
        ("share/x.txt", "share/x.txt", True),
    ],
)
def test_glob_semantics(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


def test_select_picks_files_directly_under_a_double_star() -> None:
    files = {"lib/libx.so", "lib/sub/liby.so", "bin/tool"}
    assert select(files, ["lib/**/*.so"]) == ["lib/libx.so", "lib/sub/liby.so"]


def test_a_pattern_naming_a_folder_selects_what_is_under_it_for_meta_yaml() -> None:
    """conda-build's expand_globs: `include` and `lib/pkg*` select whole folders."""
    assert selects("include/a/b.h", "include")
    assert selects("lib/pkgconfig/x.pc", "lib/pkg*")
    assert not selects("lib/libx.so", "lib/pkg*")
    assert not matches("include/a/b.h", "include")
