"""Pin expressions, the build-string hash and conda-build's build strings. Pure, no files."""

from __future__ import annotations

import hashlib
import json

import pytest
from v0_text import render_v0

from conda_forge_like import recipe, render
from conda_forge_like.render.context import Functions, take_compatible_pins
from conda_forge_like.render.model import PendingPin
from conda_forge_like.render.pins import apply_pin, ensure_valid_spec
from conda_forge_like.variants import config as vc
from conda_forge_like.variants import hashing


@pytest.mark.parametrize(
    ("version", "min_pin", "max_pin", "expected"),
    [
        ("1.6.34", "x.x.x", "x.x", ">=1.6.34,<1.7.0a0"),
        ("1.6.34", "x.x.x.x.x.x", "x", ">=1.6.34,<2.0a0"),  # the defaults
        ("1.2.3", "x.x", "x.x", ">=1.2,<1.3.0a0"),
        ("2.7.1", "x.x.x.x", "x.x.x", ">=2.7.1,<2.7.2.0a0"),
        ("3", "x.x", "x.x", ">=3,<4.0a0"),  # max_pin longer than the version
        ("1.2.3.4", "x.x", "x.x.x.x.x", ">=1.2,<1.2.3.5.0a0"),
        ("1.3.*", "x.x", "x.x", ">=1.3,<1.4.0a0"),
        ("1.2.3", None, "x", "<2.0a0"),
        ("1.2.3", "x.x.x", None, ">=1.2.3"),
        # letters: the upper bound bumps to the next letter-suffixed place (openssl, jpeg) ...
        ("1.1.1a", "x.x.x", "x.x.x", ">=1.1.1a,<1.1.2a"),
        ("9e", "x", "x", ">=9e,<10a"),
        # ... and a pre-release keeps itself as the lower bound (1.0rc1 < 1.0)
        ("1.0rc1", "x.x", "x.x", ">=1.0rc1,<1.1a"),
        ("2.0.0rc1", "x.x.x", "x", ">=2.0.0rc1,<3.0a0"),
    ],
)
def test_apply_pin(version: str, min_pin: str | None, max_pin: str | None, expected: str) -> None:
    assert apply_pin(version, min_pin, max_pin) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("gcc_linux-64 12", "gcc_linux-64 12.*"),
        ("zlib 1.3.*", "zlib 1.3.*"),
        ("zlib >=1.3", "zlib >=1.3"),
        ("zlib 1.3 h1234567_0", "zlib 1.3 h1234567_0"),
    ],
)
def test_ensure_valid_spec(spec: str, expected: str) -> None:
    assert ensure_valid_spec(spec) == expected


def test_compiler_and_stdlib() -> None:
    variant = {"c_compiler": "gcc", "c_compiler_version": "13", "c_stdlib_version": "2.28"}
    functions = Functions(variant, "linux-aarch64")
    assert functions.compiler("c") == "gcc_linux-aarch64 13.*"
    assert functions.compiler("cxx") == "gxx_linux-aarch64"
    assert functions.stdlib("c") == "sysroot_linux-aarch64 2.28.*"
    assert Functions({}, "osx-arm64").compiler("c") == "clang_osx-arm64"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "libpng >=1.6.34,<2.0a0"),
        ({"max_pin": "x.x"}, "libpng >=1.6.34,<1.7.0a0"),
        ({"min_pin": "x.x", "max_pin": "x.x"}, "libpng >=1.6,<1.7.0a0"),
        ({"upper_bound": "1.8"}, "libpng >=1.6.34,<1.8"),
        ({"lower_bound": "1.5.1", "max_pin": "x.x"}, "libpng >=1.5.1,<1.6.0a0"),
        ({"exact": True}, "libpng ==1.6.34"),
    ],
)
def test_pin_compatible_with_a_variant_value(kwargs: dict[str, object], expected: str) -> None:
    assert (
        Functions({"libpng": "1.6.34"}, "linux-64").pin_compatible("libpng", **kwargs) == expected
    )


def test_pin_compatible_without_a_value_waits_for_the_host_environment() -> None:
    functions = Functions({}, "linux-64")
    marker = functions.pin_compatible("libfoo", max_pin="x.x")
    assert functions.pending == [
        {"name": "libfoo", "lower": "x.x.x.x.x.x", "upper": "x.x", "exact": False}
    ]
    # The requirement is the bare name; the pin travels beside it to the build stage.
    assert take_compatible_pins([marker, "zlib"]) == (
        ["libfoo", "zlib"],
        [PendingPin("libfoo", "x.x.x.x.x.x", "x.x", exact=False)],
    )


