"""The base plate's Python: CPython 3.11 and its C libraries, built by cfl from upstream
sources (``baseplate/``), installed by py-rattler at a prefix other than the build's.

CI builds the short chain (zlib, libffi, python with ``cpython_libs=core``: ctypes and zlib,
no ssl/readline/curses/lzma/bz2, then flit-core, setuptools and pip: conftest.py's
``python_channel``) because the whole chain takes too long on two cores;
``python bench/baseplate.py`` builds and times the whole one.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conda_forge_like import index
from conda_forge_like.build import environments
from conda_forge_like.package import reader

pytestmark = pytest.mark.slow
GLIBC_FLOOR = (2, 17)


def _run(cmd: list[str | Path]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def channel(python_channel: Path) -> Path:
    """The session's base-plate Python channel (conftest.py): the short chain and pip."""
    return python_channel


@pytest.fixture(scope="module")
def prefix(channel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("installed") / "a-different-prefix"
    cache = tmp_path_factory.mktemp("pkgs")
    environments.create(where, ["python 3.11.*", "pip"], [channel], "linux-64", cache)
    return where


def test_the_chain_is_in_the_channel_with_conda_forge_names(channel: Path) -> None:
    records = index.records(channel, "linux-64")
    names = {r["name"]: r for r in records.values()}
    assert {"libzlib", "zlib", "libffi", "python", "python_abi"} <= set(names)
    assert names["python"]["build"].endswith("_0_cpython")
    assert (names["python_abi"]["version"], names["python_abi"]["build"]) == ("3.11", "0_cp311")
    assert "python_abi 3.11.* *_cp311" in names["python"]["depends"]
    assert any(d.startswith("libffi ") for d in names["python"]["depends"])
    assert any(d.startswith("libzlib ") for d in names["python"]["depends"])
    python = channel / "linux-64" / next(f for f, r in records.items() if r["name"] == "python")
    run_exports = json.loads(reader.read_info(python, "run_exports.json") or b"{}")
    assert run_exports == {"weak": ["python_abi 3.11.* *_cp311"]}


def test_the_installed_interpreter_runs_the_standard_library(prefix: Path) -> None:
    python = prefix / "bin" / "python3.11"
    script = (
        "import ctypes, zlib, venv, json, hashlib, sysconfig, sys\n"
        "libc = ctypes.CDLL(None)\n"
        "assert libc.strlen(b'base plate') == 10\n"
        "data = b'x' * 10000\n"
        "assert zlib.decompress(zlib.compress(data)) == data\n"
        "assert hashlib.sha256(b'').hexdigest().startswith('e3b0c442')\n"
        "print(json.dumps({'prefix': sys.prefix, 'paths': sysconfig.get_paths()}))\n"
    )
    found = json.loads(_run([python, "-c", script]))
    assert found["prefix"] == str(prefix)
    for name in ("stdlib", "purelib", "scripts", "include"):
        assert found["paths"][name].startswith(str(prefix)), (name, found["paths"][name])
    assert _run([prefix / "bin" / "python3.11-config", "--prefix"]).strip() == str(prefix)
    assert "pip " in _run([python, "-m", "pip", "--version"])  # the pip package, built here
    assert _run([python, "-m", "ensurepip", "--version"]).startswith("pip ")  # bundled wheel


def test_a_venv_of_the_installed_interpreter_works(prefix: Path, tmp_path: Path) -> None:
    _run([prefix / "bin" / "python3.11", "-m", "venv", "--without-pip", tmp_path / "venv"])
    out = _run([tmp_path / "venv" / "bin" / "python", "-c", "import sys; print(sys.prefix)"])
    assert out.strip() == str(tmp_path / "venv")


def _glibc_versions(binary: Path) -> list[tuple[int, ...]]:
    text = _run(["readelf", "-V", "--wide", binary])
    return [tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", text)]


def test_binaries_need_no_glibc_above_the_floor(prefix: Path) -> None:
    binaries = [prefix / "bin" / "python3.11", prefix / "lib" / "libpython3.11.so.1.0"]
    binaries += sorted((prefix / "lib" / "python3.11" / "lib-dynload").glob("*.so"))
    assert len(binaries) > 20
    assert _glibc_versions(binaries[0])
    assert _glibc_versions(binaries[1])
    for binary in binaries:  # an extension module may need no versioned symbol at all
        versions = _glibc_versions(binary)
        assert max(versions, default=GLIBC_FLOOR) <= GLIBC_FLOOR, (binary, max(versions))


def test_no_file_names_the_build_machine(prefix: Path, channel: Path) -> None:
    """The work directories were under the channel: no installed file names that path
    (conda-meta/, the installer's records, names the channel the packages came from)."""
    needle = str(channel).encode()
    named = [
        str(p.relative_to(prefix))
        for p in prefix.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and p.parent.name != "conda-meta"
        and needle in p.read_bytes()
    ]
    assert named == []
