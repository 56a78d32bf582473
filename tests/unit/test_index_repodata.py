"""repodata.json as data: empty repodata, records, sections and parsing."""

from __future__ import annotations

import json

import pytest

from conda_forge_like.errors import ChannelError
from conda_forge_like.index import repodata

INDEX = {"name": "greet", "version": "1.0", "build": "h0_0", "build_number": 0}


def test_empty_repodata_has_every_key_conda_clients_read() -> None:
    assert repodata.empty("noarch") == {
        "info": {"subdir": "noarch"},
        "packages": {},
        "packages.conda": {},
        "removed": [],
        "repodata_version": 1,
    }


def test_record_is_index_json_plus_checksums() -> None:
    assert repodata.record(INDEX, "m" * 32, "s" * 64, 12) == {
        **INDEX,
        "md5": "m" * 32,
        "sha256": "s" * 64,
        "size": 12,
    }


def test_records_go_under_the_section_of_their_format() -> None:
    start = repodata.empty("linux-64")
    merged = repodata.with_records(
        start, {"greet-1.0-h0_0.conda": INDEX, "greet-1.0-h0_0.tar.bz2": INDEX}
    )
    assert list(merged["packages.conda"]) == ["greet-1.0-h0_0.conda"]
    assert list(merged["packages"]) == ["greet-1.0-h0_0.tar.bz2"]
    assert start["packages"] == {}
    assert start["packages.conda"] == {}
    assert set(repodata.all_records(merged)) == {"greet-1.0-h0_0.conda", "greet-1.0-h0_0.tar.bz2"}


def test_adding_replaces_a_record_and_keeps_others() -> None:
    first = repodata.with_records(
        repodata.empty("linux-64"), {"a-1-0.conda": INDEX, "b-1-0.conda": INDEX}
    )
    second = repodata.with_records(first, {"a-1-0.conda": {**INDEX, "size": 2}})
    assert second["packages.conda"]["a-1-0.conda"]["size"] == 2
    assert "b-1-0.conda" in second["packages.conda"]


def test_a_file_that_is_no_package_has_no_section() -> None:
    with pytest.raises(ChannelError, match=r"\.conda or \.tar\.bz2"):
        repodata.section("greet-1.0.zip")


@pytest.mark.parametrize("text", ["{", "[]", '{"packages": []}'])
def test_broken_repodata_names_the_file_and_the_fix(text: str) -> None:
    with pytest.raises(ChannelError, match=r"chan/linux-64/repodata\.json") as caught:
        repodata.parse(text, "chan/linux-64/repodata.json")
    assert "cfl index" in (caught.value.hint or "")


def test_dumps_is_sorted_json() -> None:
    data = repodata.empty("linux-64")
    assert json.loads(repodata.dumps(data)) == data
    assert repodata.dumps(data) == repodata.dumps(dict(reversed(list(data.items()))))
