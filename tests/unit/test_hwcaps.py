"""``build: microarch: hwcaps``: recipe validation, the variant rule, and the pure planning of
the glibc-hwcaps copies (search paths, which package gets a copy, the ISA limit). Pure."""

from __future__ import annotations

import pytest

from conda_forge_like import recipe, render
from conda_forge_like.abi.isa import allowed_level
from conda_forge_like.build import hwcaps
from conda_forge_like.errors import RecipeError
from conda_forge_like.recipe import microarch
from conda_forge_like.records import replace
from conda_forge_like.variants import config as vc

V1 = """\
package:
  name: kernels
  version: "1.0"
build:
  number: 0
  microarch: {mode}
  script:
    - make install {script}
requirements:
  build:
    - ${{{{ compiler('c') }}}}
"""
V0 = """\
package:
  name: kernels
  version: "1.0"
build:
  number: 0
  microarch: {mode}
requirements:
  build:
    - {{{{ compiler('c') }}}}
"""
LEVELS = "c_compiler: [zig]\nc_compiler_version: ['0.17']\nmicroarch_level: [1, 3, 4]\n"


def render_text(text: str, filename: str, subdir: str = "linux-64") -> list[render.RenderedRecipe]:
    raw = recipe.parse(text, filename)
    numbers = "v1" if filename == "recipe.yaml" else "str"
    return render.render_recipe(raw, vc.parse(LEVELS, "cbc.yaml", subdir, numbers=numbers), subdir)


@pytest.mark.parametrize(("text", "filename"), [(V1, "recipe.yaml"), (V0, "meta.yaml")])
def test_unknown_mode_is_a_recipe_error_at_its_line(text: str, filename: str) -> None:
    with pytest.raises(RecipeError) as info:
        render_text(text.format(mode="hwcap", script=""), filename)
    assert str(info.value.location) == f"{filename}:6"
    assert "unknown value 'hwcap'" in info.value.message
    assert info.value.hint is not None
    assert "hwcaps" in info.value.hint


@pytest.mark.parametrize(("text", "filename"), [(V1, "recipe.yaml"), (V0, "meta.yaml")])
def test_hwcaps_recipe_is_one_variant_whatever_the_levels(text: str, filename: str) -> None:
    (rendered,) = render_text(text.format(mode="hwcaps", script=""), filename)
    assert "microarch_level" not in rendered.variant
    assert hwcaps.levels(rendered) == ((3, 4), None)


def test_hwcaps_with_the_microarch_level_key_is_an_error() -> None:
    text = V1.format(mode="hwcaps", script="LEVEL=${{ microarch_level }}")
    with pytest.raises(RecipeError) as info:
        render_text(text, "recipe.yaml")
    assert str(info.value.location) == "recipe.yaml:6"
    assert "microarch_level" in info.value.message


def test_outputs_are_checked_too() -> None:
    tree = {"outputs": [{"build": {"microarch": "avx"}}, {"build": {"microarch": "hwcaps"}}]}
    (error,) = microarch.check_tree(tree, "recipe.yaml")
    assert "'avx'" in error.message


def test_other_targets_build_as_usual_with_a_note() -> None:
    (rendered,) = render_text(V1.format(mode="hwcaps", script=""), "recipe.yaml", "linux-aarch64")
    levels, note = hwcaps.levels(rendered)
    assert levels == ()
    assert note is not None
    assert "linux-aarch64 builds as usual" in note
    plain = replace(rendered, meta={"build": {}})
    assert hwcaps.levels(plain) == ((), None)


def test_level_build_changes_the_plate_level_not_the_build_string() -> None:
    (rendered,) = render_text(V1.format(mode="hwcaps", script=""), "recipe.yaml")
    v4 = hwcaps.at_level(rendered, 4)
    assert v4.variant["microarch_level"] == 4
    assert v4.build_string == rendered.build_string


def test_copy_rpaths_resolve_origin_from_lib() -> None:
    prefix = "/p"
    assert hwcaps.copy_rpaths(("$ORIGIN",), prefix, needs_lib=False) == ("/p/lib",)
    assert hwcaps.copy_rpaths(("${ORIGIN}/../lib64:/p/lib",), prefix, needs_lib=False) == (
        "/p/lib64",
        "/p/lib",
    )
    assert hwcaps.copy_rpaths((), prefix, needs_lib=True) == ("/p/lib",)
    assert hwcaps.copy_rpaths((), prefix, needs_lib=False) == ()


def test_copy_rpaths_become_origin_two_up_after_relocation() -> None:
    from conda_forge_like.relocate import plan_rpaths

    entries = hwcaps.copy_rpaths(("$ORIGIN",), "/p", needs_lib=False)
    plan = plan_rpaths(entries, "lib/glibc-hwcaps/x86-64-v3/libk.so.1", "/p")
    assert plan.new == ("$ORIGIN/../..",)


def test_copies_follow_their_baseline_library_into_an_output() -> None:
    new = {
        "lib/libk.so.1",
        "lib/libk.so.1.2",
        "lib/libj.so.2",
        "lib/glibc-hwcaps/x86-64-v3/libk.so.1",
        "lib/glibc-hwcaps/x86-64-v4/libk.so.1",
        "lib/glibc-hwcaps/x86-64-v3/libj.so.2",
    }
    chosen = ["lib/libk.so.1", "lib/libk.so.1.2", "lib/glibc-hwcaps/x86-64-v3/libj.so.2"]
    assert hwcaps.with_copies(chosen, new) == [
        "lib/glibc-hwcaps/x86-64-v3/libk.so.1",
        "lib/glibc-hwcaps/x86-64-v4/libk.so.1",
        "lib/libk.so.1",
        "lib/libk.so.1.2",
    ]


@pytest.mark.parametrize(
    ("path", "variant", "limit"),
    [
        ("lib/libk.so.1", None, 1),
        ("lib/libk.so.1", 3, 3),
        ("lib/glibc-hwcaps/x86-64-v3/libk.so.1", None, 3),
        ("lib/glibc-hwcaps/x86-64-v4/libk.so.1", 1, 4),
        ("lib/glibc-hwcaps/x86-64-v3/sub/libk.so.1", None, 1),
        ("share/glibc-hwcaps-notes.txt", None, 1),
    ],
)
def test_isa_limit_of_a_path(path: str, variant: int | None, limit: int) -> None:
    assert allowed_level(path, variant) == limit
