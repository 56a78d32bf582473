"""What several end-to-end test files share: the base plate's Python, built once a session.

``python_channel`` builds CI's short chain (zlib, libffi, python with ``cpython_libs=core``)
and the Python packaging tools every Python recipe's build needs (flit-core, setuptools, pip,
from their PyPI sdists through pip's configured index) into one channel. Building it takes
minutes on two cores, so the test files that need a Python use this one.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASEPLATE = ROOT / "baseplate"
SOURCES = next(
    (p / "shared" / "sources" for p in ROOT.parents[:2] if (p / "shared" / "sources").is_dir()),
    ROOT.parent / "shared" / "sources",
)
PYTHON_CHAIN = ("zlib", "libffi", "python", "flit-core", "setuptools", "pip")


def needs_sources() -> None:
    if not SOURCES.is_dir():
        pytest.skip(f"{SOURCES} is absent (the upstream tarballs ship beside the repository)")


def needs_pip_index(dest: Path, name: str = "flit_core") -> None:
    """Skip unless pip's configured index serves ``name``'s sdist (the pypi: sources)."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
         "--dest", str(dest), name],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:]
        pytest.skip(f"pip's configured index gives no sdist of {name}: {' '.join(tail)}")


def source_cache(where: Path) -> Path:
    """A source cache of our own that sees the shipped tarballs: the sdists pip downloads
    land here, not beside the repository."""
    where.mkdir(parents=True, exist_ok=True)
    for entry in SOURCES.iterdir():
        if not (where / entry.name).is_symlink():
            (where / entry.name).symlink_to(entry)
    return where


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base temporary folder every pytest-xdist worker of this run shares."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if "PYTEST_XDIST_WORKER" in os.environ else root


@contextmanager
def built_once(folder: Path) -> Iterator[bool]:
    """Whether the caller must build ``folder`` (the first worker to come); the others wait
    here until it is complete."""
    with (folder.parent / f"{folder.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder.parent / f"{folder.name}.done"
        yield not done.exists()
        done.touch()


@pytest.fixture(scope="session")
def python_channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_sources()
    out = shared_dir(tmp_path_factory) / "python-channel"
    with built_once(out) as needed:
        if needed:
            _build_python_channel(tmp_path_factory, out)
    return out


def _build_python_channel(tmp_path_factory: pytest.TempPathFactory, out: Path) -> None:
    from conda_forge_like import api

    needs_pip_index(tmp_path_factory.mktemp("pip-probe"))
    out.mkdir(parents=True, exist_ok=True)
    api.build(
        [BASEPLATE / name for name in PYTHON_CHAIN],
        output_dir=out,
        target_platform="linux-64",
        overrides=["cpython_libs=core"],
        source_cache=source_cache(shared_dir(tmp_path_factory) / "sources"),
        sandbox=False,
    )
