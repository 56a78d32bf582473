"""The ABI step of ``cfl build``: recipe severities, the glibc floor and the earlier build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conda_forge_like import api
from conda_forge_like.abi import AbiCheckError
from conda_forge_like.build import abi_step
from conda_forge_like.render.model import RenderedRecipe


def rendered(tmp_path: Path, build: str, version: str = "1.2", number: int = 3) -> RenderedRecipe:
    recipe = tmp_path / "recipe" / "recipe.yaml"
    recipe.parent.mkdir(parents=True, exist_ok=True)
    recipe.write_text(
        f"package:\n  name: libx\n  version: '{version}'\n"
        f"build:\n  number: {number}\n{build}"
    )  # fmt: skip
    (out,) = api.render([recipe.parent], target_platform="linux-64")
    return out


def test_severities_from_the_recipe(tmp_path: Path) -> None:
    r = rendered(tmp_path, "  abi_check:\n    overlinking: error\n    isa-level: ignore\n")
    assert abi_step.severities(r) == {"overlinking": "error", "isa-level": "ignore"}


def test_no_abi_check_means_the_defaults(tmp_path: Path) -> None:
    assert abi_step.severities(rendered(tmp_path, "")) == {}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("  abi_check:\n    overlinkin: error\n", "unknown check 'overlinkin'"),
        ("  abi_check:\n    leak: fatal\n", "unknown severity 'fatal'"),
        ("  abi_check: [overlinking]\n", "must be a mapping"),
    ],
)
def test_wrong_severities_name_the_recipe(tmp_path: Path, body: str, words: str) -> None:
    r = rendered(tmp_path, body)
    with pytest.raises(AbiCheckError) as failed:
        abi_step.severities(r)
    assert words in str(failed.value)
    assert "recipe.yaml" in str(failed.value)


def test_glibc_floor_follows_c_stdlib_version() -> None:
    assert abi_step.glibc_floor({"c_stdlib_version": "2.28"}) == "2.28"
    assert abi_step.glibc_floor({}) == "2.17"
    assert abi_step.glibc_floor({"c_stdlib_version": ""}) == "2.17"


def write_repodata(channel: Path, packages: dict[str, tuple[str, int]]) -> None:
    subdir = channel / "linux-64"
    subdir.mkdir(parents=True)
    records = {
        f"libx-{version}-h0_{number}.conda": {
            "name": "libx", "version": version, "build": f"h0_{number}", "build_number": number,
            "depends": [], "subdir": "linux-64",
        }
        for version, number in packages.values()
    }  # fmt: skip
    for filename in records:
        (subdir / filename).write_bytes(b"")
    (subdir / "repodata.json").write_text(
        json.dumps({"info": {"subdir": "linux-64"}, "packages": {}, "packages.conda": records})
    )


def test_earlier_build_is_the_newest_older_one(tmp_path: Path) -> None:
    r = rendered(tmp_path, "", version="1.2", number=3)
    channel = tmp_path / "channel"
    write_repodata(
        channel,
        {"a": ("1.0", 0), "b": ("1.1", 5), "c": ("1.2", 1), "d": ("1.3", 0), "e": ("1.2", 7)},
    )
    found = abi_step.earlier_build(channel, r)
    assert found is not None
    assert found.name == "libx-1.2-h0_1.conda"


def test_no_earlier_build_in_an_empty_channel(tmp_path: Path) -> None:
    assert abi_step.earlier_build(tmp_path / "nothing", rendered(tmp_path, "")) is None
