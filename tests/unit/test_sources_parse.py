"""``source:`` entries of both recipe formats -> ``SourceSpec``s, and the archive safety check:
pure, no files."""

from __future__ import annotations

from typing import Any

import pytest

from conda_forge_like import yamlio
from conda_forge_like.errors import CflError, CflErrorGroup, RecipeError
from conda_forge_like.source import SourceSpec, parse_sources, url_problem
from conda_forge_like.source.archive import Entry, is_archive_name, unsafe_entries

SHA = "a" * 64
MD5 = "b" * 32
V0 = "recipes/foo/meta.yaml"
V1 = "recipes/foo/recipe.yaml"


def errors_of(raw: Any, recipe: str = V0) -> list[CflError]:
    with pytest.raises(CflError) as info:
        parse_sources(raw, recipe)
    error = info.value
    found = error.errors if isinstance(error, CflErrorGroup) else [error]
    assert all(isinstance(e, RecipeError) for e in found)
    assert all(e.location is not None and e.location.file == recipe for e in found)
    return found


def one_error(raw: Any, recipe: str = V0) -> CflError:
    found = errors_of(raw, recipe)
    assert len(found) == 1, [e.message for e in found]
    return found[0]


# --------------------------------------------------------------------------- meta.yaml (v0)


def test_no_source_is_no_spec() -> None:
    assert parse_sources(None, V0) == []
    assert parse_sources([], V0) == []


def test_v0_path_as_a_single_mapping() -> None:
    assert parse_sources({"path": "src"}, V0) == [SourceSpec("path", "src")]


def test_v0_url_with_every_key() -> None:
    raw = {
        "url": "https://example.org/foo-1.0.tar.gz",
        "sha256": SHA.upper(),
        "md5": MD5,
        "folder": "foo",
        "patches": ["fix.patch", "more.patch"],
    }
    assert parse_sources(raw, V0) == [
        SourceSpec(
            "url",
            "https://example.org/foo-1.0.tar.gz",
            sha256=SHA,
            md5=MD5,
            folder="foo",
            patches=("fix.patch", "more.patch"),
        )
    ]


def test_v0_md5_alone_is_a_checksum() -> None:
    [spec] = parse_sources({"url": "file:///tmp/x.zip", "md5": MD5}, V0)
    assert (spec.sha256, spec.md5) == (None, MD5)


def test_v0_url_list_is_mirrors() -> None:
    raw = {"url": ["https://a.org/x.tgz", "https://b.org/x.tgz"], "sha256": SHA}
    [spec] = parse_sources(raw, V0)
    assert spec.location == "https://a.org/x.tgz"
    assert spec.mirrors == ("https://b.org/x.tgz",)


def test_v0_fn_naming_an_archive_still_extracts() -> None:
    [spec] = parse_sources({"url": "https://a.org/dl?id=3", "sha256": SHA, "fn": "x.tar.gz"}, V0)
    assert spec.file_name is None


def test_v0_fn_naming_a_plain_file_keeps_it() -> None:
    [spec] = parse_sources({"url": "https://a.org/dl", "sha256": SHA, "fn": "tool.py"}, V0)
    assert spec.file_name == "tool.py"


def test_v0_git() -> None:
    raw = {"git_url": "../repo", "git_rev": "v1.2", "git_depth": 1, "folder": "g"}
    assert parse_sources(raw, V0) == [SourceSpec("git", "../repo", git_rev="v1.2", folder="g")]


def test_v0_single_patch_string() -> None:
    [spec] = parse_sources({"path": ".", "patches": "one.patch"}, V0)
    assert spec.patches == ("one.patch",)


def test_v0_several_sources_in_order() -> None:
    raw = [
        {"url": "https://a.org/a.tar.gz", "sha256": SHA},
        {"path": "extra", "folder": "extra"},
    ]
    assert [(s.kind, s.folder) for s in parse_sources(raw, V0)] == [
        ("url", None),
        ("path", "extra"),
    ]


# --------------------------------------------------------------------------- recipe.yaml (v1)


