"""A recipe that uses the CPU level gets one build per level, each with its own build string."""

from __future__ import annotations

from conda_forge_like import recipe
from conda_forge_like.render import render_recipe
from conda_forge_like.variants.config import from_overrides

RECIPE = """
package:
  name: kernels
  version: "1.0"
build:
  script:
    - cmake -S . -B build -DLEVEL=${{ microarch_level }} $CMAKE_ARGS
requirements:
  build:
    - ${{ compiler('c') }}
"""


def test_levels_differ_only_in_build_string() -> None:
    raw = recipe.parse(RECIPE, "recipe.yaml")
    config = from_overrides(
        ["microarch_level=1,2,3,4", "c_compiler=zig", "c_compiler_version=0.17"], numbers="v1"
    )
    rendered = render_recipe(raw, config, "linux-64")
    assert [r.variant["microarch_level"] for r in rendered] == [1, 2, 3, 4]
    assert len({r.build_string for r in rendered}) == 4
    assert {r.requirements.build for r in rendered} == {("zig_linux-64 0.17.*",)}


def test_a_recipe_that_compiles_nothing_builds_once() -> None:
    text = RECIPE.replace("-DLEVEL=${{ microarch_level }} ", "").replace(
        "    - ${{ compiler('c') }}\n", "    - cmake\n"
    )
    raw = recipe.parse(text, "recipe.yaml")
    config = from_overrides(["microarch_level=1,2,3,4"], numbers="v1")
    assert len(render_recipe(raw, config, "linux-64", level_axis=True)) == 1
