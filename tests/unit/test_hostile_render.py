"""Render-time defences, pure: the template sandbox, selectors, value checks, matrix cap."""

from __future__ import annotations

import sys
import types

import pytest

from conda_forge_like import templating, yamlio
from conda_forge_like.errors import Location, RecipeError, VariantError
from conda_forge_like.recipe import selectors, shapes
from conda_forge_like.render import identity
from conda_forge_like.variants.config import VariantConfig
from conda_forge_like.variants.expand import check_size

WHERE = Location("meta.yaml", 1)


@pytest.mark.parametrize(
    "text",
    [
        "{{ cycler.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ [1].append(2) }}",
        "{{ 'a' * 10**8 }}",
        "{{ 9 ** 999999 }}",
        "{{ range(10**9) | list }}",
    ],
)
def test_template_escapes_and_bombs_are_recipe_errors(text: str) -> None:
    rendered, errors = templating.render_text_collect(text, "meta.yaml", {})
    assert rendered == ""
    assert len(errors) == 1
    assert errors[0].location == Location("meta.yaml", 1)
    assert errors[0].hint


def test_no_module_is_reachable_through_an_attribute() -> None:
    holder = types.SimpleNamespace(sys=sys, version="1.0")
    _, errors = templating.render_text_collect("{{ h.sys.modules }}", "meta.yaml", {"h": holder})
    assert "unsafe template" in errors[0].message
    assert templating.render_text("{{ h.version }}", "meta.yaml", {"h": holder}) == "1.0"


def test_only_safe_jinja_globals_remain() -> None:
    assert set(templating.ENV_V0.globals) == {"range", "dict", "namespace"}
    assert set(templating.ENV_V1.globals) == {"range", "dict", "namespace"}


def test_v1_expression_runs_sandboxed() -> None:
    with pytest.raises(Exception, match="unsafe"):
        templating.evaluate("(1).__class__", dict(templating.ENV_V1.globals))


@pytest.mark.parametrize(
    "expr",
    ["().__class__", "__import__('os')", "open('x')", "environ.get(*'ab')", "__builtins__"],
)
def test_selectors_refuse_python_internals(expr: str) -> None:
    with pytest.raises(selectors.SelectorSyntaxError):
        selectors.evaluate(expr, {"environ": {}})


def test_selectors_keep_string_methods() -> None:
    assert selectors.evaluate(
        "target_platform.startswith('linux')", {"target_platform": "linux-64"}
    )


@pytest.mark.parametrize(
    ("name", "version", "string", "bad"),
    [
        ("zlib", "1.3.1", "h1234567_0", 0),
        ("_openmp_mutex", "4.5", "2_gnu", 0),
        ("python", "3.12.0rc1", "h1_0_cpython", 0),
        ("x", "1!2.0+local.1", "py312h1_0", 0),
        ("../x", "1.0", "0", 1),
        ("MyLib", "1.0", "0", 1),
        ("x", "1.0-1", "0", 1),
        ("x", "1.0RC1", "0", 1),
        ("x", "1..0", "0", 1),
        ("x", "1.0", "x/../../victim", 1),
        ("x", "1.0", "..", 1),
        ("../x", "1 0", "a b", 3),
    ],
)
def test_identity_checks(name: str, version: str, string: str, bad: int) -> None:
    errors = [
        *identity.check_name(name, {}, WHERE),
        *identity.check_version(name, version, {}, WHERE),
        *identity.check_build_string(name, string, {}, WHERE),
    ]
    assert len(errors) == bad
    assert all(e.hint for e in errors)


def test_identity_error_names_the_key_line() -> None:
    (error,) = identity.check_version("x", "1.0-1", {"version": 7}, WHERE)
    assert error.location == Location("meta.yaml", 7)


def test_a_string_where_a_list_belongs_is_an_error_at_its_line() -> None:
    tree = yamlio.load("package:\n  name: x\nrequirements:\n  host: zlib >=1.2\n", "meta.yaml")
    (error,) = shapes.check(tree, shapes.V0_SHAPES, "meta.yaml")
    assert isinstance(error, RecipeError)
    assert error.message.startswith("requirements/host must be a list")
    assert error.location == Location("meta.yaml", 4)


def test_v1_templates_and_conditional_items_fit_any_shape() -> None:
    text = "requirements:\n  host:\n    - if: linux\n      then: [zlib]\n  run: ${{ deps }}\n"
    tree = yamlio.load(text, "recipe.yaml", numbers="v1")
    assert shapes.check(tree, shapes.V1_SHAPES, "recipe.yaml", v1=True) == []


def test_matrix_over_the_cap_names_its_keys() -> None:
    config = VariantConfig(values={f"k{i}": ("1", "2", "3") for i in range(7)})
    check_size(config, {"k0", "k1"}, 9)
    with pytest.raises(VariantError, match=r"2187 combinations.*k0 \(3\)"):
        check_size(config, set(config.values), 1000)