def test_v1_url_target_directory_and_file_name() -> None:
    raw = [
        {
            "url": "https://a.org/data.tar.gz",
            "sha256": SHA,
            "target_directory": "data/",
            "file_name": "data.tar.gz",
        }
    ]
    [spec] = parse_sources(raw, V1)
    assert (spec.folder, spec.file_name) == ("data", "data.tar.gz")


@pytest.mark.parametrize("key", ["rev", "tag", "branch"])
def test_v1_git_revision_keys(key: str) -> None:
    [spec] = parse_sources({"git": "https://github.com/o/r.git", key: "main"}, V1)
    assert (spec.kind, spec.location, spec.git_rev) == ("git", "https://github.com/o/r.git", "main")


def test_v1_git_two_revisions_is_an_error() -> None:
    error = one_error({"git": "repo", "tag": "v1", "branch": "main"}, V1)
    assert "`tag`" in error.message
    assert "`branch`" in error.message


def test_v1_path_with_file_name() -> None:
    [spec] = parse_sources({"path": "blob.tar.gz", "file_name": "blob.tar.gz"}, V1)
    assert spec == SourceSpec("path", "blob.tar.gz", file_name="blob.tar.gz")


def test_dot_folder_is_the_source_root() -> None:
    [spec] = parse_sources({"path": "x", "target_directory": "./"}, V1)
    assert spec.folder is None


# --------------------------------------------------------------------------- pypi


def test_pypi_with_sha256_inside() -> None:
    raw = {"pypi": {"name": "foo-bar", "version": "1.10", "sha256": SHA}, "folder": "py"}
    assert parse_sources(raw, V1) == [
        SourceSpec("pypi", "foo-bar", sha256=SHA, version="1.10", folder="py")
    ]


def test_pypi_with_sha256_beside() -> None:
    [spec] = parse_sources({"pypi": {"name": "foo", "version": "2"}, "sha256": SHA}, V0)
    assert (spec.location, spec.version, spec.sha256) == ("foo", "2", SHA)


def test_pypi_conflicting_sha256() -> None:
    raw = {"pypi": {"name": "foo", "version": "2", "sha256": SHA}, "sha256": "c" * 64}
    assert "two different sha256" in one_error(raw).message


def test_pypi_needs_an_exact_version() -> None:
    error = one_error({"pypi": {"name": "foo", "version": ">=1", "sha256": SHA}})
    assert "exact `version`" in error.message
    assert error.hint
    assert "quoted" in error.hint


def test_pypi_needs_a_mapping() -> None:
    assert "must be a mapping" in one_error({"pypi": "foo==1.0"}).message


def test_pypi_unknown_inner_key() -> None:
    error = one_error({"pypi": {"name": "foo", "version": "1", "sha256": SHA, "index": "x"}})
    assert "`index`" in error.message


# --------------------------------------------------------------------------- errors


def test_url_without_checksum_is_refused_with_a_hint() -> None:
    error = one_error({"url": "https://a.org/x.tar.gz"})
    assert "no `sha256`" in error.message
    assert error.hint
    assert "sha256sum" in error.hint


def test_malformed_sha256() -> None:
    error = one_error({"url": "https://a.org/x.tar.gz", "sha256": "abc"})
    assert "64 hexadecimal" in error.message


def test_unknown_key_suggests_the_close_one() -> None:
    error = one_error({"url": "https://a.org/x.tar.gz", "sha256": SHA, "sha265": SHA})
    assert "unknown key `sha265`" in error.message
    assert error.hint == "did you mean `sha256`?"


def test_key_of_another_kind_is_unknown() -> None:
    assert "unknown key `git_rev`" in one_error({"path": ".", "git_rev": "x"}).message


@pytest.mark.parametrize(("key", "what"), [("svn_url", "svn"), ("hg_url", "mercurial")])
def test_unsupported_kinds(key: str, what: str) -> None:
    assert what in one_error({key: "https://x.org/repo"}).message


def test_unsupported_key_says_so() -> None:
    error = one_error({"git": "repo", "lfs": True}, V1)
    assert "git LFS are not supported" in error.message