@pytest.mark.parametrize(
    ("text", "upper_bound"),
    [
        # v0: conda-build's pin_compatible(name, max_pin=...)
        (
            "package: {name: app, version: 1}\nrequirements:\n  host: [dep]\n  run:\n"
            "    - {{ pin_compatible('dep', max_pin='x.x') }}\n",
            None,
        ),
        (
            "package: {name: app, version: 1}\nrequirements:\n  host: [dep]\n  run:\n"
            "    - {{ pin_compatible('dep', upper_bound='2.0') }}\n",
            "2.0",
        ),
    ],
)
def test_v0_pending_pins_reach_the_rendered_recipe(text: str, upper_bound: str | None) -> None:
    raw = recipe.parse(text, "meta.yaml")
    (rendered,) = render.render_recipe(raw, vc.parse("", "cbc.yaml", "linux-64"), "linux-64")
    assert rendered.requirements.run == ("dep",)
    (pin,) = rendered.pending_pins
    assert (pin.name, pin.upper_bound) == ("dep", upper_bound)
    assert pin.upper == "x" if upper_bound else pin.upper == "x.x"
    assert "dep" not in json.loads(rendered.hash_input)  # run requirements are not hashed
    assert rendered.as_json()["pending_pins"] == [pin.as_dict()]


def test_v1_pending_pins_belong_to_the_output_that_asks() -> None:
    text = (
        "recipe: {name: split, version: '1.0'}\noutputs:\n"
        "  - package: {name: uses-pin}\n    requirements:\n      host: [dep]\n"
        "      run:\n        - ${{ pin_compatible('dep', upper_bound='x.x') }}\n"
        "  - package: {name: bare}\n    requirements:\n      run: [dep]\n"
    )
    raw = recipe.parse(text, "recipe.yaml")
    uses, bare = render.render_recipe(raw, vc.parse("", "v.yaml", "linux-64"), "linux-64")
    assert uses.requirements.run == bare.requirements.run == ("dep",)
    assert uses.pending_pins == (PendingPin("dep", "x.x.x.x.x.x", "x.x"),)
    assert bare.pending_pins == ()


def test_hash_is_sha1_of_sorted_json_with_default_separators() -> None:
    contents = {"zlib": "1.3", "target_platform": "linux-64"}
    text = '{"target_platform": "linux-64", "zlib": "1.3"}'
    assert hashing.hash_input(contents) == text
    assert hashing.build_hash(contents) == "h" + hashlib.sha1(text.encode()).hexdigest()[:7]


def test_known_hashes() -> None:
    # conda-forge's noarch python packages: pyhd8ed1ab_0.
    assert hashing.build_hash({"channel_targets": "conda-forge main"}) == "hd8ed1ab"
    assert hashing.build_hash({}) == "hbf21a9e"


def h(contents: dict[str, str]) -> str:
    return "h" + hashlib.sha1(json.dumps(contents, sort_keys=True).encode()).hexdigest()[:7]


PY_ZLIB = """
package:
  name: foo
  version: 1.0
build:
  number: 3
requirements:
  host:
    - python
    - zlib
  run:
    - python
    - zlib
"""
PY_ZLIB_CONFIG = (
    "python: ['3.12']\nzlib: ['1.3']\n"
    "pin_run_as_build:\n  python: {min_pin: x.x, max_pin: x.x}\n  zlib: {max_pin: x.x}\n"
)


def test_v0_python_prefix_and_python_out_of_the_hash() -> None:
    (rendered,) = render_v0(PY_ZLIB, PY_ZLIB_CONFIG)
    contents = {"target_platform": "linux-64", "zlib": "1.3"}
    assert rendered.hash_input == json.dumps(contents)
    assert rendered.build_string == f"py312{h(contents)}_3"
    assert rendered.variant == {"python": "3.12", "target_platform": "linux-64", "zlib": "1.3"}
    assert rendered.requirements.run == ("python >=3.12,<3.13.0a0", "zlib >=1.3,<1.4.0a0")


def test_v0_only_target_platform_gives_no_hash() -> None:
    (rendered,) = render_v0("package:\n  name: foo\n  version: 1.0\n", "zlib: ['1.3']\n")
    assert rendered.variant == {"target_platform": "linux-64"}
    assert rendered.hash_input == "{}"
    assert rendered.build_string == "0"


