"""recipe.yaml expressions behave as in minijinja, rattler-build's Jinja."""

from __future__ import annotations

import pytest

from conda_forge_like import templating


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("vc < 14", False),  # a string orders after every number
        ("vc > 14", True),
        ("vc < '2'", True),  # two strings compare as strings
        ("vc == 14", False),
        ("n < 3", True),
        ("flag < 2", True),  # bools count as numbers
    ],
)
def test_orderings_across_kinds(expr: str, expected: bool) -> None:
    assert templating.evaluate(expr, {"vc": "14", "n": 2, "flag": True}) is expected


def test_an_undefined_name_in_a_comparison_is_still_an_error() -> None:
    with pytest.raises(Exception, match="missing"):
        templating.evaluate("missing < 3", {})


def test_match_and_env() -> None:
    from conda_forge_like.errors import RecipeError
    from conda_forge_like.render.v1_functions import Env, match

    assert match("3.12.* *_cpython", ">=3.11")
    assert not match("3.10", ">=3.11")
    env = Env({"SET": "1"})
    assert env.get("SET") == "1"
    assert env.get("UNSET", default="x") == "x"
    assert env.exists("SET")
    assert not env.exists("UNSET")
    with pytest.raises(RecipeError, match="UNSET"):
        env.get("UNSET")
