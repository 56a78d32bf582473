"""Rendering meta.yaml: {% set %}, outputs, pin_subpackage, run_exports, errors. Pure."""

from __future__ import annotations

from pathlib import Path

import pytest
from v0_text import render_v0

from conda_forge_like import api, recipe, render
from conda_forge_like.errors import CflErrorGroup, RecipeError
from conda_forge_like.templating import render_text
from conda_forge_like.variants import config as vc


def test_set_variables_and_variant_keys_in_jinja() -> None:
    text = (
        '{% set name = "foo" %}\n{% set version = "1.2.3" %}\n'
        "package:\n  name: {{ name }}\n  version: {{ version }}\n"
        "source:\n  url: https://x/{{ name }}-{{ version }}-{{ zlib }}.tar.gz\n"
    )
    (rendered,) = render_v0(text, "zlib: ['1.3']\n")
    assert (rendered.name, rendered.version) == ("foo", "1.2.3")
    assert rendered.meta["source"]["url"] == "https://x/foo-1.2.3-1.3.tar.gz"
    assert rendered.variant == {"target_platform": "linux-64", "zlib": "1.3"}


def test_selectors_apply_after_jinja_too() -> None:
    text = (
        "{% set extra = '- libpng  # [osx]' %}\npackage: {name: foo, version: 1}\n"
        "requirements:\n  host:\n    - zlib\n    {{ extra }}\n"
    )
    (rendered,) = render_v0(text)
    assert rendered.requirements.host == ("zlib",)


MULTI = """
{% set version = "2.3.4" %}
package:
  name: split
  version: {{ version }}
build:
  number: 1
outputs:
  - name: libsplit
    build:
      run_exports:
        weak:
          - {{ pin_subpackage('libsplit', max_pin='x.x') }}
        strong:
          - {{ pin_subpackage('libsplit', min_pin='x.x', max_pin='x') }}
    requirements:
      host:
        - zlib
  - name: split-tools
    requirements:
      host:
        - {{ pin_subpackage('libsplit', exact=True) }}
      run:
        - {{ pin_subpackage('libsplit') }}
  - name: split
    requirements:
      - split-tools
"""


def test_outputs_and_pin_subpackage() -> None:
    lib, tools, top = render_v0(MULTI, "zlib: ['1.3']\n")
    assert [o.name for o in (lib, tools, top)] == ["libsplit", "split-tools", "split"]
    assert {o.version for o in (lib, tools, top)} == {"2.3.4"}
    assert {o.build_number for o in (lib, tools, top)} == {1}  # inherited from the top level
    assert lib.run_exports.weak == ("libsplit >=2.3.4,<2.4.0a0",)
    assert lib.run_exports.strong == ("libsplit >=2.3,<3.0a0",)
    assert tools.requirements.host == (f"libsplit 2.3.4 {lib.build_string}",)
    assert tools.requirements.run == ("libsplit >=2.3.4,<3.0a0",)
    assert top.requirements.run == ("split-tools",)  # `requirements: [..]` means run
    # Each output reads only its own section: only libsplit uses zlib.
    assert "zlib" in lib.variant
    assert "zlib" not in tools.variant


def test_run_exports_list_is_weak_and_ignore_run_exports_is_kept() -> None:
    text = """
package: {name: foo, version: 1.0}
build:
  run_exports:
    - {{ pin_subpackage('foo', max_pin='x') }}
  ignore_run_exports:
    - libstdcxx-ng
  ignore_run_exports_from:
    - {{ compiler('cxx') }}
"""
    (rendered,) = render_v0(text, "cxx_compiler: [gxx]\ncxx_compiler_version: ['13']\n")
    assert rendered.run_exports.weak == ("foo >=1.0,<2.0a0",)
    assert rendered.ignore_run_exports.by_name == ("libstdcxx-ng",)
    assert rendered.ignore_run_exports.from_package == ("gxx_linux-64 13.*",)
    assert rendered.variant["cxx_compiler_version"] == "13"


