"""A real conda client (py-rattler) solves against an indexed file:// channel of packages cfl
wrote and installs them into a fresh prefix: placeholders become the install prefix."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path

import rattler

from conda_forge_like import index, package, platforms
from conda_forge_like.package import PackageMetadata

PLACEHOLDER = "/opt/cfl-build/host_env" + "_placehold" * 23
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def greet_package(channel: Path, subdir: str) -> Path:
    """A .conda with a script, a text config and a binary file holding the placeholder."""
    root = channel.parent / "greet-root"
    (root / "bin").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "lib").mkdir()
    script = root / "bin" / "greet"
    script.write_text(f'#!/bin/sh\necho "greet lives in {PLACEHOLDER}"\n')
    script.chmod(0o755)
    (root / "etc" / "greet.cfg").write_text(f"prefix={PLACEHOLDER}\ndata={PLACEHOLDER}/share\n")
    (root / "lib" / "libgreet.so.1").write_bytes(b"\x7fELF\0" + PLACEHOLDER.encode() + b"/lib\0end")
    (root / "lib" / "libgreet.so").symlink_to("libgreet.so.1")
    records = [
        package.file_record(root, "bin/greet", PLACEHOLDER),
        package.file_record(root, "etc/greet.cfg", PLACEHOLDER),
        package.file_record(root, "lib/libgreet.so.1", PLACEHOLDER),
        package.file_record(root, "lib/libgreet.so"),
    ]
    meta = PackageMetadata("greet", "1.0", "h1234567_0", 0, subdir, depends=("greet-data",))
    return package.write(root, records, meta, channel / subdir, "conda", environ=EPOCH)


def data_package(channel: Path) -> Path:
    """A noarch .tar.bz2 that greet depends on."""
    root = channel.parent / "data-root"
    (root / "share").mkdir(parents=True)
    (root / "share" / "greeting.txt").write_text("hello\n")
    meta = PackageMetadata("greet-data", "1.0", "0", 0, "noarch", noarch="generic")
    record = package.file_record(root, "share/greeting.txt")
    return package.write(root, [record], meta, channel / "noarch", "tar.bz2", environ=EPOCH)


async def solve_and_install(channel: Path, prefix: Path, cache: Path, subdir: str) -> list[str]:
    records = await rattler.solve(
        [rattler.Channel(channel.resolve().as_uri())],
        ["greet"],
        platforms=[subdir, "noarch"],
        virtual_packages=[],
    )
    await rattler.install(records, prefix, cache_dir=cache, show_progress=False)
    return sorted(str(r.name.normalized) for r in records)


def test_rattler_installs_what_cfl_writes(tmp_path: Path) -> None:
    subdir = platforms.build_platform()
    channel = tmp_path / "channel"
    index.add(channel, [greet_package(channel, subdir), data_package(channel)])
    prefix = tmp_path / "env"
    names = asyncio.run(solve_and_install(channel, prefix, tmp_path / "cache", subdir))
    assert names == ["greet", "greet-data"]

    assert (prefix / "etc" / "greet.cfg").read_text() == f"prefix={prefix}\ndata={prefix}/share\n"
    run = subprocess.run([prefix / "bin" / "greet"], capture_output=True, text=True, check=True)
    assert run.stdout == f"greet lives in {prefix}\n"
    assert os.access(prefix / "bin" / "greet", os.X_OK)

    binary = (prefix / "lib" / "libgreet.so.1").read_bytes()
    padding = b"\0" * (len(PLACEHOLDER) - len(str(prefix)))
    assert binary == b"\x7fELF\0" + str(prefix).encode() + b"/lib" + padding + b"\0end"

    assert os.readlink(prefix / "lib" / "libgreet.so") == "libgreet.so.1"
    assert (prefix / "share" / "greeting.txt").read_text() == "hello\n"
    meta = json.loads(next((prefix / "conda-meta").glob("greet-1.0-*.json")).read_text())
    assert sorted(meta["files"]) == [
        "bin/greet",
        "etc/greet.cfg",
        "lib/libgreet.so",
        "lib/libgreet.so.1",
    ]
