"""What ``cfl serve`` answers for a path: repodata through the policy, labels, 403 for refused
packages, 400 for paths that leave the channel (the routing, without a socket)."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import pytest
from govern_channel import NO_GPL, make_channel

from conda_forge_like.govern import promote
from conda_forge_like.govern.serve import Channel, route

MIT = "mitpkg-1.0-h0_0.conda"
GPL = "gplpkg-1.0-h0_0.conda"


@pytest.fixture
def channel(tmp_path: Path) -> Path:
    root = make_channel(tmp_path / "ch")
    promote.promote(root, ["mitpkg", "gplpkg"], "main", "dev")
    return root


def test_repodata_lists_only_what_the_policy_accepts(channel: Path) -> None:
    served = Channel(channel, policy=NO_GPL)
    for path in ("/noarch/repodata.json", "/label/dev/noarch/repodata.json"):
        status, kind, data = route(served, path)
        assert (status, kind) == (HTTPStatus.OK, "json")
        assert list(data["packages.conda"]) == [MIT]
    assert route(Channel(channel), "/noarch/repodata.json")[2]["packages.conda"].keys() == {
        MIT, GPL,
    }  # fmt: skip


def test_refused_packages_are_forbidden_and_listed_ones_served(channel: Path) -> None:
    served = Channel(channel, policy=NO_GPL)
    assert route(served, f"/noarch/{GPL}")[0] == HTTPStatus.FORBIDDEN
    status, kind, path = route(served, f"/noarch/{MIT}")
    assert (status, kind, path) == (HTTPStatus.OK, "file", channel.resolve() / "noarch" / MIT)


def test_a_label_served_at_the_root_serves_only_its_own_packages(channel: Path) -> None:
    promote.promote(channel, ["mitpkg"], "dev", "prod", NO_GPL)
    served = Channel(channel.resolve(), label="prod")
    status, _, data = route(served, "/noarch/repodata.json")
    assert status == HTTPStatus.OK
    assert list(data["packages.conda"]) == [MIT]
    assert "base_url" not in data["info"]
    assert route(served, f"/noarch/{GPL}")[0] == HTTPStatus.NOT_FOUND
    assert route(served, "/label/dev/noarch/repodata.json")[0] == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "path",
    ["/../etc/passwd", "/noarch/%2e%2e/%2e%2e/etc/passwd", "/noarch/..%2f..%2fx",
     "/noarch/a%5c..%5cb", "/label/../noarch/repodata.json", "/noarch/%00"],
)  # fmt: skip
def test_paths_leaving_the_channel_are_refused(channel: Path, path: str) -> None:
    assert route(Channel(channel), path)[0] == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    "path", ["/noarch/.cfl-index.lock", "/noarch/refused.json", "/work/x", "/label/nope/noarch/"
             "repodata.json", "/linux-64/repodata.json", "/"],
)  # fmt: skip
def test_anything_else_is_not_found(channel: Path, path: str) -> None:
    assert route(Channel(channel), path)[0] == HTTPStatus.NOT_FOUND


def test_a_labels_stored_policy_filters_what_it_serves(channel: Path) -> None:
    (channel / "policies").mkdir()
    (channel / "policies" / "dev.yaml").write_text("license:\n  deny: ['GPL-*']\n")
    served = Channel.open(channel)
    _, _, dev = route(served, "/label/dev/noarch/repodata.json")
    assert list(dev["packages.conda"]) == [MIT]
    _, _, main = route(served, "/noarch/repodata.json")
    assert sorted(main["packages.conda"]) == [GPL, MIT]  # main keeps no policy
    assert route(served, f"/noarch/{GPL}")[0] == HTTPStatus.OK  # main lists it
