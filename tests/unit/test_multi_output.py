"""conda-build's multi-output model as pure rules: which files an output sharing the top-level
build packages, what it needs built first, and which compiler pins the base plate honours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conda_forge_like.baseplate import substitute
from conda_forge_like.build import plan, staging
from conda_forge_like.records import replace
from conda_forge_like.render.model import RenderedRecipe, Requirements
from conda_forge_like.variants.config import VariantConfig


def output(name: str, *, script: str | None = None, **meta: Any) -> RenderedRecipe:
    return RenderedRecipe(
        name=name, version="1.0", build_number=0, build_string="h0000000_0", subdir="linux-64",
        variant={}, hash_input="{}", requirements=Requirements(), recipe_path="r/meta.yaml",
        recipe_format="v0", script=script, staging="split",
        meta={"staging": {"requirements": {"build": ["cmake"], "host": ["zlib 1.3.*"]}}, **meta},
    )  # fmt: skip


STAGED = staging.Staged(frozenset({"lib/liba.so", "include/a.h", "lib/pkgconfig/a.pc"}))


def test_the_output_named_like_the_recipe_gets_the_top_level_files() -> None:
    top = output("split", output={"files": None, "same_name": True})
    assert staging.output_files(top, STAGED, set()) == (set(STAGED.files), None)


def test_an_output_with_a_script_gets_only_what_its_script_added() -> None:
    static = output("a-static", script="build_static.sh", output={"same_name": False})
    assert staging.output_files(static, STAGED, {"lib/liba.a"}) == ({"lib/liba.a"}, None)


def test_files_pick_from_the_top_level_build_and_the_script() -> None:
    dev = output("a-dev", output={"files": ["include", "lib/pkgconfig"], "same_name": False})
    candidates, patterns = staging.output_files(dev, STAGED, set())
    assert candidates == set(STAGED.files)
    assert patterns == ["include", "lib/pkgconfig"]


def test_any_other_output_without_script_or_files_is_empty() -> None:
    meta = output("gmock", output={"files": None, "same_name": False})
    assert staging.output_files(meta, STAGED, set()) == (set(), None)


def test_files_exclude_drops_matches() -> None:
    dev = output("a-dev", output={"files": {"include": ["lib"], "exclude": ["lib/*.so"]}})
    assert staging.excluded(dev, ["lib/liba.so", "lib/pkgconfig/a.pc"]) == ["lib/pkgconfig/a.pc"]


def test_an_output_needs_what_its_shared_top_level_build_needs() -> None:
    item = replace(output("a-static"), requirements=Requirements(host=("split 1.0 h0_0",)))
    assert plan.needs(item) == {"cmake", "zlib", "split"} - {"a-static"}


def test_siblings_share_one_work_directory(tmp_path: Path) -> None:
    one, two = output("a"), output("b", script="x.sh")
    assert staging.work_dir(one, tmp_path) == staging.work_dir(two, tmp_path)


VERSIONS = {"zig": "0.17.1", "gcc": "12.2.0", "glibc": "2.36"}


def config(**values: tuple[Any, ...]) -> VariantConfig:
    return VariantConfig(values=values)


def test_conda_forge_gcc_14_becomes_the_base_plate_zig() -> None:
    cfg = config(c_compiler=("gcc",), c_compiler_version=("14",), c_stdlib_version=("2.17",))
    new, notes = substitute.substitute(cfg, "linux-64", VERSIONS)
    assert new.values["c_compiler"] == ("zig",)
    assert new.values["c_compiler_version"] == ("0.17",)
    assert len(notes) == 1
    assert "gcc 14" in notes[0]
    assert "zig 0.17.1" in notes[0]


def test_the_host_gcc_does_not_meet_a_glibc_floor_below_the_machine() -> None:
    """conda-forge's gxx 12 links against a glibc 2.17 sysroot; the host's gcc 12 cannot."""
    cfg = config(cxx_compiler=("gxx",), cxx_compiler_version=("12",), c_stdlib_version=("2.17",))
    assert substitute.substitute(cfg, "linux-64", VERSIONS)[0].values["cxx_compiler"] == ("zig",)


def test_the_host_gcc_is_kept_when_the_floor_is_the_machine_glibc() -> None:
    cfg = config(c_compiler=("zig", "gcc"), c_compiler_version=("0.17", "12"),
                 c_stdlib_version=("2.17", "2.36"))  # fmt: skip
    assert substitute.substitute(cfg, "linux-64", VERSIONS) == (cfg, [])


def test_osx_clang_and_windows_vs_become_zig() -> None:
    osx = config(c_compiler=("clang",), c_compiler_version=("19",))
    assert substitute.substitute(osx, "osx-arm64", VERSIONS)[0].values["c_compiler"] == ("zig",)
    win = config(c_compiler=("vs2022",))
    assert substitute.substitute(win, "win-64", VERSIONS)[0].values["c_compiler"] == ("zig",)


def test_v0_outputs_share_the_top_level_build_and_inherit_about() -> None:
    from v0_text import render_v0

    text = """
package: {name: split, version: "1.0"}
source: {url: "https://example.invalid/x.tar.gz", sha256: "%s"}
requirements:
  build: [cmake]
about: {license: MIT, summary: top}
outputs:
  - name: libx
    script:
      - make install
  - name: x-tools
    about: {license: BSD-3-Clause}
""" % ("0" * 64)
    libx, tools = render_v0(text)
    assert libx.staging == tools.staging == "split"
    assert libx.meta["staging"]["requirements"]["build"] == ["cmake"]
    assert libx.meta["staging"]["fallback_script"] is True
    assert libx.meta["about"]["license"] == "MIT"
    assert tools.meta["about"] == {"license": "BSD-3-Clause"}
    assert staging.work_dir(libx, Path("/o")) == staging.work_dir(tools, Path("/o"))
