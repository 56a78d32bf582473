"""What several end-to-end test files share: the base plate's Python, built once a session.

``python_channel`` builds CI's short chain (zlib, libffi, python with ``cpython_libs=core``)
and the Python packaging tools every Python recipe's build needs (flit-core, setuptools, pip,
from their PyPI sdists through pip's configured index) into one channel. Building it takes
minutes on two cores, so the test files that need a Python use this one.
"""

from __future__ import annotations

import subprocess
import sys
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
        (where / entry.name).symlink_to(entry)
    return where


@pytest.fixture(scope="session")
def python_channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_sources()
    from conda_forge_like import api

    needs_pip_index(tmp_path_factory.mktemp("pip-probe"))
    out = tmp_path_factory.mktemp("python-channel")
    api.build(
        [BASEPLATE / name for name in PYTHON_CHAIN],
        output_dir=out,
        target_platform="linux-64",
        overrides=["cpython_libs=core"],
        source_cache=source_cache(tmp_path_factory.mktemp("sources")),
        sandbox=False,
    )
    return out
