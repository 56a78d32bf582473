"""Indexing channel directories: records, rebuilds, concurrent cfl processes, `cfl index`."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import shutil
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from conda_forge_like import cli, index, package
from conda_forge_like.errors import CflErrorGroup, ChannelError
from conda_forge_like.package import PackageMetadata

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def make_package(
    out: Path, name: str, version: str = "1.0", subdir: str = "linux-64", fmt: str = "conda"
) -> Path:
    root = out.parent / f".root-{name}-{version}-{subdir}"
    (root / "share").mkdir(parents=True, exist_ok=True)
    (root / "share" / f"{name}.txt").write_text(f"{name} {version}\n")
    meta = PackageMetadata(
        name, version, "h0_0", 0, subdir, noarch="generic" if subdir == "noarch" else None
    )
    record = package.file_record(root, f"share/{name}.txt")
    return package.write(root, [record], meta, out / subdir, fmt, environ=EPOCH)


def repodata(channel: Path, subdir: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((channel / subdir / "repodata.json").read_text())
    return data


def test_add_writes_records_with_checksums(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    conda = make_package(channel, "greet")
    bz2 = make_package(channel, "greet", fmt="tar.bz2")
    index.add(channel, [conda, bz2])
    data = repodata(channel, "linux-64")
    assert data["info"] == {"subdir": "linux-64"}
    assert (data["removed"], data["repodata_version"]) == ([], 1)
    record = data["packages.conda"][conda.name]  # type: ignore[index]
    content = conda.read_bytes()
    assert record["md5"] == hashlib.md5(content).hexdigest()
    assert record["sha256"] == hashlib.sha256(content).hexdigest()
    assert record["size"] == len(content)
    assert {k: v for k, v in record.items() if k not in ("md5", "sha256", "size")} == (
        package.read_index(conda)
    )
    assert list(data["packages"]) == [bz2.name]  # type: ignore[call-overload]


@pytest.mark.parametrize("fmt", ["conda", "tar.bz2"])
@pytest.mark.parametrize("subdir", ["linux-64", "noarch"])
def test_a_known_index_json_gives_the_record_reading_the_package_gives(
    tmp_path: Path, fmt: str, subdir: str
) -> None:
    """A build passes the index.json it wrote (package.index_of) instead of re-reading it."""
    read, known = tmp_path / "read", tmp_path / "known"
    made = make_package(read, "greet", subdir=subdir, fmt=fmt)
    meta = PackageMetadata(
        "greet", "1.0", "h0_0", 0, subdir, noarch="generic" if subdir == "noarch" else None
    )
    assert package.index_of(meta, EPOCH) == package.read_index(made)
    index.add(read, [made])
    shutil.copytree(made.parent, known / subdir)
    copy = known / subdir / made.name
    (known / subdir / "repodata.json").unlink()
    index.add(known, [copy], {copy: package.index_of(meta, EPOCH)})
    assert repodata(known, subdir) == repodata(read, subdir)


def test_add_creates_an_empty_noarch_repodata(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    index.add(channel, [make_package(channel, "greet")])
    assert repodata(channel, "noarch") == {
        "info": {"subdir": "noarch"},
        "packages": {},
        "packages.conda": {},
        "removed": [],
        "repodata_version": 1,
    }


def test_contains_and_records(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    first = make_package(channel, "greet")
    index.add(channel, [first])
    second = make_package(channel, "greet", "2.0")
    index.add(channel, [second])
    assert index.contains(channel, "linux-64", first.name)
    assert index.contains(channel, "linux-64", second.name)
    assert not index.contains(channel, "linux-64", "other-1.0-h0_0.conda")
    assert not index.contains(channel, "osx-arm64", first.name)
    assert sorted(index.records(channel, "linux-64")) == [first.name, second.name]
    assert index.records(channel, "win-64") == {}


def test_noarch_packages_go_to_noarch(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    pkg = make_package(channel, "docs", subdir="noarch")
    index.add(channel, [pkg])
    assert list(index.records(channel, "noarch")) == [pkg.name]


def test_package_outside_its_subdir_is_refused(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    pkg = make_package(channel, "greet")
    stray = channel / "osx-64" / pkg.name
    stray.parent.mkdir()
    shutil.move(pkg, stray)
    with pytest.raises(ChannelError, match="linux-64") as caught:
        index.add(channel, [stray])
    assert "copy or move" in (caught.value.hint or "")
    assert not (channel / "linux-64" / "repodata.json").exists()


def test_broken_repodata_is_reported_on_add_and_repaired_by_rebuild(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    pkg = make_package(channel, "greet")
    (channel / "linux-64" / "repodata.json").write_text("{ broken")
    with pytest.raises(ChannelError, match="not valid JSON"):
        index.add(channel, [pkg])
    assert index.rebuild(channel) == {"linux-64": 1, "noarch": 0}
    assert index.contains(channel, "linux-64", pkg.name)


def test_rebuild_rescans_every_subdir(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    kept = make_package(channel, "greet")
    gone = make_package(channel, "greet", "0.9")
    index.add(channel, [kept, gone])
    gone.unlink()
    make_package(channel, "greet", subdir="osx-arm64", fmt="tar.bz2")
    assert index.rebuild(channel) == {"linux-64": 1, "noarch": 0, "osx-arm64": 1}
    assert list(index.records(channel, "linux-64")) == [kept.name]
    assert not list((channel / "linux-64").glob(".repodata.json.*"))


def test_rebuild_indexes_good_packages_and_reports_bad_ones(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    good = make_package(channel, "greet")
    for name in ("broken-1.0-h0_0.conda", "broken-1.0-h0_0.tar.bz2"):
        (channel / "linux-64" / name).write_bytes(b"garbage")
    with pytest.raises(CflErrorGroup) as caught:
        index.rebuild(channel)
    assert len(caught.value.errors) == 2
    assert list(index.records(channel, "linux-64")) == [good.name]


def test_refresh_reads_only_packages_the_repodata_does_not_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = tmp_path / "channel"
    listed = make_package(channel, "greet")
    gone = make_package(channel, "greet", "0.9")
    index.add(channel, [listed, gone])
    gone.unlink()
    new = make_package(channel, "greet", "1.1")
    read: list[str] = []
    real = index.disk.package_record
    monkeypatch.setattr(index.disk, "package_record", lambda p: read.append(p.name) or real(p))
    assert index.refresh(channel) == {"linux-64": 2, "noarch": 0}
    assert read == [new.name]
    assert sorted(index.records(channel, "linux-64")) == sorted([listed.name, new.name])
    before = (channel / "linux-64" / "repodata.json").stat().st_mtime_ns
    assert index.refresh(channel) == {"linux-64": 2, "noarch": 0}  # up to date: no rewrite
    assert read == [new.name]
    assert (channel / "linux-64" / "repodata.json").stat().st_mtime_ns == before


def test_refresh_repairs_broken_repodata(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    pkg = make_package(channel, "greet")
    (channel / "linux-64" / "repodata.json").write_text("{ broken")
    assert index.refresh(channel) == {"linux-64": 1, "noarch": 0}
    assert index.contains(channel, "linux-64", pkg.name)


def _add_one_by_one(channel: Path, packages: list[Path], start: Barrier) -> None:
    start.wait()  # both processes begin together, so their updates really interleave
    for pkg in packages:
        index.add(channel, [pkg])


def test_concurrent_adds_lose_nothing(tmp_path: Path) -> None:
    channel = tmp_path / "channel"
    batches = [
        [make_package(channel, f"pkg{worker}x{i}") for i in range(25)] for worker in range(2)
    ]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [
        context.Process(target=_add_one_by_one, args=(channel, batch, start)) for batch in batches
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    expected = sorted(p.name for batch in batches for p in batch)
    assert sorted(index.records(channel, "linux-64")) == expected


def test_cfl_index_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    channel = tmp_path / "channel"
    pkg = make_package(channel, "greet")
    assert cli.main(["index", str(channel)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "linux-64: 1 package(s)",
        "noarch: 0 package(s)",
    ]
    assert index.contains(channel, "linux-64", pkg.name)


def test_cfl_index_on_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["index", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "TIP" in err


def test_only_known_subdirs_are_indexed(tmp_path: Path) -> None:
    """``broken/`` (packages whose tests failed) lies beside the subdirs and is no subdir."""
    channel = tmp_path / "channel"
    make_package(channel, "greet")
    failed = make_package(channel, "bad")
    (channel / "broken").mkdir()
    shutil.move(failed, channel / "broken" / failed.name)
    assert index.rebuild(channel) == {"linux-64": 1, "noarch": 0}
    assert not (channel / "broken" / "repodata.json").exists()
