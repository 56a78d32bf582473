"""ABI checks run by ``cfl build`` on the recipes in ``tests/data/recipes``.

Each behaviour recipe holds ``expected.json``: the exact (severity, code, path) findings its
build gives, none for ``abi-clean``. A recipe with an error finding fails to build with
``AbiCheckFailed`` and leaves nothing in the channel; one with only warnings is built and the
warnings are reported. ``abi-break`` 1.1 fails once 1.0 is in the channel.
"""

from __future__ import annotations

import json
import platform
import shutil
from pathlib import Path

import pytest

from conda_forge_like import api, index
from conda_forge_like.abi import AbiCheckFailed
from conda_forge_like.render.model import RenderedRecipe

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(platform.machine() != "x86_64", reason="recipes are x86-64 specific"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="glibc-too-new needs the host gcc"),
]
DATA = Path(__file__).resolve().parent.parent / "data" / "recipes"
FAILING = ["glibc-too-new", "avx512-in-baseline", "rpath-outside-prefix", "merged-string-tail"]
BUILDING = ["abi-clean", "overlinking", "prefix-datadir"]


def expected(recipe: Path) -> list[tuple[str, str, str]]:
    return [(e["severity"], e["code"], e["path"]) for e in json.loads(recipe.read_text())]


def names_in(channel: Path, subdir: str = "linux-64") -> list[str]:
    return sorted(r["name"] for r in index.records(channel, subdir).values())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, str, str]]]:
    """The recipes that pass their checks, built into one channel, with the reported events."""
    out = tmp_path_factory.mktemp("abi-channel")
    events: list[tuple[str, str, str]] = []

    def report(event: str, rendered: RenderedRecipe, detail: str) -> None:
        events.append((event, rendered.name, detail))

    api.build(
        [DATA / b for b in BUILDING], output_dir=out, target_platform="linux-64", test=False,
        report=report,
    )  # fmt: skip
    return out, events


@pytest.mark.parametrize("behaviour", BUILDING)
def test_recipe_with_warnings_only_builds_and_reports_them(
    behaviour: str, built: tuple[Path, list[tuple[str, str, str]]]
) -> None:
    out, events = built
    assert behaviour in names_in(out)
    warnings = [d for e, n, d in events if e == "warning" and n == behaviour]
    want = expected(DATA / behaviour / "expected.json")
    assert all(severity == "warning" for severity, _, _ in want)
    assert len(warnings) == len(want)
    for (severity, code, path), line in zip(want, warnings, strict=True):
        assert line.startswith(f"{severity}: [{code}] {path}: ")
        assert "to fix: " in line


@pytest.mark.parametrize("behaviour", FAILING)
def test_recipe_with_an_error_fails_the_build(behaviour: str, tmp_path: Path) -> None:
    with pytest.raises(AbiCheckFailed) as failed:
        api.build([DATA / behaviour], output_dir=tmp_path, target_platform="linux-64", test=False)
    found = [(f.severity, f.code, f.path) for f in failed.value.findings]
    assert found == expected(DATA / behaviour / "expected.json")
    assert failed.value.hint  # what to change
    assert names_in(tmp_path) == []
    assert not list((tmp_path / "linux-64").glob("*.conda"))
    assert list((tmp_path / "work").iterdir())  # kept for debugging


def test_abi_break_fails_against_the_earlier_build(tmp_path: Path) -> None:
    api.build([DATA / "abi-break/1.0"], output_dir=tmp_path, target_platform="linux-64", test=False)
    assert names_in(tmp_path) == ["libabibreak"]
    with pytest.raises(AbiCheckFailed) as failed:
        api.build(
            [DATA / "abi-break/1.1"], output_dir=tmp_path, target_platform="linux-64", test=False
        )
    found = [(f.severity, f.code, f.path) for f in failed.value.findings]
    assert found == expected(DATA / "abi-break/1.1/expected.json")
    assert "abibreak_old" in failed.value.findings[0].message
    versions = [r["version"] for r in index.records(tmp_path, "linux-64").values()]
    assert versions == ["1.0"]


def test_a_reused_staging_result_is_checked_for_the_paths_it_was_built_in(tmp_path: Path) -> None:
    """The staging script runs once, in the work directory its outputs share; a later output
    that packages a staged file naming that directory leaks it too."""
    with pytest.raises(AbiCheckFailed) as failed:
        api.build([DATA / "staging-leak"], output_dir=tmp_path, test=False)
    found = [(f.severity, f.code, f.path) for f in failed.value.findings]
    assert found == [("error", "leak", "share/staging-leak/leak.txt")]
    assert "-stage-leak-" in failed.value.findings[0].message
    assert names_in(tmp_path, "noarch") == ["staging-leak-clean"]
