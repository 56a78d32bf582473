"""Merging variant layers: a compiler and its version come from the same layer."""

from __future__ import annotations

from conda_forge_like.variants import config as vc

DEFAULT = (
    "c_compiler: [zig]\nc_compiler_version: ['0.17']\nc_stdlib: [vs]\nc_stdlib_version: ['2022']\n"
)


def test_a_compiler_without_version_drops_the_earlier_layers_version() -> None:
    job = "c_compiler: [vs2019]\nc_stdlib: [vs]\n"
    merged = vc.merge(
        [vc.parse(DEFAULT, "default.yaml", "win-64"), vc.parse(job, "job.yaml", "win-64")]
    )
    assert merged.first() == {"c_compiler": "vs2019", "c_stdlib": "vs"}


def test_a_layer_setting_only_the_version_keeps_the_compiler() -> None:
    job = "c_compiler_version: ['0.18']\n"
    merged = vc.merge(
        [vc.parse(DEFAULT, "default.yaml", "win-64"), vc.parse(job, "job.yaml", "win-64")]
    )
    assert merged.first()["c_compiler"] == "zig"
    assert merged.first()["c_compiler_version"] == "0.18"
