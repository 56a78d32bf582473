"""The CPU level axis cfl adds by itself: a compiled recipe that never names
``microarch_level`` is built once per listed level on x86_64, with the marker run dependency
and conda-forge's ``100 * level`` build-number offset, and the level in its hash."""

from __future__ import annotations

import json

import pytest

from conda_forge_like import recipe
from conda_forge_like.render import RecipeRenderer, RenderedRecipe, render_recipe
from conda_forge_like.variants.config import from_overrides

PLAIN_V1 = """
package:
  name: levelk
  version: "1.0"
build:
  number: 2
  script:
    - $CC -O3 -fPIC -shared -o $PREFIX/lib/libk.so k.c
requirements:
  build:
    - ${{ compiler('c') }}
"""

PLAIN_V0 = """
package:
  name: levelk
  version: "1.0"
build:
  number: 2
  script: $CC -O3 -fPIC -shared -o $PREFIX/lib/libk.so k.c
requirements:
  build:
    - {{ compiler('c') }}
"""

LEVELS = ["microarch_level=1,3,4", "c_compiler=zig", "c_compiler_version=0.17"]


def rendered(text: str, name: str, subdir: str = "linux-64") -> list[RenderedRecipe]:
    numbers = "v1" if name == "recipe.yaml" else "v0"
    return list(
        render_recipe(
            recipe.parse(text, name),
            from_overrides(LEVELS, numbers=numbers),
            subdir,
            level_axis=True,
        )
    )


@pytest.mark.parametrize(("text", "name"), [(PLAIN_V1, "recipe.yaml"), (PLAIN_V0, "meta.yaml")])
def test_one_build_per_level_with_marker_and_number(text: str, name: str) -> None:
    builds = rendered(text, name)
    got = [(r.build_number, r.requirements.run) for r in builds]
    assert got == [
        (102, ()),
        (302, ("_x86_64-microarch-level >=3",)),
        (402, ("_x86_64-microarch-level >=4",)),
    ]
    levels = [json.loads(r.hash_input)["microarch_level"] for r in builds]
    assert [int(level) for level in levels] == [1, 3, 4]
    assert len({r.build_string for r in builds}) == 3


@pytest.mark.parametrize("subdir", ["linux-aarch64", "osx-arm64"])
def test_other_architectures_build_once(subdir: str) -> None:
    builds = rendered(PLAIN_V1, "recipe.yaml", subdir)
    assert [(r.build_number, r.requirements.run) for r in builds] == [(2, ())]
    assert "microarch_level" not in builds[0].variant


def test_a_recipe_that_names_the_level_keeps_what_it_says() -> None:
    """kernelbench's boilerplate: the recipe decides the marker and the number."""
    text = PLAIN_V1.replace("number: 2", "number: ${{ 100 * microarch_level }}")
    builds = rendered(text, "recipe.yaml")
    assert [(r.build_number, r.requirements.run) for r in builds] == [
        (100, ()), (300, ()), (400, ()),
    ]  # fmt: skip


def test_one_level_listed_adds_nothing() -> None:
    config = from_overrides(["microarch_level=3"], numbers="v1")
    raw = recipe.parse(PLAIN_V1, "recipe.yaml")
    renderer = RecipeRenderer(raw, config, "linux-64", level_axis=True)
    assert renderer.note is None
    (build,) = renderer.render_all()
    assert (build.build_number, "microarch_level" in build.variant) == (2, False)


def test_noarch_outputs_get_no_marker() -> None:
    text = (
        PLAIN_V1
        + "outputs:\n"
        + "".join(
            [
                "  - package: {name: levelk-lib}\n",
                "  - package: {name: levelk-docs}\n    build: {noarch: generic}\n",
            ]
        )
    )
    builds = rendered(text.replace("package:\n  name: levelk", "recipe:\n  name: levelk"),
                      "recipe.yaml")  # fmt: skip
    docs = {r.requirements.run for r in builds if r.name == "levelk-docs"}
    assert docs == {()}
    lib = [r.requirements.run for r in builds if r.name == "levelk-lib"]
    assert lib == [(), ("_x86_64-microarch-level >=3",), ("_x86_64-microarch-level >=4",)]


def test_render_keeps_the_reference_tools_matrix() -> None:
    """``cfl render`` (no level_axis) equals conda-build's and rattler-build's render: the
    unused key collapses; only builds add the axis."""
    raw = recipe.parse(PLAIN_V1, "recipe.yaml")
    (only,) = render_recipe(raw, from_overrides(LEVELS, numbers="v1"), "linux-64")
    assert (only.build_number, "microarch_level" in only.variant) == (2, False)


def test_the_note_says_what_was_added() -> None:
    renderer = RecipeRenderer(
        recipe.parse(PLAIN_V1, "recipe.yaml"),
        from_overrides(LEVELS, numbers="v1"),
        "linux-64",
        level_axis=True,
    )
    assert renderer.note is not None
    assert renderer.note.startswith("microarch_level [1, 3, 4]: one build per level")
    assert "_x86_64-microarch-level >=N" in renderer.note
    assert "100 * N" in renderer.note
