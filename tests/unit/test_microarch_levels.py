"""The marker recipe's name -> x86-64 level table is archspec's, and stays generated."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like.baseplate import microarch

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ROOT / "recipes" / "x86_64-microarch-level" / "variants.yaml"


def test_checked_in_variant_file_matches_archspec() -> None:
    expected = microarch.variants_text(microarch.levels())
    assert VARIANTS.read_text(encoding="utf-8") == expected, (
        "re-run: python ci/microarch_variants.py"
    )


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("x86_64", 1), ("core2", 1), ("nehalem", 2), ("x86_64_v2", 2), ("haswell", 3),
        ("zen3", 3), ("x86_64_v3", 3), ("skylake_avx512", 4), ("zen4", 4), ("x86_64_v4", 4),
    ],
)  # fmt: skip
def test_level_is_the_highest_generic_ancestor(name: str, level: int) -> None:
    assert microarch.levels()[name] == level


def test_only_x86_64_names_and_every_level_present() -> None:
    table = microarch.levels()
    assert "aarch64" not in table
    assert "i686" not in table
    assert set(table.values()) == {1, 2, 3, 4}


def test_variant_file_zips_names_with_levels() -> None:
    text = microarch.variants_text({"haswell": 3, "x86_64": 1})
    assert text.endswith(
        "archspec_level:\n  - 1\n  - 3\narchspec_name:\n  - x86_64\n  - haswell\n"
        "zip_keys:\n  - [archspec_level, archspec_name]\n"
    )


def test_the_machine_level_honours_conda_override_archspec() -> None:
    assert microarch.host_level({"CONDA_OVERRIDE_ARCHSPEC": "haswell"}) == 3
    assert microarch.host_level({"CONDA_OVERRIDE_ARCHSPEC": "x86_64"}) == 1
    assert microarch.host_level({"CONDA_OVERRIDE_ARCHSPEC": "zen4"}) == 4
    assert microarch.host_level({"CONDA_OVERRIDE_ARCHSPEC": "neoverse_v1"}) is None  # not x86-64


def test_the_level_a_package_needs_comes_from_its_marker_dependency() -> None:
    assert microarch.required_level(["libc", "_x86_64-microarch-level >=3"]) == 3
    assert microarch.required_level(["x86_64-microarch-level 4"]) is None  # the build-time marker
    assert microarch.required_level([]) is None


LOADER_HELP = """\
Subdirectories of glibc-hwcaps directories, in priority order:
  x86-64-v4
  x86-64-v3 (supported, searched)
  x86-64-v2 (supported, searched)
"""


def test_the_loader_list_gives_the_highest_supported_level() -> None:
    """glibc's ``ld.so --help`` under GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX512F: v4 is listed
    without "supported", so the machine counts as x86-64-v3."""
    assert microarch.parse_loader_levels(LOADER_HELP) == 3
    assert microarch.parse_loader_levels(LOADER_HELP.replace("v4\n", "v4 (supported)\n")) == 4
    assert microarch.parse_loader_levels("Subdirectories of glibc-hwcaps directories:\n") == 1


def test_an_override_wins_over_detection() -> None:
    assert microarch.host_level({"CONDA_OVERRIDE_ARCHSPEC": "nehalem"}) == 2
