"""Line selectors and their namespace: pure, no files."""

from __future__ import annotations

import pytest

from conda_forge_like import platforms
from conda_forge_like.recipe import selectors, v0
from conda_forge_like.render.v0 import selector_namespace


@pytest.mark.parametrize(
    ("subdir", "true", "false"),
    [
        ("linux-64", {"linux", "unix", "x86_64", "linux64"}, {"osx", "win", "aarch64", "arm64"}),
        ("linux-aarch64", {"linux", "unix", "aarch64"}, {"x86_64", "osx", "win", "arm64"}),
        ("osx-arm64", {"osx", "unix", "arm64"}, {"linux", "win", "x86_64", "aarch64"}),
        ("osx-64", {"osx", "unix", "x86_64", "osx64"}, {"linux", "win", "arm64"}),
        ("win-64", {"win", "x86_64", "win64"}, {"linux", "osx", "unix", "aarch64"}),
        ("linux-ppc64le", {"linux", "unix", "ppc64le"}, {"x86_64", "aarch64"}),
    ],
)
def test_namespace_per_platform(subdir: str, true: set[str], false: set[str]) -> None:
    ns = platforms.namespace(subdir, build_subdir="linux-64")
    assert {k for k in true if ns[k] is True} == true
    assert {k for k in false if ns[k] is False} == false
    assert ns["target_platform"] == subdir
    assert ns["build_platform"] == "linux-64"


def test_py_and_np_are_ints() -> None:
    ns = selector_namespace({"python": "3.12", "numpy": "1.26"}, "linux-64", {})
    assert ns["py"] == 312
    assert ns["np"] == 126
    assert ns["py3k"] is True
    assert ns["py312"] is True
    assert selectors.evaluate("py>=311 and np<200", ns)
    assert not selectors.evaluate("py<310", ns)


def test_py_from_a_value_with_a_build_part() -> None:
    assert selector_namespace({"python": "3.12.* *_cpython"}, "linux-64", {})["py"] == 312


def test_variant_values_are_cast() -> None:
    ns = selector_namespace({"microarch_level": "3", "with_cuda": "true"}, "linux-64", {})
    assert selectors.evaluate("microarch_level == 3", ns)
    assert selectors.evaluate("with_cuda", ns)
    assert ns["with_cuda"] is True


def test_environment_variables_and_string_comparisons() -> None:
    ns = selector_namespace({"c_compiler": "gcc"}, "linux-64", {"CI": "github"})
    assert selectors.evaluate("CI == 'github'", ns)
    assert selectors.evaluate("c_compiler.startswith('g')", ns)
    assert selectors.evaluate("target_platform == 'linux-64'", ns)


@pytest.mark.parametrize("expr", ["nosuchname", "linux and not_defined_anywhere", "cuda"])
def test_unknown_names_are_false(expr: str) -> None:
    assert selectors.evaluate(expr, platforms.namespace("linux-64")) is False


def test_not_unknown_is_true() -> None:
    assert selectors.evaluate("not nosuchname", {}) is True


@pytest.mark.parametrize(
    "expr", ["linux and", "py >=", "__import__('os')", "linux.__class__", "(lambda: 1)()"]
)
def test_bad_syntax_is_an_error(expr: str) -> None:
    with pytest.raises(selectors.SelectorSyntaxError, match=r"selector \["):
        selectors.evaluate(expr, {"linux": True})


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("  - zlib  # [linux]", ("  - zlib", "linux")),
        ("  - zlib  #[linux and x86_64]", ("  - zlib", "linux and x86_64")),
        ("  - zlib  # [win]  # a comment", ("  - zlib", "win")),
        ("  - zlib  # just a comment", ("  - zlib  # just a comment", None)),
        ("  - zlib", ("  - zlib", None)),
        ("  host: [zlib, libpng]", ("  host: [zlib, libpng]", None)),
    ],
)
def test_split_line(line: str, expected: tuple[str, str | None]) -> None:
    assert selectors.split_line(line) == expected


def test_apply_selectors_keeps_line_numbers() -> None:
    text = "a: 1\nb: 2  # [win]\nc: 3  # [linux]\nd: 4\n"
    out, errors = v0.apply_selectors(text, platforms.namespace("linux-64"), "meta.yaml")
    assert errors == []
    assert out.split("\n") == ["a: 1", "", "c: 3", "d: 4", ""]


def test_apply_selectors_collects_every_bad_selector_with_its_line() -> None:
    text = "a: 1  # [linux and]\nb: 2\nc: 3  # [py >=]\n"
    out, errors = v0.apply_selectors(text, {}, "meta.yaml")
    assert [str(e.location) for e in errors] == ["meta.yaml:1", "meta.yaml:3"]
    assert all(e.hint for e in errors)
    assert out.split("\n")[:3] == ["", "b: 2", ""]


@pytest.mark.parametrize(
    "expr",
    ["linux", "not win", "linux and not aarch64", "linux or osx and not win", "not not x",
     "x and True", "a1 and b2", "é and b", "linux and if", "_x", "x and _y", "lambda", "1a",
     "not", "x or await"],
)  # fmt: skip
def test_names_only_selectors_compile_as_the_checked_path_does(
    expr: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Selectors of names, and, or, not skip the AST check: the same names and results, and
    what the check refuses the fast path leaves to it."""
    fast = selectors._names_only(expr)
    selectors.compile_selector.cache_clear()
    monkeypatch.setattr(selectors, "_names_only", lambda text: None)
    try:
        checked = selectors.compile_selector(expr)
    except selectors.SelectorSyntaxError:
        assert fast is None
        return
    finally:
        selectors.compile_selector.cache_clear()
    assert fast is not None
    assert fast.names == checked.names
    for ns in ({}, {"linux": True, "x": True}, {"win": True, "osx": True, "b": True}):
        assert eval(fast.code, {"__builtins__": {}}, selectors._Namespace(ns)) == eval(
            checked.code, {"__builtins__": {}}, selectors._Namespace(ns)
        )
