"""meta.yaml rules taken from conda-build that real feedstocks rely on."""

from __future__ import annotations

import pytest
from v0_text import render_v0

from conda_forge_like import baseplate, platforms
from conda_forge_like.errors import CflError
from conda_forge_like.recipe import selectors


def test_pkg_names_come_from_the_package_section() -> None:
    # conda-build's environ.get_dict: PKG_NAME, PKG_VERSION, PKG_BUILDNUM in the Jinja context
    text = (
        "package: {name: foo, version: 1.2}\nbuild:\n  number: 3\n"
        "test:\n  commands:\n    - echo {{ PKG_NAME }}-{{ PKG_VERSION }}-{{ PKG_BUILDNUM }}\n"
    )
    (rendered,) = render_v0(text)
    assert rendered.meta["test"]["commands"] == ["echo foo-1.2-3"]


def test_pkg_hash_is_the_digest_in_an_explicit_build_string() -> None:
    # conda-build: `h{{ PKG_HASH }}` becomes the same h<7 hex> its default build string has
    base = "package: {name: foo, version: 1}\nrequirements:\n  host:\n    - zlib\n"
    (default,) = render_v0(base, "zlib: ['1.3']\n")
    text = base + "build:\n  string: cxx17_h{{ PKG_HASH }}_{{ PKG_BUILDNUM }}\n"
    (explicit,) = render_v0(text, "zlib: ['1.3']\n")
    assert explicit.build_string == f"cxx17_{default.build_string}"


@pytest.mark.parametrize(("subdir", "ext"), [("linux-64", ".so"), ("osx-arm64", ".dylib")])
def test_shlib_ext_and_py_ver(subdir: str, ext: str) -> None:
    text = "package: {name: foo, version: 1}\nabout:\n  summary: '{{ SHLIB_EXT }} {{ PY_VER }}'\n"
    (rendered,) = render_v0(text, "python: ['3.12.* *_cpython']\n", subdir)
    assert rendered.meta["about"]["summary"] == f"{ext} 3.12"


def test_skip_inside_an_output_drops_that_output() -> None:
    text = (
        "package: {name: top, version: 1}\noutputs:\n  - name: a\n  - name: b\n"
        "    build:\n      skip: true  # [not win]\n"
        "    requirements:\n      run:\n        - {{ pin_subpackage('b', exact=True) }}\n"
    )
    assert [r.name for r in render_v0(text)] == ["a"]
    assert [r.name for r in render_v0(text, subdir="win-64")] == ["a", "b"]


def test_selectors_may_call_int_and_float() -> None:
    # conda-build evaluates a selector with Python's eval
    ns = {"c_compiler_version": "14", "v": "3.4"}
    assert selectors.evaluate("int(c_compiler_version) >= 14 and float(v) < 3.5", ns)


@pytest.mark.parametrize(
    ("subdir", "arch"),
    [("win-arm64", "arm64"), ("linux-ppc64le", "ppc64le"), ("linux-riscv64", "riscv64")],
)
def test_every_conda_subdir_renders(subdir: str, arch: str) -> None:
    assert platforms.namespace(subdir)[arch] is True
    (rendered,) = render_v0("package: {name: foo, version: 1}\n", subdir=subdir)
    assert rendered.subdir == subdir


def test_a_subdir_the_base_plate_lacks_fails_when_building() -> None:
    # rendering works for every conda subdir; the build's base plate names what it can target
    with pytest.raises(CflError, match="no toolchain for 'linux-riscv64'"):
        baseplate.resolve({}, "linux-riscv64", {})