def test_v0_python_only_gives_prefix_without_hash() -> None:
    text = "package: {name: foo, version: 1.0}\nrequirements:\n  host: [python]\n  run: [python]\n"
    (rendered,) = render_v0(text, "python: ['3.11']\n")
    assert rendered.build_string == "py311_0"


def test_v0_python_with_a_space_stays_in_the_hash() -> None:
    text = "package: {name: foo, version: 1.0}\nrequirements:\n  host:\n    - python\n"
    (rendered,) = render_v0(text, "python: ['3.12.* *_cpython']\n")
    assert json.loads(rendered.hash_input)["python"] == "3.12.* *_cpython"


def test_v0_run_only_key_is_not_hashed_and_virtual_packages_are() -> None:
    text = (
        "package: {name: foo, version: 1.0}\nrequirements:\n  host: [libpng]\n"
        "  run:\n    - zlib\n    - __glibc >=2.17\n"
    )
    (rendered,) = render_v0(text, "zlib: ['1.3']\nlibpng: ['1.6']\n")
    assert "zlib" in rendered.variant
    contents = {"__glibc": "__glibc >=2.17", "libpng": "1.6", "target_platform": "linux-64"}
    assert rendered.hash_input == json.dumps(contents)
    assert rendered.build_string == f"{h(contents)}_0"


def test_v0_numpy_goes_to_the_hash_unless_numpy_xx() -> None:
    text = (
        "package: {name: foo, version: 1.0}\nrequirements:\n"
        "  host: [python, numpy]\n  run: [python, numpy]\n"
    )
    config = "python: ['3.12']\nnumpy: ['2.0']\n"
    (plain,) = render_v0(text, config)
    assert plain.build_string == "py312" + h({"numpy": "2.0", "target_platform": "linux-64"}) + "_0"
    (xx,) = render_v0(text.replace("numpy]", "numpy x.x]"), config)
    assert xx.build_string == "np20py312_0"  # only target_platform left: no hash
    assert xx.requirements.host == ("python 3.12.*", "numpy 2.0.*")
    assert xx.requirements.run == ("python", "numpy >=2.0,<2.1.0a0")


def test_v0_ignore_version_drops_a_key_from_the_hash() -> None:
    text = "package: {name: foo, version: 1.0}\nrequirements:\n  host:\n    - zlib\n    - libpng\n"
    (rendered,) = render_v0(text, "zlib: ['1.3']\nlibpng: ['1.6']\nignore_version: [libpng]\n")
    assert rendered.hash_input == json.dumps({"target_platform": "linux-64", "zlib": "1.3"})


def test_v0_noarch_python() -> None:
    text = (
        "package: {name: foo, version: 1.0}\nbuild:\n  noarch: python\n"
        "requirements:\n  host: [python]\n  run: [python]\n"
    )
    config = "python: ['3.11', '3.12']\npin_run_as_build:\n  python: x.x\n"
    (rendered,) = render_v0(text, config)  # both pythons build the same package
    assert rendered.build_string == "py_0"
    assert rendered.subdir == "noarch"
    assert rendered.requirements.run == ("python",)


def test_v0_explicit_build_string_is_kept() -> None:
    text = "package: {name: foo, version: 1.0}\nbuild:\n  string: custom_1\n"
    (rendered,) = render_v0(text)
    assert rendered.build_string == "custom_1"


def test_v0_flow_lists_follow_conda_builds_regexes() -> None:
    # `[zlib, libpng]`: conda-build's selector pattern sees `libpng]` (a key before `]`),
    # nothing sees `zlib,`. Hashes must agree with conda-build, quirks included.
    text = "package: {name: foo, version: 1.0}\nrequirements:\n  host: [zlib, libpng]\n"
    (rendered,) = render_v0(text, "zlib: ['1.3']\nlibpng: ['1.6']\n")
    assert rendered.variant == {"libpng": "1.6", "target_platform": "linux-64"}


def test_v1_hash_keeps_target_platform() -> None:
    text = "package:\n  name: foo\n  version: 1.0\nbuild:\n  number: 1\n"
    raw = recipe.parse(text, "recipe.yaml")
    (rendered,) = render.render_recipe(raw, vc.VariantConfig(), "linux-64")
    assert rendered.hash_input == json.dumps({"target_platform": "linux-64"})
    assert rendered.build_string == h({"target_platform": "linux-64"}) + "_1"