def test_two_kinds_in_one_entry() -> None:
    error = one_error({"path": ".", "url": "https://a.org/x.zip", "sha256": SHA})
    assert "more than one source kind" in error.message


def test_no_kind() -> None:
    assert "no source kind" in one_error({"folder": "x"}).message


def test_entry_must_be_a_mapping() -> None:
    assert "must be a mapping" in one_error(["https://a.org/x.tgz"]).message


@pytest.mark.parametrize("folder", ["../up", "/abs", "a/../../b"])
def test_folder_must_stay_inside(folder: str) -> None:
    assert "leaves the source directory" in one_error({"path": ".", "folder": folder}).message


def test_folder_and_target_directory_together() -> None:
    error = one_error({"path": ".", "folder": "a", "target_directory": "a"})
    assert "keep one" in error.message


def test_file_name_must_be_plain() -> None:
    assert "plain file name" in one_error({"path": "x", "file_name": "a/b"}, V1).message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://a.org/x.tgz", "only http://"),
        ("file://relative/x.tgz", "absolute path"),
        ("https:///x.tgz", "no host"),
        ("x.tgz", "only http://"),
    ],
)
def test_bad_urls(url: str, fragment: str) -> None:
    problem = url_problem(url)
    assert problem
    assert fragment in problem
    assert fragment in one_error({"url": url, "sha256": SHA}).message


def test_every_problem_of_every_entry_at_once() -> None:
    raw = [
        {"url": "https://a.org/x.tgz"},
        {"path": ".", "folder": "../x"},
        {"pypi": {"name": "foo"}},
    ]
    found = errors_of(raw)
    labels = sorted({e.message.split(":")[0] for e in found})
    assert labels == ["source #1", "source #2", "source #3"]


def test_errors_name_the_line() -> None:
    text = "source:\n  - path: src\n  - url: https://a.org/x.tgz\n    sha256: nope\n"
    raw = yamlio.load(text, V0)["source"]
    error = one_error(raw)
    assert error.location is not None
    assert error.location.line == 4
    assert str(error.location) == f"{V0}:4"


# --------------------------------------------------------------------------- archive safety


def test_archive_names() -> None:
    assert is_archive_name("foo-1.0.TAR.GZ")
    assert is_archive_name("x.tgz")
    assert is_archive_name("x.zip")
    assert is_archive_name("x.tar.zst")
    assert not is_archive_name("x.whl")
    assert not is_archive_name("x.py")


def test_safe_entries_pass() -> None:
    entries = [
        Entry("./", "dir"),
        Entry("pkg-1.0/", "dir"),
        Entry("pkg-1.0/src/a.c", "file"),
        Entry("pkg-1.0/lib.so", "symlink", "src/a.c"),
        Entry("pkg-1.0/up", "symlink", "../pkg-1.0/src"),
        Entry("pkg-1.0/hard", "hardlink", "pkg-1.0/src/a.c"),
    ]
    assert unsafe_entries(entries) == []


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (Entry("../evil", "file"), "escapes"),
        (Entry("a/../../evil", "file"), "escapes"),
        (Entry("/etc/passwd", "file"), "absolute path"),
        (Entry("C:\\x", "file"), "absolute path"),
        (Entry("a/link", "symlink", "../../etc"), "pointing outside"),
        (Entry("link", "symlink", "/etc/passwd"), "absolute path"),
        (Entry("hard", "hardlink", "../x"), "pointing outside"),
        (Entry("dev", "other"), "special file"),
    ],
)
def test_unsafe_entries(entry: Entry, reason: str) -> None:
    [problem] = unsafe_entries([entry])
    assert reason in problem


def test_entry_written_through_an_earlier_symlink() -> None:
    # `a -> .` stays inside, but `a/b -> ../x` is really `./b -> ../x`: outside.
    entries = [Entry("a", "symlink", "."), Entry("a/b", "symlink", "../x")]
    [problem] = unsafe_entries(entries)
    assert "'a/b'" in problem
    assert "through a symlink" in problem
