"""Variant files: parsing, merge order, zip_keys and matrix expansion. Pure, no files."""

from __future__ import annotations

import pytest

from conda_forge_like.errors import CflErrorGroup, VariantError
from conda_forge_like.variants import config as vc
from conda_forge_like.variants.expand import expand

DEFAULT = """
zlib: ['1.2']
libpng: ['1.5']
openssl: ['3']
c_compiler_version: ['12']
cxx_compiler_version: ['12']
zip_keys:
  - [c_compiler_version, cxx_compiler_version]
"""


def parse(text: str, name: str = "cbc.yaml", subdir: str = "linux-64") -> vc.VariantConfig:
    return vc.parse(text, name, subdir)


def test_line_selectors_in_a_variant_file() -> None:
    text = "c_compiler:\n  - gcc     # [linux]\n  - clang   # [osx]\n"
    assert parse(text, subdir="linux-64").values["c_compiler"] == ("gcc",)
    assert parse(text, subdir="osx-arm64").values["c_compiler"] == ("clang",)


def test_if_then_items_in_a_variants_yaml() -> None:
    text = "zlib:\n  - if: linux\n    then: ['1.3']\n    else: ['1.2']\n"
    assert parse(text, subdir="linux-64").values["zlib"] == ("1.3",)
    assert parse(text, subdir="win-64").values["zlib"] == ("1.2",)


def test_numbers_stay_text_in_conda_build_files() -> None:
    assert parse("python: [3.10]\n").values["python"] == ("3.10",)


def test_merge_order_later_wins_per_key() -> None:
    default = parse(DEFAULT, "default.yaml")
    local = parse("zlib: ['1.3']\nlibpng: ['1.6']\n", "recipe/conda_build_config.yaml")
    m_file = parse("libpng: ['1.6.43']\n", "ci.yaml")
    cli = vc.from_overrides(["openssl=3.3"])
    merged = vc.merge([default, local, m_file, cli])
    assert merged.values["zlib"] == ("1.3",)  # recipe-local beats default
    assert merged.values["libpng"] == ("1.6.43",)  # -m file beats recipe-local
    assert merged.values["openssl"] == ("3.3",)  # command line beats all
    assert str(merged.origins["libpng"]) == "ci.yaml:1"
    assert str(merged.origins["openssl"]) == "command line"


def test_later_zip_group_replaces_groups_it_shares_a_key_with() -> None:
    default = parse(DEFAULT, "default.yaml")
    later = parse(
        "c_compiler_version: ['13', '14']\nfortran_compiler_version: ['13', '14']\n"
        "zip_keys:\n  - [c_compiler_version, fortran_compiler_version]\n",
        "ci.yaml",
    )
    merged = vc.merge([default, later])
    assert merged.zip_keys == (("c_compiler_version", "fortran_compiler_version"),)
    vc.validate(merged)  # cxx_compiler_version (1 value) is no longer zipped


def test_overrides_split_on_commas() -> None:
    cfg = vc.from_overrides(["python=3.11,3.12", "microarch_level=3"])
    assert cfg.values == {"python": ("3.11", "3.12"), "microarch_level": ("3",)}


@pytest.mark.parametrize("pair", ["python", "=3.12", "python=3.12,"])
def test_bad_override(pair: str) -> None:
    with pytest.raises(VariantError, match="bad variant override") as info:
        vc.from_overrides([pair])
    assert info.value.hint


def test_pin_run_as_build_forms() -> None:
    cfg = parse("pin_run_as_build:\n  python: x.x\n  zlib:\n    max_pin: x.x\n")
    assert cfg.pin_run_as_build["python"] == {"min_pin": "x.x", "max_pin": "x.x"}
    assert cfg.pin_run_as_build["zlib"] == {"max_pin": "x.x"}


def test_bad_pin_run_as_build_names_its_line() -> None:
    with pytest.raises(VariantError, match="pin_run_as_build/zlib") as info:
        parse("pin_run_as_build:\n  zlib:\n    maxpin: x.x\n")
    assert str(info.value.location) == "cbc.yaml:2"


def test_equal_zip_lengths_expand_together() -> None:
    cfg = parse(
        "python: ['3.11', '3.12']\nnumpy: ['1.26', '2.0']\nzlib: ['1.2', '1.3']\n"
        "zip_keys:\n  - [python, numpy]\n"
    )
    combos = expand(cfg, {"python", "zlib"})
    assert combos == [
        {"python": "3.11", "numpy": "1.26", "zlib": "1.2"},
        {"python": "3.11", "numpy": "1.26", "zlib": "1.3"},
        {"python": "3.12", "numpy": "2.0", "zlib": "1.2"},
        {"python": "3.12", "numpy": "2.0", "zlib": "1.3"},
    ]


def test_unused_keys_collapse() -> None:
    cfg = parse("zlib: ['1.2', '1.3']\nlibpng: ['1.5', '1.6']\n")
    assert expand(cfg, {"zlib"}) == [{"zlib": "1.2"}, {"zlib": "1.3"}]
    assert expand(cfg, set()) == [{}]
    assert cfg.first() == {"zlib": "1.2", "libpng": "1.5"}


def test_zip_mismatch_names_keys_lengths_and_files() -> None:
    merged = vc.merge(
        [
            parse("python: ['3.11', '3.12']\nzip_keys:\n  - [python, numpy]\n", "a.yaml"),
            parse("numpy: ['2.0']\n", "b.yaml"),
        ]
    )
    with pytest.raises(VariantError) as info:
        expand(merged, {"python"})
    message = str(info.value)
    assert "[python, numpy]" in message
    assert "python has 2 (from a.yaml:1)" in message
    assert "numpy has 1 (from b.yaml:1)" in message
    assert str(info.value.location) == "a.yaml:3"  # the group's own line
    assert info.value.hint


def test_every_mismatched_zip_group_is_reported() -> None:
    cfg = parse("a: [1, 2]\nb: [1]\nc: [1, 2]\nd: [1, 2, 3]\nzip_keys:\n  - [a, b]\n  - [c, d]\n")
    with pytest.raises(CflErrorGroup) as info:
        vc.validate(cfg)
    assert len(info.value.errors) == 2


def test_a_variant_file_must_be_a_mapping() -> None:
    with pytest.raises(VariantError, match="mapping") as info:
        parse("- zlib\n")
    assert str(info.value.location) == "cbc.yaml:1"
