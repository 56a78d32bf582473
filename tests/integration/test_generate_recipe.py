"""``cfl generate-recipe pypi`` through the real command line and real pip.

The first part runs pip against a local find-links folder only (no index, no network). The
second fetches real projects through the index pip is configured with and skips, naming the
reason, when pip cannot download them (no index on this machine).
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml
from test_sources import metadata_backend

from conda_forge_like import api
from conda_forge_like.cli import main


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_sdist(directory: Path, name: str, version: str) -> Path:
    """An sdist pip reads without an index: an in-tree backend with no requirements."""
    root = f"{name}-{version}"
    metadata = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: demo\n"
        "License: MIT\nRequires-Dist: packaging>=20\nRequires-Dist: pytest; extra == 'test'\n"
    )
    backend = metadata_backend(root, metadata)
    files = {
        "PKG-INFO": metadata,
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["."]\n\n[project.scripts]\ncfldemo = "cfldemo:main"\n',
        "backend.py": backend,
        "LICENSE": "MIT\n",
        f"{name}/__init__.py": "def main(): pass\n",
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{root}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{root}/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip sees only this folder: cfldemo 1.0 and 1.1 as sdists, wheelonly as a wheel."""
    folder = tmp_path / "links"
    make_sdist(folder, "cfldemo", "1.0")
    make_sdist(folder, "cfldemo", "1.1")
    with zipfile.ZipFile(folder / "wheelonly-1.0-py3-none-any.whl", "w") as whl:
        whl.writestr("wheelonly/__init__.py", "")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return folder


def generate(tmp_path: Path, *args: str) -> int:
    out, cache = tmp_path / "out", tmp_path / "cache"
    return main(["generate-recipe", "pypi", *args, "--output-dir", str(out),
                 "--source-cache", str(cache)])  # fmt: skip


def test_newest_sdist_becomes_a_recipe_that_renders(
    tmp_path: Path, links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate(tmp_path, "cfldemo") == 0
    recipe = tmp_path / "out" / "cfldemo" / "recipe.yaml"
    assert f"wrote {recipe}" in capsys.readouterr().out
    tree = yaml.safe_load(recipe.read_text())
    newest = links / "cfldemo-1.1.tar.gz"
    assert tree["context"]["version"] == "1.1"
    assert tree["source"]["pypi"]["sha256"] == sha256(newest)
    assert tree["build"]["python"]["entry_points"] == ["cfldemo = cfldemo:main"]
    assert tree["requirements"]["run"] == ["python >=${{ python_min }}", "packaging >=20"]
    assert (tmp_path / "cache" / sha256(newest)).is_file()  # a later build needs no network
    [rendered] = api.render([recipe.parent], target_platform="linux-64")
    assert (rendered.name, rendered.version, rendered.subdir) == ("cfldemo", "1.1", "noarch")


def test_version_option_picks_that_sdist(tmp_path: Path, links: Path) -> None:
    assert generate(tmp_path, "cfldemo", "--version", "1.0") == 0
    tree = yaml.safe_load((tmp_path / "out" / "cfldemo" / "recipe.yaml").read_text())
    assert tree["source"]["pypi"]["sha256"] == sha256(links / "cfldemo-1.0.tar.gz")
    assert generate(tmp_path, "cfldemo", "--version", "1.0") == 2  # exists: needs --force
    assert generate(tmp_path, "cfldemo", "--version", "1.0", "--force") == 0


@pytest.mark.parametrize("name", ["wheelonly", "nosuchproject"])
def test_no_sdist_is_refused(
    tmp_path: Path, links: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate(tmp_path, name) == 3
    err = capsys.readouterr().err
    assert f"ERROR: no sdist of {name} on the index pip uses" in err
    assert "TIP: " in err
    assert not (tmp_path / "out").exists()


def test_invalid_name_is_refused_without_pip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate(tmp_path, "not a name") == 2
    err = capsys.readouterr().err
    assert "is not a valid PyPI project name" in err
    assert "TIP: " in err


# --------------------------------------------------------------------------- the real index


@pytest.mark.parametrize("name", ["flit_core", "hatchling"])
def test_real_sdist_through_pips_index(tmp_path: Path, name: str) -> None:
    downloads = tmp_path / "downloads"
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", name,
           "--disable-pip-version-check", "-d", str(downloads), name]  # fmt: skip
    fetched = subprocess.run(pip, capture_output=True, text=True, check=False)
    if fetched.returncode:
        tail = (fetched.stdout + fetched.stderr).strip().splitlines()[-1:]
        pytest.skip(f"pip cannot download the sdist of {name} (no index?): {tail}")
    [sdist] = downloads.iterdir()
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    cfl = [sys.executable, "-m", "conda_forge_like.cli", "generate-recipe", "pypi", name,
           "--output-dir", out, "--source-cache", cache]  # fmt: skip
    result = subprocess.run(cfl, capture_output=True, text=True, check=False, env=os.environ)
    assert result.returncode == 0, result.stderr
    [recipe] = (tmp_path / "out").glob("*/recipe.yaml")
    tree = yaml.safe_load(recipe.read_text())
    assert tree["source"]["pypi"]["sha256"] == sha256(sdist)
    assert sdist.name.startswith(f"{name}-{tree['context']['version']}.")
    assert tree["build"]["noarch"] == "python"
    [rendered] = api.render([recipe.parent], target_platform="linux-64")
    assert rendered.subdir == "noarch"
    assert rendered.version == tree["context"]["version"]