def test_skip_drops_the_variant() -> None:
    text = "package: {name: foo, version: 1.0}\nbuild:\n  skip: true  # [zlib == '1.2']\n"
    rendered = render_v0(text, "zlib: ['1.2', '1.3']\n")
    assert [r.variant["zlib"] for r in rendered] == ["1.3"]


def test_undefined_variables_are_reported_together_with_lines() -> None:
    with pytest.raises(RecipeError) as info:
        render_text("a: {{ one }}\nb: 2\nc: {{ two }}\n", "meta.yaml", {})
    assert "'one' (line 1)" in info.value.message
    assert "'two' (line 3)" in info.value.message
    assert str(info.value.location) == "meta.yaml:1"
    assert info.value.hint


def test_errors_of_one_recipe_come_together() -> None:
    text = (
        "package:\n  name: foo\n  version: {{ nope }}\nbuild:\n  numbr: 1\n  x: 1  # [linux and]\n"
    )
    with pytest.raises(CflErrorGroup) as info:
        render_v0(text)
    locations = sorted(str(e.location) for e in info.value.errors)
    assert locations == ["meta.yaml:3", "meta.yaml:5", "meta.yaml:6"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("package: {name: foo, version: 1}\nbuild:\n  number: x\n", 3, "build/number"),
        ("package:\n  name: foo\n", 1, "package/version is missing"),
        ("package: {name: foo, version: 1}\nabout:\n  homepage: x\n", 3, "'homepage'"),
        ("package: {name: foo, version: 1}\nbuild:\n  - 1\n", 2, "must be a mapping"),
        ("package: {name: foo, version: 1}\noutputs:\n  - version: 2\n", 3, "needs a name"),
        ("package:\n  name: foo\n  version: 1\n bad: [\n", 4, "invalid YAML"),
    ],
)
def test_recipe_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(RecipeError) as info:
        render_v0(text)
    assert str(info.value.location) == f"meta.yaml:{line}"
    assert fragment in info.value.message
    assert info.value.hint


def test_a_build_string_of_zero_is_kept(tmp_path: Path) -> None:
    """``string: 0`` (v0) and ``string: ${{ n }}`` with n = 0 (v1) are build strings too."""
    v1 = tmp_path / "v1" / "recipe.yaml"
    v1.parent.mkdir()
    v1.write_text(
        "context:\n  n: 0\npackage:\n  name: a\n  version: '1'\nbuild:\n  string: ${{ n }}\n"
    )
    v0 = tmp_path / "v0" / "meta.yaml"
    v0.parent.mkdir()
    v0.write_text(
        "{% set n = 0 %}\npackage:\n  name: a\n  version: '1'\nbuild:\n  string: {{ n }}\n"
    )
    rendered = api.render([v1.parent, v0.parent], target_platform="linux-64")
    assert [r.build_string for r in rendered] == ["0", "0"]


def test_an_output_script_file_counts_its_variant_keys() -> None:
    """conda-build reads an output's ``script: build_lib.sh`` for used keys (``$zlib``)."""
    text = (
        "package: {name: split, version: 1}\noutputs:\n"
        "  - name: lib\n    script: build_lib.sh\n  - name: tool\n"
    )
    raw = recipe.parse(text, "meta.yaml", scripts={"build_lib.sh": "make ZLIB=${zlib} install\n"})
    lib, tool = render.render_recipe(
        raw, vc.parse("zlib: ['1.3']\n", "c.yaml", "linux-64"), "linux-64"
    )
    assert lib.script == "build_lib.sh"
    assert lib.variant == {"target_platform": "linux-64", "zlib": "1.3"}
    assert tool.variant == {"target_platform": "linux-64"}


def test_an_output_script_naming_no_file_is_an_error_on_its_line() -> None:
    text = "package: {name: split, version: 1}\noutputs:\n  - name: lib\n    script: gone.sh\n"
    with pytest.raises(RecipeError) as info:
        render_v0(text)
    assert str(info.value.location) == "meta.yaml:4"
    assert "'gone.sh'" in info.value.message
