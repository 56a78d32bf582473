"""The source stage's pure rules: which cache folder, how files are named there, which sources
``cfl fetch-sources`` fetches, and how patches are tried (strip levels, line endings, flags)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like import cli
from conda_forge_like.source import SourceSpec, cache, patch, unique_downloads

SHA = "ab" * 32
MD5 = "cd" * 16


# --------------------------------------------------------------------------- which folder


def test_the_option_wins_over_the_environment() -> None:
    env = {"CFL_SOURCE_CACHE": "/env/cache", "XDG_CACHE_HOME": "/xdg"}
    assert cache.resolve_dir("/cli/cache", env) == Path("/cli/cache")


def test_the_environment_wins_over_the_default() -> None:
    env = {"CFL_SOURCE_CACHE": "/env/cache", "XDG_CACHE_HOME": "/xdg"}
    assert cache.resolve_dir(None, env) == Path("/env/cache")


def test_the_default_follows_xdg_cache_home() -> None:
    assert cache.resolve_dir(None, {"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/cfl/sources")


def test_the_default_without_xdg_is_under_the_home_cache() -> None:
    assert cache.resolve_dir(None, {"CFL_SOURCE_CACHE": ""}).parts[-3:] == (
        ".cache",
        "cfl",
        "sources",
    )


# --------------------------------------------------------------------------- naming


def test_entries_are_named_by_their_lowercase_sha256() -> None:
    assert cache.entry_name(SHA.upper()) == SHA


def test_md5_aliases_live_in_their_own_folder() -> None:
    assert cache.md5_alias_name(MD5.upper()) == f"md5/{MD5}"


@pytest.mark.parametrize("bad", ["", "../etc/passwd", "ab" * 16, "zz" * 32])
def test_names_that_are_not_digests_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        cache.entry_name(bad)


def test_mismatches_lists_only_the_checksums_the_recipe_gives() -> None:
    actual = {"sha256": SHA, "md5": MD5}
    assert cache.mismatches(actual, SourceSpec("url", "u", sha256=SHA)) == []
    assert cache.mismatches(actual, SourceSpec("url", "u", md5="0" * 32)) == [
        ("md5", "0" * 32, MD5)
    ]


def test_describe_prefers_sha256() -> None:
    assert cache.describe(SourceSpec("url", "u", sha256=SHA, md5=MD5)) == f"sha256 {SHA}"
    assert cache.describe(SourceSpec("url", "u", md5=MD5)) == f"md5 {MD5}"


# --------------------------------------------------------------------------- fetch-sources


def test_unique_downloads_keeps_each_file_once_and_skips_local_kinds() -> None:
    url = SourceSpec("url", "https://example.org/a.tar.gz", sha256=SHA)
    specs = [
        url,
        SourceSpec("path", "src"),
        SourceSpec("git", "https://example.org/r.git"),
        url,  # the same source in a second variant or output
        SourceSpec("pypi", "foo", sha256="ef" * 32, version="1.0"),
    ]
    assert [s.kind for s in unique_downloads(specs)] == ["url", "pypi"]


# --------------------------------------------------------------------------- patches


GIT_DIFF = """\
diff --git a/lib/code.c b/lib/code.c
--- a/lib/code.c\t2024-01-01 00:00:00
+++ b/lib/code.c
@@ -1 +1 @@
-x
+y
--- /dev/null
+++ b/lib/new.c
@@ -0,0 +1 @@
+z
"""


def test_patched_paths_reads_the_file_lines() -> None:
    assert patch.patched_paths(GIT_DIFF) == ["a/lib/code.c", "b/lib/code.c", "b/lib/new.c"]


def test_git_style_paths_try_p1_first() -> None:
    order = patch.strip_level_order(["a/lib/code.c", "b/lib/code.c"], {"lib/code.c"}.__contains__)
    assert order[0] == 1


def test_plain_paths_try_p0_first() -> None:
    order = patch.strip_level_order(["lib/code.c"], {"lib/code.c"}.__contains__)
    assert order == [0, 1, 2, 3]


def test_nothing_found_keeps_conda_builds_preference() -> None:
    assert patch.strip_level_order(["x/y/z.c"], lambda _p: False) == [1, 0, 2, 3]


def test_line_ending_variants() -> None:
    variants = patch.line_ending_variants(b"-a\r\n+b\r\n")
    assert variants == {"native": b"-a\r\n+b\r\n", "lf": b"-a\n+b\n"}
    assert patch.line_ending_variants(b"-a\n")["crlf"] == b"-a\r\n"


def test_patch_command_is_conda_builds_with_default_fuzz() -> None:
    cmd = patch.patch_command(Path("/r/fix.patch"), 1, patch.DEFAULT_FUZZ, dry_run=True)
    assert cmd[:5] == ["patch", "--batch", "--forward", "--no-backup-if-mismatch", "-p1"]
    assert "--binary" in cmd
    assert cmd[-1] == "--dry-run"
    assert not any(arg.startswith("--fuzz") for arg in cmd)


def test_the_wide_fuzz_is_explicit() -> None:
    cmd = patch.patch_command(Path("/r/fix.patch"), 0, patch.WIDE_FUZZ, dry_run=False)
    assert "--fuzz=3" in cmd
    assert "--dry-run" not in cmd


@pytest.mark.parametrize("command", ["build", "debug", "fetch-sources"])
def test_the_commands_take_a_source_cache(command: str) -> None:
    args = cli._parser().parse_args([command, "recipes/x", "--source-cache", "/c"])
    assert args.source_cache == "/c"
