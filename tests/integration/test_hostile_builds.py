"""Hostile recipes (tests/data/hostile/<case>/): cfl refuses them with an ERROR line and a TIP,
exits non-zero without a traceback, and leaves the channel byte-for-byte as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"


def _cfl(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conda_forge_like.cli", "build", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _tree(channel: Path) -> dict[str, bytes]:
    """Every file of the channel except the build's own work directory and lock files."""
    return {
        p.relative_to(channel).as_posix(): p.read_bytes()
        for p in sorted(channel.rglob("*"))
        if p.is_file() and "work" not in p.relative_to(channel).parts and p.suffix != ".lock"
    }


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode not in (0, 70), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "ERROR:" in result.stderr
    assert "TIP:" in result.stderr
    for word in words:
        assert word in result.stderr


@pytest.mark.slow
def test_a_different_package_of_the_same_file_name_is_not_replaced(tmp_path: Path) -> None:
    recipe, out = str(HOSTILE / "replace-existing"), tmp_path / "channel"
    assert _cfl(recipe, "--output-dir", str(out)).returncode == 0
    before = _tree(out)
    (pkg,) = (out / "noarch").glob("replace-existing-*.conda")

    result = _cfl(recipe, "--output-dir", str(out), HOSTILE_CONTENT="second")
    _refused(result, pkg.name, "--skip-existing", "--overwrite")
    assert _tree(out) == before

    skipped = _cfl(recipe, "--output-dir", str(out), "--skip-existing", HOSTILE_CONTENT="second")
    assert skipped.returncode == 0, skipped.stderr
    assert _tree(out) == before

    replaced = _cfl(recipe, "--output-dir", str(out), "--overwrite", HOSTILE_CONTENT="second")
    assert replaced.returncode == 0, replaced.stderr
    assert pkg.read_bytes() != before[f"noarch/{pkg.name}"]


def test_the_same_rebuild_is_not_a_replacement(tmp_path: Path) -> None:
    recipe, out = str(HOSTILE / "replace-existing"), tmp_path / "channel"
    assert _cfl(recipe, "--output-dir", str(out)).returncode == 0
    before = _tree(out)
    again = _cfl(recipe, "--output-dir", str(out))
    assert again.returncode == 0, again.stderr
    assert _tree(out) == before


def test_two_outputs_of_one_name_are_refused_before_building(tmp_path: Path) -> None:
    out = tmp_path / "channel"
    result = _cfl(str(HOSTILE / "duplicate-output-names"), "--output-dir", str(out))
    _refused(result, "twin-1.0.0-0", "meta.yaml")
    assert not out.exists() or _tree(out) == {}
