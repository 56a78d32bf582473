"""The build-tool table (baseplate/build_tools.toml) and the split of build specs: pure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conda_forge_like.baseplate import build_tools
from conda_forge_like.baseplate.model import BuildTool
from conda_forge_like.baseplate.provide import parse_version
from conda_forge_like.build import plan
from conda_forge_like.errors import CflError


def test_the_table_names_what_conda_forge_recipes_list() -> None:
    table = build_tools.table()
    for name in ("cmake", "cmake-no-system", "ninja", "meson", "patchelf", "make", "patch", "m4",
                 "autoconf", "automake", "libtool", "perl", "pkg-config", "yasm", "nasm",
                 "bison", "flex", "gnuconfig", "texinfo", "diffutils", "sed", "gawk"):  # fmt: skip
        assert name in table, name
    assert table["cmake-no-system"].project == "cmake"
    assert table["gnuconfig"].into == "share/gnuconfig"
    assert table["gnuconfig"].debian == ("autotools-dev",)
    assert ("awk", "gawk") in table["gawk"].links


def test_every_machine_tool_names_its_debian_package() -> None:
    table = build_tools.table()
    packages = build_tools.debian_packages(table)
    assert {"patch", "m4", "autoconf", "libtool-bin", "autotools-dev", "yasm"} <= set(packages)
    assert all(e.debian for e in table.values() if e.provider != "pypi")
    assert packages == sorted(set(packages))


def test_an_entry_is_parsed_with_its_defaults() -> None:
    entry = build_tools.parse_entry("patch", {"provider": "machine", "debian": "patch",
                                              "executables": ["patch"]})  # fmt: skip
    assert entry.links == (("patch", "patch"),)
    assert entry.version == "patch"
    assert entry.version_args == ("--version",)
    assert "apt-get install patch" in entry.install_hint


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"provider": "conda", "executables": ["x"]}, "provider 'conda'"),
        ({"provider": "machine", "executables": ["x"], "colour": 1}, "unknown key(s) colour"),
        ({"provider": "machine", "debian": ["x"]}, "names no executables"),
        ({"provider": "machine", "executables": ["x"]}, "Debian package"),
        ({"provider": "pypi", "executables": [3]}, "list of names"),
    ],
)
def test_a_bad_entry_is_a_clear_error(raw: dict[str, object], words: str) -> None:
    with pytest.raises(CflError, match=r"build_tools\.toml") as caught:
        build_tools.parse_table({"x": raw})
    assert words in str(caught.value)


def test_table_tools_are_provided_only_when_no_channel_has_them() -> None:
    specs = ["zig_linux-64 0.17.*", "patch", "cmake >=3.20", "zlib", "definitely-not-a-tool"]
    provided, solve = plan.split_build_specs(specs, "linux-64", solvable={"zlib"})
    assert provided == ["zig_linux-64 0.17.*", "patch", "cmake >=3.20"]
    assert solve == ["zlib", "definitely-not-a-tool"]
    assert plan.provided_tools(provided) == ["patch", "cmake"]
    # A channel's real package wins over the table.
    provided, solve = plan.split_build_specs(["patch"], "linux-64", solvable={"patch"})
    assert (provided, solve) == ([], ["patch"])


def test_unavailable_specs_are_those_no_channel_has() -> None:
    solve = ["zlib", "definitely-not-a-tool >=1", "__glibc >=2.17"]
    assert plan.unavailable(solve, {"zlib"}) == ["definitely-not-a-tool >=1"]


def test_the_requirement_line_prefers_the_build_section() -> None:
    text = (
        "package:\n  name: x\nrequirements:\n  host:\n    - patch\n  build:\n"
        "    - make  # [unix]\n    - patch >=2\ntest:\n  requires:\n    - make\n"
    )
    assert plan.requirement_line(text, "patch") == 8
    assert plan.requirement_line(text, "make") == 7
    assert plan.requirement_line(text, "make", "requires") == 11
    assert plan.requirement_line(text, "pat") is None


@pytest.mark.parametrize(
    ("line", "version"),
    [
        ("GNU patch 2.7.6\nCopyright", "2.7.6"),
        ("\nThis is perl 5, version 36, subversion 0 (v5.36.0) built for x86_64", "5.36.0"),
        ("NASM version 2.16.01 compiled on Jan  1 2023", "2.16.01"),
        ("GNU config.guess (2022-01-09)", "2022-01-09"),
        ("file-5.44", "5.44"),
        ("tool 7", "7"),
        ("", "unknown"),
    ],
)
def test_a_version_is_read_from_the_first_line(line: str, version: str) -> None:
    assert parse_version(line) == version


def test_tools_change_the_fingerprint_only_when_used() -> None:
    from conda_forge_like import baseplate

    plate = baseplate.resolve({}, "linux-64", {"zig": "0.17.1"})
    with_patch = plate.with_tools((BuildTool("patch", "2.7.6", "machine", "patch"),))
    newer = plate.with_tools((BuildTool("patch", "2.8", "machine", "patch"),))
    assert len({plate.fingerprint, with_patch.fingerprint, newer.fingerprint}) == 3
    assert plate.with_tools(()).fingerprint == plate.fingerprint
    assert list(with_patch.describe()["build_tools"]) == [
        {"name": "patch", "version": "2.7.6", "provider": "machine", "source": "patch"}
    ]


def test_only_local_folders_count_as_channels_whose_names_are_known(tmp_path: Path) -> None:
    from conda_forge_like.build import tools_step

    assert tools_step.channel_dir(f"file://{tmp_path}") == tmp_path
    assert tools_step.channel_dir("https://example.invalid/channel") is None
    assert tools_step._all_local([tmp_path, f"file://{tmp_path}"])
    assert not tools_step._all_local([tmp_path, "conda-forge"])


def test_the_table_is_read_from_the_cache_until_its_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / build_tools.DATA_FILE
    data.write_text('[make]\nprovider = "machine"\ndebian = ["make"]\nexecutables = ["make"]\n')
    assert build_tools._raw_table(data) == {
        "make": {"provider": "machine", "debian": ["make"], "executables": ["make"]}
    }
    cache = tmp_path / "cache" / "cfl" / "build-tools.json"
    kept = json.loads(cache.read_text())
    kept["table"]["make"]["debian"] = ["from-the-cache"]
    cache.write_text(json.dumps(kept))
    assert build_tools._raw_table(data)["make"]["debian"] == ["from-the-cache"]
    data.write_text(data.read_text().replace('["make"]\nexe', '["make", "x"]\nexe'))
    assert build_tools._raw_table(data)["make"]["debian"] == ["make", "x"]  # parsed again
    cache.write_text("{not json")
    assert build_tools._raw_table(data)["make"]["debian"] == ["make", "x"]
