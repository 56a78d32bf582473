"""Which variant keys a recipe uses (the keys that multiply its matrix). Pure, no files."""

from __future__ import annotations

import pytest

from conda_forge_like import recipe, render
from conda_forge_like.recipe import v0, v1
from conda_forge_like.variants import config as vc

KEYS = {"zlib", "libpng", "python", "c_compiler", "c_compiler_version", "cxx_compiler", "r_base"}


@pytest.mark.parametrize(
    ("line", "used"),
    [
        ("  url: https://x/{{ zlib }}.tar.gz", {"zlib"}),
        ("  url: https://x/{{zlib}}.tar.gz", {"zlib"}),
        ("{% if zlib %}\n  - foo\n{% endif %}", {"zlib"}),
        ("{% if python == '3.12' %}x{% endif %}", {"python"}),
        ("    - foo   # [zlib == '1.3']", {"zlib"}),
        ("    - foo   # [python>='3.12']", {"python"}),
        ("    - zlib", {"zlib"}),
        ("    - zlib   # [linux]", {"zlib"}),
        ("    - r-base", {"r_base"}),
        ("    - {{ compiler('c') }}", {"c_compiler", "c_compiler_version"}),
        ('    - {{ compiler("cxx") }}', {"cxx_compiler"}),
    ],
)
def test_v0_text_rules(line: str, used: set[str]) -> None:
    assert v0.used_variables(line + "\n", KEYS) == used


@pytest.mark.parametrize(
    "line",
    [
        "    - zlib >=1.2",  # a requirement with a version is not the variant's pin
        "    - zlib-ng",
        "  summary: a zlib wrapper",
        "  url: https://x/{{ 'lib' ~ zlib }}",  # conda-build only sees `{{ key ...}}`
        "{% set z = zlib %}",
        # conda-build's pattern stops at the quote: the host entry is what makes it used.
        "    - {{ pin_compatible('libpng') }}",
        "    - foo   # [not linux]  uses no key",
    ],
)
def test_v0_text_that_does_not_use_a_key(line: str) -> None:
    assert v0.used_variables(line + "\n", KEYS) == set()


def test_v0_selector_pass_reads_raw_text_other_rules_the_selected_text() -> None:
    raw = "    - zlib   # [win]\n    - libpng   # [python == '3.12']\n"
    selected = "\n\n"  # on linux with another python, both lines are gone
    assert v0.used_variables(raw, KEYS, selected) == {"python"}
    assert v0.used_variables(raw, KEYS) == {"zlib", "libpng", "python"}  # the candidates


@pytest.mark.parametrize(
    ("script", "kind", "used"),
    [
        ("echo $zlib \n", "sh", {"zlib"}),
        ("echo ${zlib}\n", "sh", {"zlib"}),
        ('cmake -DX="${libpng}"\n', "sh", {"libpng"}),
        ("echo $zlib_version \n", "sh", set()),
        # conda-build's regex: the key must be the first $ on its line ...
        ("cmake -DPREFIX=$PREFIX -DZ=$zlib \n", "sh", set()),
        # ... and be followed by a space, | or }.
        ('echo "$zlib"\n', "sh", set()),
        ("echo %zlib%\n", "bat", {"zlib"}),
        ("echo %zlib%\n", "sh", set()),
    ],
)
def test_v0_build_script_rules(script: str, kind: str, used: set[str]) -> None:
    assert v0.used_in_script(script, KEYS, kind) == used


def render_v0(
    text: str, config: str, subdir: str = "linux-64", scripts: dict[str, str] | None = None
) -> list[render.RenderedRecipe]:
    raw = recipe.parse(text, "meta.yaml", scripts=scripts)
    return render.render_recipe(raw, vc.parse(config, "cbc.yaml", subdir), subdir)


META = """
package:
  name: foo
  version: 1.0
requirements:
  host:
    - zlib
"""


def test_unused_keys_collapse_in_render() -> None:
    rendered = render_v0(META, "zlib: ['1.2', '1.3']\nlibpng: ['1.5', '1.6', '1.7']\n")
    assert [r.variant for r in rendered] == [
        {"target_platform": "linux-64", "zlib": "1.2"},
        {"target_platform": "linux-64", "zlib": "1.3"},
    ]


def test_build_sh_key_expands_the_matrix() -> None:
    rendered = render_v0(
        META, "zlib: ['1.2']\nlibpng: ['1.5', '1.6']\n", scripts={"build.sh": "echo ${libpng}\n"}
    )
    assert [r.variant.get("libpng") for r in rendered] == ["1.5", "1.6"]


def test_bld_bat_only_counts_on_windows() -> None:
    config = "zlib: ['1.2']\nlibpng: ['1.5', '1.6']\n"
    scripts = {"bld.bat": "echo %libpng%\n"}
    assert len(render_v0(META, config, "linux-64", scripts)) == 1
    assert len(render_v0(META, config, "win-64", scripts)) == 2


def test_a_key_on_a_selected_out_line_does_not_count() -> None:
    text = META + "    - libpng   # [win]\n"
    config = "zlib: ['1.2']\nlibpng: ['1.5', '1.6']\n"
    (linux,) = render_v0(text, config, "linux-64")
    assert "libpng" not in linux.variant
    assert [r.variant["libpng"] for r in render_v0(text, config, "win-64")] == ["1.5", "1.6"]


def test_force_use_and_force_ignore_keys() -> None:
    text = META + "build:\n  force_use_keys: [libpng]\n  force_ignore_keys: [zlib]\n"
    (rendered,) = render_v0(text, "zlib: ['1.2']\nlibpng: ['1.5']\n")
    assert rendered.variant == {"libpng": "1.5", "target_platform": "linux-64"}


def test_v1_used_keys() -> None:
    text = """
context:
  v: ${{ zlib }}
package:
  name: foo
  version: 1.0
requirements:
  build:
    - ${{ compiler('c') }}
  host:
    - libpng
    - if: python == '3.12'
      then: extra
  run:
    - r-base
build:
  variant:
    use_keys: [openssl]
"""
    raw = recipe.parse(text, "recipe.yaml")
    analysis = v1.analyze(raw.tree)
    keys = KEYS | {"openssl", "c_stdlib"}
    assert analysis.top.variables(keys) == {
        "zlib",
        "libpng",
        "python",
        "c_compiler",
        "c_compiler_version",
        "openssl",
    }
