"""Four ``cfl build`` processes of the same output into one channel at once: the channel gets
one complete package (every file the recipe makes) listed once in valid repodata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conda_forge_like import package

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "tests" / "data" / "recipes" / "many-files"


def _cfl(out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "conda_forge_like.cli", "build", str(RECIPE), "--output-dir",
         str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_four_builds_of_one_output_publish_one_whole_package(tmp_path: Path) -> None:
    out = tmp_path / "channel"
    procs = [_cfl(out) for _ in range(4)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], "\n".join(outputs)
    (pkg,) = (out / "noarch").glob("many-files-*.conda")
    dest = tmp_path / "extracted"
    package.extract(pkg, dest)
    made = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    payload = [m for m in made if not m.startswith("info/")]
    assert payload == sorted(f"share/many/f{i}.txt" for i in range(1, 201))
    for i in (1, 100, 200):
        assert (dest / f"share/many/f{i}.txt").read_text() == f"file {i}\n"
    repodata = json.loads((out / "noarch" / "repodata.json").read_text())
    listed = [n for n in repodata.get("packages.conda", {}) if n.startswith("many-files-")]
    assert listed == [pkg.name]
