"""Labels, promotion and mirrors over channel folders written by hand (no package is built:
a "package file" here is a few bytes its repodata record describes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from govern_channel import NO_GPL, make_channel

from conda_forge_like.errors import CflErrorGroup, ChannelError, UsageError
from conda_forge_like.govern import labels, mirror, promote
from conda_forge_like.govern.policy import Policy
from conda_forge_like.index import channel as disk
from conda_forge_like.index import repodata


def test_label_repodata_points_at_the_channel_roots_files() -> None:
    data = labels.label_repodata("noarch", {"a-1-h0_0.conda": {"name": "a"}})
    assert data["info"] == {"subdir": "noarch", "base_url": "../../../noarch/"}
    assert data["repodata_version"] == 2
    assert list(data["packages.conda"]) == ["a-1-h0_0.conda"]


def test_write_label_makes_every_subdir_and_reads_back(tmp_path: Path) -> None:
    channel = make_channel(tmp_path / "ch")
    members = {"noarch": {"mitpkg-1.0-h0_0.conda": labels.members(channel, "main")["noarch"][
        "mitpkg-1.0-h0_0.conda"]}}  # fmt: skip
    folder = labels.write_label(channel, "dev", members)
    assert folder == channel / "label" / "dev"
    assert folder.is_symlink()
    assert (folder / "noarch" / "repodata.json").is_file()
    assert labels.members(channel, "dev") == members
    assert labels.names(channel) == ["main", "dev"]


def test_label_names_are_checked() -> None:
    with pytest.raises(UsageError):
        labels.check_name("../prod")


def test_promote_adds_packages_and_keeps_the_rest(tmp_path: Path) -> None:
    channel = make_channel(tmp_path / "ch")
    first = promote.promote(channel, ["mitpkg", "gplpkg"], "main", "dev")
    assert first.promoted == ("noarch/gplpkg-1.0-h0_0.conda", "noarch/mitpkg-1.0-h0_0.conda")
    done = promote.promote(channel, ["mitpkg-1.0-h0_0.conda"], "dev", "prod", NO_GPL)
    assert done.promoted == ("noarch/mitpkg-1.0-h0_0.conda",)
    again = promote.promote(channel, ["mitpkg=1.0"], "dev", "prod", NO_GPL)
    assert again.promoted == ()
    assert again.already == ("noarch/mitpkg-1.0-h0_0.conda",)
    assert set(labels.members(channel, "prod")["noarch"]) == {"mitpkg-1.0-h0_0.conda"}
    assert (channel / "noarch" / "mitpkg-1.0-h0_0.conda").read_bytes() == b"package mitpkg"


def test_promote_refuses_the_whole_set_when_one_package_breaks_the_policy(tmp_path: Path) -> None:
    channel = make_channel(tmp_path / "ch")
    promote.promote(channel, ["mitpkg", "gplpkg"], "main", "dev")
    with pytest.raises(promote.PromotionRefused) as info:
        promote.promote(channel, ["mitpkg", "gplpkg"], "dev", "prod", NO_GPL)
    assert "gplpkg-1.0-h0_0.conda cannot join label prod: license.deny" in info.value.message
    assert labels.members(channel, "prod") == {}  # not even the MIT one
    assert not (channel / "label" / "prod").exists()


def test_promote_names_every_unknown_package(tmp_path: Path) -> None:
    channel = make_channel(tmp_path / "ch")
    with pytest.raises(CflErrorGroup) as info:
        promote.promote(channel, ["nope", "other"], "main", "dev")
    assert [e.message for e in info.value.errors] == [
        "nope is not in label main",
        "other is not in label main",
    ]


def test_promotion_is_all_or_nothing_when_writing_fails_midway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = make_channel(tmp_path / "ch")
    (channel / "linux-64").mkdir()
    disk.write(channel / "linux-64", repodata.empty("linux-64"))
    promote.promote(channel, ["mitpkg"], "main", "prod")
    before = {p.relative_to(channel): p.read_bytes() for p in channel.rglob("*") if p.is_file()}
    target_before = (channel / "label" / "prod").readlink()
    calls = []
    real_write = disk.write

    def failing_write(subdir_dir: Path, data: dict[str, object]) -> None:
        calls.append(subdir_dir.name)
        if len(calls) == 2:  # linux-64 written, noarch not yet
            raise ChannelError(f"disk full writing {subdir_dir}")
        real_write(subdir_dir, data)

    monkeypatch.setattr(labels.disk, "write", failing_write)
    with pytest.raises(ChannelError, match="disk full"):
        promote.promote(channel, ["gplpkg"], "main", "prod")
    assert calls == ["linux-64", "noarch"]
    after = {p.relative_to(channel): p.read_bytes() for p in channel.rglob("*") if p.is_file()}
    assert after == before
    assert (channel / "label" / "prod").readlink() == target_before
    leftovers = [p.name for p in (channel / "label").iterdir() if p.name.startswith(".prod.")]
    assert leftovers == [target_before.name]


def test_promote_from_a_label_that_does_not_exist_says_so(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="has no label 'dev'") as info:
        promote.promote(make_channel(tmp_path / "ch"), ["mitpkg"], "dev", "prod")
    assert info.value.hint == "its labels: main"


def test_promote_to_main_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        promote.promote(make_channel(tmp_path / "ch"), ["mitpkg"], "dev", "main")


def test_mirror_copies_what_the_policy_accepts(tmp_path: Path) -> None:
    src = make_channel(tmp_path / "upstream")
    report = mirror.mirror(src, tmp_path / "ours", NO_GPL)
    assert report.copied == ("noarch/mitpkg-1.0-h0_0.conda",)
    assert [v.package for v in report.refused] == ["noarch/gplpkg-1.0-h0_0.conda"]
    dest = tmp_path / "ours" / "noarch"
    listed = json.loads((dest / "repodata.json").read_text())
    assert list(listed["packages.conda"]) == ["mitpkg-1.0-h0_0.conda"]
    assert sorted(p.name for p in dest.glob("*.conda")) == ["mitpkg-1.0-h0_0.conda"]
    refused = json.loads((dest / "refused.json").read_text())
    assert refused["policy"] == "prod.yaml"
    assert list(refused["refused"]) == ["gplpkg-1.0-h0_0.conda"]


def test_mirror_follows_base_url_and_checks_sha256(tmp_path: Path) -> None:
    src = make_channel(tmp_path / "ch")
    promote.promote(src, ["mitpkg", "gplpkg"], "main", "dev")
    report = mirror.mirror(src / "label" / "dev", tmp_path / "copy")
    assert len(report.copied) == 2
    listed = json.loads((tmp_path / "copy" / "noarch" / "repodata.json").read_text())
    assert "base_url" not in listed["info"]
    (src / "noarch" / "mitpkg-1.0-h0_0.conda").write_bytes(b"tampered")
    with pytest.raises(ChannelError, match="sha256"):
        mirror.mirror(src, tmp_path / "again")


def test_a_labels_stored_policy_applies_whatever_policy_is_passed(tmp_path: Path) -> None:
    channel = make_channel(tmp_path / "ch")
    (channel / "policies").mkdir()
    (channel / "policies" / "prod.yaml").write_text("license:\n  deny: ['GPL-*']\n")
    promote.promote(channel, ["mitpkg", "gplpkg"], "main", "dev")  # dev has no policy
    lax = Policy(source="lax.yaml")
    with pytest.raises(promote.PromotionRefused, match="gplpkg"):
        promote.promote(channel, ["gplpkg"], "dev", "prod", lax)
    assert promote.promote(channel, ["mitpkg"], "dev", "prod", lax).promoted


def test_a_label_folder_another_tool_wrote_and_stale_generations_are_replaced(
    tmp_path: Path,
) -> None:
    channel = make_channel(tmp_path / "ch")
    foreign = channel / "label" / "prod" / "noarch"
    foreign.mkdir(parents=True)
    disk.write(foreign, repodata.empty("noarch"))
    (channel / "label" / ".prod.killed").mkdir()  # a writer killed before its swap
    promote.promote(channel, ["mitpkg"], "main", "prod")
    link = channel / "label" / "prod"
    assert link.is_symlink()
    assert [p.name for p in (channel / "label").glob(".prod.*")] == [str(link.readlink())]
    assert list(labels.members(channel, "prod")["noarch"]) == ["mitpkg-1.0-h0_0.conda"]
