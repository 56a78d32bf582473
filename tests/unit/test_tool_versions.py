"""Toolchain versions are probed only for the toolchain a build uses, once per executable:
the answer is kept on disk keyed by the executable's path, size and mtime."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from conda_forge_like.baseplate import provide, substitute, tools
from conda_forge_like.variants import config as variant_config


def fake_tool(path: Path, version: str, log: Path) -> str:
    path.write_text(f'#!/bin/sh\necho "$0 $*" >> {log}\necho {version}\n')
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def probes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """gcc and clang are shell scripts that log each run."""
    log = tmp_path / "runs.log"
    log.touch()
    gcc = fake_tool(tmp_path / "gcc", "12.2.0", log)
    clang = fake_tool(tmp_path / "clang", "14.0.6", log)
    monkeypatch.setattr(
        tools,
        "_PROBES",
        {"gcc": (lambda: gcc, ("-dumpfullversion",)), "clang": (lambda: clang, ("-dumpversion",))},
    )
    return log


def runs(log: Path) -> list[str]:
    return [Path(line.split()[0]).name for line in log.read_text().splitlines()]


def test_only_the_toolchain_asked_for_is_probed(probes: Path, tmp_path: Path) -> None:
    versions = tools.ToolVersions(tmp_path / "cache.json")
    assert versions.get("gcc") == "12.2.0"
    assert versions.get("gcc") == "12.2.0"
    assert versions.get("zig") is None  # not a probe here: absent, nothing run
    assert runs(probes) == ["gcc"]


def test_the_probe_is_cached_on_disk_until_the_executable_changes(
    probes: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache.json"
    assert tools.ToolVersions(cache)["clang"] == "14.0.6"
    assert tools.ToolVersions(cache)["clang"] == "14.0.6"  # a new process: from the file
    assert runs(probes) == ["clang"]
    info = (tmp_path / "clang").stat()
    os.utime(tmp_path / "clang", ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))
    assert tools.ToolVersions(cache)["clang"] == "14.0.6"
    assert runs(probes) == ["clang", "clang"]


def test_facts_join_without_probing(probes: Path, tmp_path: Path) -> None:
    versions = tools.ToolVersions(tmp_path / "cache.json").with_facts({"glibc": "2.36"})
    assert versions["glibc"] == "2.36"
    assert runs(probes) == []
    assert dict(versions) == {"glibc": "2.36", "gcc": "12.2.0", "clang": "14.0.6"}


def test_cache_key_names_path_size_mtime_and_parser(tmp_path: Path) -> None:
    exe = tmp_path / "tool"
    exe.write_text("x")
    info = exe.stat()
    key = provide.VersionCache.key([str(exe), "--version"], info, provide.parse_version)
    assert key == f"{exe.resolve()}:1:{info.st_mtime_ns}:['--version']"
    other = provide.VersionCache.key([str(exe), "--version"], info, str.strip)
    assert other == f"{key}:strip"


class Untouchable(Mapping[str, str]):
    """Versions nobody may ask for: a probe here would be a wasted subprocess."""

    def __getitem__(self, name: str) -> str:
        raise AssertionError(f"probed {name}")

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("probed all")

    def __len__(self) -> int:
        raise AssertionError("probed all")


def test_zig_pins_need_no_version_probe() -> None:
    config = variant_config.parse("c_compiler: [zig]\nc_compiler_version: ['0.17']\n", "v.yaml",
                                  "linux-64", "str")  # fmt: skip
    assert substitute.substitute(config, "linux-64", Untouchable()) == (config, [])


@pytest.fixture
def search_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """find_tools with its own cache dir and a PATH of one folder of fake tools."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(folder))
    tools.find_tools.cache_clear()
    yield folder
    tools.find_tools.cache_clear()


def _tool(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_found_tools_are_kept_until_a_searched_folder_changes(
    search_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches: list[int] = []
    real = tools._search
    monkeypatch.setattr(tools, "_search", lambda: searches.append(1) or real())
    first = tools.find_tools()
    tools.find_tools.cache_clear()
    assert tools.find_tools() == first  # a new process: read back, not searched again
    assert len(searches) == 1
    gcc = _tool(search_cache, "gcc")  # installed: its folder changed
    tools.find_tools.cache_clear()
    assert tools.find_tools().gcc == str(gcc)
    assert len(searches) == 2
    gcc.chmod(0o644)  # no longer executable (the folder's mtime does not move): looked again
    tools.find_tools.cache_clear()
    assert tools.find_tools().gcc is None
    assert len(searches) == 3


def test_a_damaged_or_foreign_cache_is_searched_again(search_cache: Path) -> None:
    gcc = _tool(search_cache, "gcc")
    cache = search_cache.parent / "cache" / "cfl" / tools.FOUND_FILE
    cache.parent.mkdir(parents=True)
    for text in ["{not json", '{"key": 1}', '{"key": null, "tools": {"nope": 1}}', "[]"]:
        cache.write_text(text)
        tools.find_tools.cache_clear()
        assert tools.find_tools().gcc == str(gcc)
