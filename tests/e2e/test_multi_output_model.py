"""conda-build's multi-output model and rattler-build's script mapping, by package contents.

``v0-shared-workdir``: the top-level build.sh runs once; the output named like the recipe
gets all its files, ``files:`` with directory names and globs pick, an output's script runs in
the shared work directory and packages only what it adds, an output with neither is empty,
and ``skip: true`` drops an output. ``gcc-bootstrap-variant``: conda-forge's bootstrap
compiler name in a variant file builds with the base plate's zig, named in the hash.
``test-requires-compiler``: a compiler in a test's requires is the base plate's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conda_forge_like import api, index, package

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parent.parent / "data" / "recipes"


def contents(channel: Path, subdir: str, name: str) -> set[str]:
    (path,) = (channel / subdir).glob(f"{name}-[0-9]*.conda")
    paths = json.loads(package.read_info(path, "paths.json") or b"{}")["paths"]
    return {p["_path"] for p in paths}


@pytest.fixture(scope="module")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("multi")
    counter = out.parent / "top-runs.txt"
    import os

    os.environ["CFL_TEST_TOP_COUNTER"] = str(counter)
    try:
        api.build(
            [
                DATA / "v0-shared-workdir",
                DATA / "gcc-bootstrap-variant",
                DATA / "script-mapping",
                DATA / "test-requires-compiler",
            ],
            output_dir=out,
            sandbox=False,
        )
    finally:
        del os.environ["CFL_TEST_TOP_COUNTER"]
    assert counter.read_text() == "top\n", "the top-level build runs once"
    return out


def test_the_output_named_like_the_recipe_gets_every_top_level_file(channel: Path) -> None:
    assert contents(channel, "noarch", "v0shared") == {
        "include/v0shared/v0shared.h",
        "lib/pkgconfig/v0shared.pc",
        "lib/v0shared.txt",
        "share/v0shared/README",
    }


def test_files_directories_and_globs_select(channel: Path) -> None:
    dev = contents(channel, "noarch", "v0shared-dev")
    assert dev == {"include/v0shared/v0shared.h", "lib/pkgconfig/v0shared.pc"}
    assert contents(channel, "noarch", "v0shared-data") == {"lib/v0shared.txt"}


def test_an_output_script_runs_in_the_shared_work_dir(channel: Path) -> None:
    assert contents(channel, "noarch", "v0shared-static") == {"lib/libv0shared.a"}


def test_no_script_no_files_is_empty_and_skip_drops(channel: Path) -> None:
    assert contents(channel, "noarch", "v0shared-meta") == set()
    names = {r["name"] for r in index.records(channel, "noarch").values()}
    assert "v0shared-skipped" not in names


def test_gcc_bootstrap_builds_with_zig_named_in_the_hash(channel: Path) -> None:
    (path,) = (channel / "linux-64").glob("gcc-bootstrap-variant-*.conda")
    hashed = json.loads(package.read_info(path, "hash_input.json") or b"{}")
    assert hashed["c_compiler"] == "zig"
    assert "bin/hello-bootstrap" in contents(channel, "linux-64", "gcc-bootstrap-variant")


def test_a_script_mapping_runs_its_file_interpreter_env_and_cwd(
    channel: Path, tmp_path: Path
) -> None:
    (path,) = (channel / "noarch").glob("script-mapping-*.conda")
    package.extract(path, tmp_path)
    share = tmp_path / "share" / "script-mapping"
    assert (share / "greeting.txt").read_text() == "hello from env\n"
    assert (share / "cwd.txt").read_text() == "sub/dir\n"


def test_a_compiler_in_the_test_requires_is_the_base_plates(channel: Path) -> None:
    """The test compiled and ran a program against the package (else it would be broken/)."""
    assert "include/hdr.h" in contents(channel, "linux-64", "test-requires-compiler")
