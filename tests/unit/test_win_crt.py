"""The win-64 C runtime in the variant names what zig links (mingw-w64 over the UCRT), not vs."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from conda_forge_like.baseplate import crt, tools
from conda_forge_like.variants.config import VariantConfig


def _config(**values: tuple[str, ...]) -> VariantConfig:
    return VariantConfig(values=MappingProxyType(dict(values)))


def test_conda_forges_vs_pin_becomes_the_runtime_really_linked() -> None:
    cfg = _config(c_stdlib=("vs",), c_stdlib_version=("2022",), c_compiler=("vs2022",))
    new, [note] = crt.substitute(cfg, "win-64", {"mingw-w64": "15"})
    assert new.values["c_stdlib"] == ("mingw-w64-ucrt",)
    assert new.values["c_stdlib_version"] == ("15",)
    assert new.values["c_compiler"] == ("vs2022",)  # the compiler pins are substitute.py's
    assert note.startswith("c_stdlib vs 2022: ")
    assert "UCRT, not MSVC's runtime" in note


def test_zipped_lengths_are_kept_and_a_matching_pin_is_left_alone() -> None:
    cfg = _config(c_stdlib=("vs", "vs"), c_stdlib_version=("2019", "2022"))
    new, _ = crt.substitute(cfg, "win-64", {"mingw-w64": "15"})
    assert new.values["c_stdlib_version"] == ("15", "15")
    honest = _config(c_stdlib=("mingw-w64-ucrt",), c_stdlib_version=("15",))
    assert crt.substitute(honest, "win-64", {"mingw-w64": "15"}) == (honest, [])


def test_other_targets_and_an_unknown_version_change_nothing() -> None:
    cfg = _config(c_stdlib=("vs",), c_stdlib_version=("2022",))
    assert crt.substitute(cfg, "linux-64", {"mingw-w64": "15"}) == (cfg, [])
    assert crt.substitute(cfg, "win-64", {}) == (cfg, [])


def test_mingw_version_is_read_from_zigs_headers(tmp_path: Path) -> None:
    assert crt.mingw_version(None) is None
    assert crt.mingw_version(str(tmp_path / "zig")) is None
    zig = tools.find_tools().zig
    if zig is None:
        pytest.skip("zig is not installed")
    version = crt.mingw_version(zig)
    assert version is not None
    assert version.isdigit()
