"""The info/ files of a package as pure data: index.json, paths.json, files and the rest."""

from __future__ import annotations

import json

import pytest

from conda_forge_like.errors import CflErrorGroup, PackageError
from conda_forge_like.package import PackageMetadata, PathRecord
from conda_forge_like.package import metadata as md

SHA = "a" * 64


def meta(**changes: object) -> PackageMetadata:
    base: dict[str, object] = {
        "name": "greet",
        "version": "1.2.3",
        "build": "h1234567_0",
        "build_number": 0,
        "subdir": "linux-64",
    }
    return PackageMetadata(**{**base, **changes})  # type: ignore[arg-type]


def test_index_json_has_conda_build_fields() -> None:
    index = md.index_json(
        meta(depends=("zlib  >=1.3,<2", "libc"), constrains=("greet-docs 1.2.*",), license="MIT"),
        {},
    )
    assert index == {
        "name": "greet",
        "version": "1.2.3",
        "build": "h1234567_0",
        "build_number": 0,
        "depends": ["libc", "zlib >=1.3,<2"],
        "constrains": ["greet-docs 1.2.*"],
        "subdir": "linux-64",
        "arch": "x86_64",
        "platform": "linux",
        "license": "MIT",
        "timestamp": md.DEFAULT_EPOCH * 1000,
    }


def test_noarch_index_has_no_platform_or_arch() -> None:
    index = md.index_json(meta(subdir="noarch", noarch="generic"), {})
    assert (index["platform"], index["arch"], index["noarch"]) == (None, None, "generic")
    assert "license" not in index
    assert "license_family" not in index


@pytest.mark.parametrize(
    ("subdir", "expected"),
    [
        ("linux-64", ("linux", "x86_64")),
        ("linux-aarch64", ("linux", "aarch64")),
        ("linux-ppc64le", ("linux", "ppc64le")),
        ("osx-arm64", ("osx", "arm64")),
        ("win-64", ("win", "x86_64")),
        ("linux-32", ("linux", "x86")),
        ("noarch", (None, None)),
    ],
)
def test_platform_and_arch_per_subdir(subdir: str, expected: tuple[str, str]) -> None:
    assert md.platform_arch(subdir) == expected


def test_timestamp_from_source_date_epoch_unless_given() -> None:
    assert md.timestamp_ms(meta(), {"SOURCE_DATE_EPOCH": "1700000000"}) == 1_700_000_000_000
    assert md.timestamp_ms(meta(timestamp=42), {"SOURCE_DATE_EPOCH": "1700000000"}) == 42
    assert md.timestamp_ms(meta(), {}) == md.DEFAULT_EPOCH * 1000


def test_source_date_epoch_is_checked_and_clamped_to_zip_range() -> None:
    assert md.source_date_epoch({"SOURCE_DATE_EPOCH": "0"}) == 315_532_800
    with pytest.raises(PackageError, match="SOURCE_DATE_EPOCH"):
        md.source_date_epoch({"SOURCE_DATE_EPOCH": "yesterday"})


def test_paths_json_sorted_with_placeholders_links_and_dirs() -> None:
    records = [
        PathRecord("lib/libgreet.so", "softlink", SHA, 16),
        PathRecord("bin/greet", "hardlink", SHA, 10, "/opt/placehold", "binary"),
        PathRecord("share/empty", "directory", "", 0),
        PathRecord("etc/greet.cfg", "hardlink", SHA, 5, "/opt/placehold", None, no_link=True),
    ]
    assert md.paths_json(records) == {
        "paths": [
            {
                "_path": "bin/greet",
                "path_type": "hardlink",
                "sha256": SHA,
                "size_in_bytes": 10,
                "prefix_placeholder": "/opt/placehold",
                "file_mode": "binary",
            },
            {
                "_path": "etc/greet.cfg",
                "path_type": "hardlink",
                "sha256": SHA,
                "size_in_bytes": 5,
                "prefix_placeholder": "/opt/placehold",
                "file_mode": "text",
                "no_link": True,
            },
            {
                "_path": "lib/libgreet.so",
                "path_type": "softlink",
                "sha256": SHA,
                "size_in_bytes": 16,
            },
            {"_path": "share/empty", "path_type": "directory"},
        ],
        "paths_version": 1,
    }


