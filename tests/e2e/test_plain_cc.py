"""A build script calling ``$CC -O2 -o x x.c`` without ``$CFLAGS`` (one binary with -g and an
absolute source path) gets the base plate's guards from the compiler wrappers: with zig, gcc
and clang the package names no build path (the leak check passes because nothing leaks) and
no literal is merged into a prefix string. A variants file with ``c_compiler: [gcc]`` alone
builds with the installed gcc."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conda_forge_like import api, package
from conda_forge_like.baseplate import tools

pytestmark = pytest.mark.slow
RECIPE = Path(__file__).resolve().parents[1] / "data" / "recipes" / "plain-cc-no-cflags"


@pytest.mark.parametrize("compiler", ["zig", "gcc", "clang"])
def test_a_plain_cc_build_names_no_build_path(tmp_path: Path, compiler: str) -> None:
    if compiler != "zig" and shutil.which(compiler) is None:
        pytest.skip(f"{compiler} is not installed (bash ci/setup.sh installs it)")
    variants = tmp_path / "variants.yaml"
    variants.write_text(f"c_compiler:\n  - {compiler}\n")  # no version: the installed one
    events: list[tuple[str, str]] = []
    (result,) = api.build(
        [RECIPE], output_dir=tmp_path / "out", variant_files=[variants],
        target_platform="linux-64", report=lambda event, _r, detail: events.append((event, detail)),
    )  # fmt: skip
    assert result.status == "built"
    assert result.tested
    assert result.package is not None
    hashed = json.loads(package.read_info(result.package, "hash_input.json") or b"{}")
    assert hashed["c_compiler"] == compiler  # not replaced by zig
    if compiler != "zig":
        installed = tools.detect_versions()[compiler]
        assert hashed["c_compiler_version"] == installed.split(".")[0]
        said = f"c_compiler {compiler} names no c_compiler_version: the installed {compiler}"
        assert [d for e, d in events if e == "note" and d.startswith(said)], events
    root = tmp_path / "unpacked"
    package.extract(result.package, root)
    paths = json.loads((root / "info" / "paths.json").read_text())["paths"]
    placeholders = {p["prefix_placeholder"].encode() for p in paths if "prefix_placeholder" in p}
    for name in ("plaincc", "plaincc-g"):
        data = (root / "bin" / name).read_bytes()
        for placeholder in placeholders:  # the host prefix is rewritten at install time
            data = data.replace(placeholder, b"")
        assert str(tmp_path).encode() not in data, name
    assert b"/usr/local/src/conda/plaincc-1.0" in (root / "bin" / "plaincc-g").read_bytes()
