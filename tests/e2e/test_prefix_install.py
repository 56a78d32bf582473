"""Install proof: a path compiled into a binary from the build's prefix is rewritten by a real
client (py-rattler), at prefixes shorter and longer than the build's unpadded prefix, and the
installed program reads its data file through it."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
import zstandard
from test_build_recipes import BAD, install

from conda_forge_like import api
from conda_forge_like.build import placeholder

pytestmark = pytest.mark.slow
MESSAGE = "read through the compiled-in prefix"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The channel with prefix-datadir, and the build's prefix without its padding."""
    out = tmp_path_factory.mktemp("prefix-channel")
    results = api.build([BAD / "prefix-datadir"], output_dir=out, test=False)
    assert results[0].package is not None
    record = placeholder_record(results[0].package, "bin/prefix-datadir")
    assert record["file_mode"] == "binary"
    # The placeholder is cfl's fixed one, not the build's prefix (which named the output
    # folder); the build's own prefix must not answer for the installed program either.
    assert record["prefix_placeholder"] == placeholder.canonical()
    unpadded = str(out / "work")
    shutil.rmtree(out / "work", ignore_errors=True)
    assert not Path(str(record["prefix_placeholder"])).exists()
    return out, unpadded


def placeholder_record(package: Path, path: str) -> dict[str, object]:
    with zipfile.ZipFile(package) as archive:
        info = next(n for n in archive.namelist() if n.startswith("info-"))
        reader = zstandard.ZstdDecompressor().stream_reader(archive.read(info))
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if member.name == "info/paths.json":
                    handle = tar.extractfile(member)
                    assert handle is not None
                    paths = json.load(handle)["paths"]
                    return dict(next(p for p in paths if p["_path"] == path))
    raise AssertionError(f"no info/paths.json in {package}")


def run_installed(channel: Path, prefix: Path) -> str:
    install(channel, ["prefix-datadir"], prefix)
    program = prefix / "bin" / "prefix-datadir"
    assert f"{prefix}/share/prefix-datadir".encode() in program.read_bytes()
    run = subprocess.run([program], capture_output=True, text=True, check=True)
    return run.stdout.strip()


def test_installed_at_a_shorter_prefix(built: tuple[Path, str]) -> None:
    channel, unpadded = built
    with tempfile.TemporaryDirectory(prefix="p", dir="/tmp") as short:
        assert len(short) < len(unpadded)
        assert run_installed(channel, Path(short) / "e") == MESSAGE


def test_installed_at_a_longer_prefix(built: tuple[Path, str], tmp_path: Path) -> None:
    channel, unpadded = built
    prefix = tmp_path / ("long" * 30) / ("er" * 20)
    assert len(unpadded) < len(str(prefix)) < 255
    assert run_installed(channel, prefix) == MESSAGE


def test_the_same_bytes_from_two_output_folders(tmp_path: Path) -> None:
    """The prefix the program keeps is cfl's fixed placeholder, so where the build ran (the
    output folder, inside the host prefix's path) leaves no trace in the package."""
    first = api.build([BAD / "prefix-datadir"], output_dir=tmp_path / "a", test=False)
    second = api.build([BAD / "prefix-datadir"], output_dir=tmp_path / "b" / "deeper", test=False)
    assert first[0].package is not None
    assert second[0].package is not None
    assert first[0].package.read_bytes() == second[0].package.read_bytes()
