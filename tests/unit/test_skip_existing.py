"""``--skip-existing`` decides from the rendered build strings and the channel's repodata
alone: an output is skipped when repodata.json lists its package file."""

from __future__ import annotations

import json
from pathlib import Path

from conda_forge_like import api
from conda_forge_like.build import result
from conda_forge_like.render.model import RenderedRecipe

ROOT = Path(__file__).resolve().parents[2]


def rendered() -> list[RenderedRecipe]:
    return api.render([ROOT / "tests" / "data" / "recipes" / "tiny-noarch"])


def channel_listing(root: Path, files: list[str]) -> Path:
    (root / "noarch").mkdir(parents=True)
    data = {"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {}}
    data["packages.conda"] = {name: {"name": "x"} for name in files}
    (root / "noarch" / "repodata.json").write_text(json.dumps(data))
    return root


def test_every_output_listed_is_skipped_without_building(tmp_path: Path) -> None:
    outputs = rendered()
    names = [result.package_filename(r, "conda") for r in outputs]
    channel = channel_listing(tmp_path / "out", names)
    events: list[tuple[str, str]] = []
    done = result.already_built(
        outputs, channel, "conda", lambda e, r, _: events.append((e, r.dist))
    )
    assert done == [result.skipped(r) for r in outputs]
    assert events == [("skipped", r.dist) for r in outputs]


def test_one_missing_output_means_the_build_decides(tmp_path: Path) -> None:
    outputs = rendered()
    channel = channel_listing(tmp_path / "out", [])
    assert result.already_built(outputs, channel, "conda", lambda *_: None) is None
    listed = channel_listing(tmp_path / "other", [result.package_filename(outputs[0], "conda")])
    assert result.already_built(outputs, listed, "tar.bz2", lambda *_: None) is None
    assert result.already_built(outputs, tmp_path / "absent", "conda", lambda *_: None) is None
