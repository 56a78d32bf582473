"""Bad input through the real command line: every problem is an ERROR naming ``file:line``,
what is wrong and a TIP, with a non-zero exit code and no traceback.

Each case is a recipe in ``tests/data/recipes/<behaviour>/`` named after what it proves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conda_forge_like.cli import main

RECIPES = Path(__file__).resolve().parent.parent / "data" / "recipes"


@dataclass(frozen=True)
class Case:
    recipe: str
    file: str  # the file the error names (relative to the recipe folder)
    line: int
    what: tuple[str, ...]  # fragments the message must contain
    extra: tuple[str, ...] = ()  # more cfl arguments


CASES = [
    Case("invalid-yaml-v0", "meta.yaml", 7, ("invalid YAML",)),
    Case("invalid-yaml-v1", "recipe.yaml", 6, ("invalid YAML", "flow sequence")),
    Case("undefined-jinja-var", "meta.yaml", 7, ("undefined Jinja variable", "'vesion'")),
    Case("undefined-v1-if-condition", "recipe.yaml", 6, ("undefined variable", "with_feature")),
    Case("bad-selector-syntax", "meta.yaml", 6, ("selector", "[linux and]")),
    Case("unknown-top-level-key", "meta.yaml", 4, ("unknown key 'requirement'", "'requirements'")),
    Case(
        "unknown-build-key", "meta.yaml", 6, ("unknown key 'run_export' in build", "'run_exports'")
    ),
    Case(
        "zip-keys-mismatch",
        "conda_build_config.yaml",
        7,
        ("zip_keys", "python has 2", "numpy has 1", "conda_build_config.yaml:1"),
    ),
    Case("missing-package-version", "meta.yaml", 2, ("package/version is missing",)),
    Case("non-integer-build-number", "meta.yaml", 5, ("build/number", "'first'")),
    Case(
        "pin-subpackage-unknown-output",
        "meta.yaml",
        9,
        ("pin_subpackage('libfooo')", "foo-tools, libfoo"),
    ),
    Case("output-script-missing", "meta.yaml", 7, ("'build_missing.sh'", "not a file")),
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["render", *args, "--target-platform", "linux-64"])
    return code, capsys.readouterr().err


def assert_reported(err: str, location: str, *what: str) -> None:
    """An ``ERROR: <location>: ...`` line followed by its ``TIP:`` line; together they hold
    every fragment of ``what`` (a did-you-mean lives in the TIP)."""
    assert "Traceback" not in err
    blocks = re.findall(r"^ERROR: (.*)\n(?:TIP: (\S.*)\n)?", err, re.M)
    matching = [(m, tip) for m, tip in blocks if _names(m.split(": ", 1)[0], location)]
    assert matching, f"no ERROR naming {location!r} in:\n{err}"
    for fragment in what:
        assert any(fragment in m + "\n" + t for m, t in matching), f"{fragment!r} not in:\n{err}"
    assert all(tip for _, tip in matching), f"no TIP after the ERROR in:\n{err}"


def _names(reported: str, location: str) -> bool:
    """The reported location is ``location`` or a path ending in it."""
    return reported == location or reported.endswith("/" + location)


@pytest.mark.parametrize("case", CASES, ids=[c.recipe for c in CASES])
def test_bad_recipe_names_file_line_problem_and_tip(
    case: Case, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, str(RECIPES / case.recipe), *case.extra)
    assert code != 0
    assert_reported(err, f"{case.recipe}/{case.file}:{case.line}", *case.what)


def test_undefined_variable_in_v1_template(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, str(RECIPES / "undefined-v1-template-var"))
    assert code != 0
    assert_reported(err, "undefined-v1-template-var/recipe.yaml:5", "verison")


def test_two_undefined_jinja_variables_reported_together(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(capsys, str(RECIPES / "undefined-jinja-vars-two"))
    assert code != 0
    assert_reported(
        err, "undefined-jinja-vars-two/meta.yaml:6", "'nmae' (line 6)", "'buildnum' (line 8)"
    )


def test_multiple_problems_in_one_recipe_reported_in_one_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(capsys, str(RECIPES / "multiple-problems"))
    assert code != 0
    assert_reported(err, "multiple-problems/meta.yaml:6", "selector [linux and and]")
    assert_reported(err, "multiple-problems/meta.yaml:3", "'verson'")
    assert_reported(err, "multiple-problems/meta.yaml:8", "unknown key 'numbr'", "'number'")
    assert err.count("TIP: ") == 3
    assert "3 problems found" in err


def test_problems_in_several_recipes_reported_in_one_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(
        capsys, str(RECIPES / "unknown-build-key"), str(RECIPES / "non-integer-build-number")
    )
    assert code != 0
    assert_reported(err, "unknown-build-key/meta.yaml:6", "run_export")
    assert_reported(err, "non-integer-build-number/meta.yaml:5", "build/number")


def test_missing_recipe_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-recipe"
    code, err = run(capsys, str(missing))
    assert code != 0
    assert_reported(err, str(missing), "does not exist")


def test_folder_without_a_recipe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(capsys, str(tmp_path))
    assert code != 0
    assert_reported(err, str(tmp_path), "no recipe.yaml or meta.yaml")


def test_unreadable_variant_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "ci.yaml"
    code, err = run(capsys, str(RECIPES / "zip-keys"), "-m", str(missing))
    assert code != 0
    assert_reported(err, str(missing), "cannot read variant file")


def test_invalid_yaml_in_variant_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "ci.yaml"
    bad.write_text("zlib:\n  - 1.2\n python: [3.12]\n", encoding="utf-8")
    code, err = run(capsys, str(RECIPES / "zip-keys"), "-m", str(bad))
    assert code != 0
    assert_reported(err, f"{bad}:3", "invalid YAML")


@pytest.mark.parametrize(
    ("override", "problem"),
    [("zlib", "no '='"), ("=1.2", "the key is empty"), ("zlib=1.2,", "a value is empty")],
)
def test_bad_variant_override(
    override: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(capsys, str(RECIPES / "zip-keys"), "--variant", override)
    assert code != 0
    # A command-line override has no file: the location is the command line itself.
    assert_reported(err, "command line", f"bad variant override {override!r}", problem)


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--debug", "render", str(RECIPES / "unknown-build-key")])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" in err
    assert "unknown key 'run_export'" in err