@pytest.mark.parametrize(
    "path", ["/abs/file", "../up", "a/../b", "a//b", "a/", "./a", "a\\b", "info/index.json", ""]
)
def test_bad_package_paths_are_refused(path: str) -> None:
    assert md.check_path(path) is not None


def test_every_record_problem_is_reported_at_once() -> None:
    records = [
        PathRecord("bin/a", "hardlink", SHA, 1),
        PathRecord("bin/a", "hardlink", SHA, 1),
        PathRecord("/etc/passwd", "hardlink", SHA, 1),
        PathRecord("lib/x", "fifo", SHA, 1),
        PathRecord("lib/y", "softlink", SHA, 1, "/opt/placehold", "text"),
        PathRecord("lib/z", "hardlink", SHA, 1, "/opt/placehold", "utf16"),
    ]
    with pytest.raises(CflErrorGroup) as caught:
        md.check_records(records)
    messages = [str(e) for e in caught.value.errors]
    assert len(messages) == 5
    assert any("listed twice" in m for m in messages)
    assert any("'/etc/passwd'" in m for m in messages)
    assert any("fifo" in m for m in messages)
    assert any("not a regular file" in m for m in messages)
    assert any("utf16" in m for m in messages)


def test_noarch_package_outside_noarch_subdir_is_refused() -> None:
    with pytest.raises(PackageError, match="noarch") as caught:
        md.check_metadata(meta(noarch="generic"))
    assert caught.value.hint


def test_name_with_a_slash_is_refused() -> None:
    with pytest.raises(PackageError, match="name"):
        md.check_metadata(meta(name="a/b"))


def test_info_files_layout() -> None:
    files = md.info_files(
        meta(
            about={"summary": "says hello"},
            hash_input={"target_platform": "linux-64"},
            recipe_files={"recipe.yaml": b"package: {}", "build.sh": b"make"},
            test_files={"run_test.sh": b"greet"},
            extra_info={"baseplate": "abc123"},
            license_files={"LICENSE": b"MIT"},
        ),
        [PathRecord("bin/greet", "hardlink", SHA, 1), PathRecord("lib/a", "hardlink", SHA, 1)],
        {},
    )
    assert sorted(files) == [
        "info/about.json",
        "info/cfl.json",
        "info/files",
        "info/hash_input.json",
        "info/index.json",
        "info/licenses/LICENSE",
        "info/paths.json",
        "info/recipe/build.sh",
        "info/recipe/recipe.yaml",
        "info/test/run_test.sh",
    ]
    assert files["info/files"] == b"bin/greet\nlib/a\n"
    assert json.loads(files["info/cfl.json"]) == {"baseplate": "abc123"}
    assert json.loads(files["info/about.json"]) == {"summary": "says hello"}
    assert files["info/test/run_test.sh"] == b"greet"


def test_run_exports_file_only_when_there_are_exports() -> None:
    without = md.info_files(meta(), [], {})
    all_empty = md.info_files(meta(run_exports={"weak": [], "strong": []}), [], {})
    with_exports = md.info_files(
        meta(run_exports={"weak": ["greet >=1.2.3,<1.3.0a0"], "strong": []}), [], {}
    )
    assert "info/run_exports.json" not in without
    assert "info/run_exports.json" not in all_empty
    assert json.loads(with_exports["info/run_exports.json"]) == {"weak": ["greet >=1.2.3,<1.3.0a0"]}


def test_json_is_sorted_and_indented_like_conda_build() -> None:
    assert md.dumps({"b": 1, "a": [1]}) == b'{\n  "a": [\n    1\n  ],\n  "b": 1\n}'


def test_recipe_file_escaping_info_is_refused() -> None:
    with pytest.raises(PackageError, match="recipe"):
        md.check_metadata(meta(recipe_files={"../../etc/passwd": b""}))
