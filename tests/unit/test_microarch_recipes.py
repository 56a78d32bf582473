"""The shipped CPU-level recipes render as conda-forge's convention needs (no build)."""

from __future__ import annotations

from pathlib import Path

from conda_forge_like import api
from conda_forge_like.build import plan

ROOT = Path(__file__).resolve().parents[2]
MARKER = ROOT / "recipes" / "x86_64-microarch-level"
DEMO = ROOT / "recipes" / "kernelbench"


def test_marker_builds_one_noarch_package_per_name_and_four_exporters() -> None:
    rendered = api.render([MARKER], target_platform="linux-64")
    markers = [r for r in rendered if r.name == "_x86_64-microarch-level"]
    exporters = [r for r in rendered if r.name == "x86_64-microarch-level"]
    assert {r.noarch for r in rendered} == {"generic"}
    haswell = next(r for r in markers if r.build_string.endswith("_haswell"))
    assert (haswell.version, haswell.requirements.run) == ("3", ("__archspec 1 haswell",))
    assert sorted(r.version for r in exporters) == ["1", "2", "3", "4"]
    v4 = next(r for r in exporters if r.version == "4")
    assert v4.run_exports.as_dict()["strong"] == ["_x86_64-microarch-level >=4"]


def test_demo_levels_multiply_only_x86_64_builds() -> None:
    linux = api.render([DEMO], target_platform="linux-64")
    pairs = sorted((r.variant["c_compiler"], r.variant["microarch_level"]) for r in linux)
    assert pairs == [(c, level) for c in ("gcc", "zig") for level in (1, 2, 3, 4)]
    for r in linux:
        level = r.variant["microarch_level"]
        assert r.build_number == 100 * level
        assert f"x86_64-microarch-level {level}" in r.requirements.build
    aarch64 = api.render([DEMO], target_platform="linux-aarch64")
    assert len(aarch64) == 1
    assert aarch64[0].build_number == 0
    assert not any("microarch" in s for s in aarch64[0].requirements.build)


def test_marker_recipe_builds_before_the_demo() -> None:
    rendered = api.render([DEMO, MARKER], target_platform="linux-64")
    names = [r.name for r in plan.order(rendered)]
    assert names.index("kernelbench") > max(
        i for i, n in enumerate(names) if n == "x86_64-microarch-level"
    )
