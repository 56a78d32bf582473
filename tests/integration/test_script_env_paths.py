"""The build script's conda-build variables hold for a recipe given by a relative path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RECIPE = """\
package: {name: env-paths, version: "1.0"}
build:
  noarch: generic
  script:
    - case "$RECIPE_DIR" in /*) ;; *) echo "RECIPE_DIR=$RECIPE_DIR is relative"; exit 9 ;; esac
    - test -f "$RECIPE_DIR/recipe.yaml"
    - test "$SHLIB_EXT" = .so
    - test "$CONDA_BUILD_CROSS_COMPILATION" = 0
    - mkdir -p $PREFIX/share && echo ok > $PREFIX/share/env-paths.txt
"""


def test_recipe_dir_is_absolute_for_a_relative_recipe_path(tmp_path: Path) -> None:
    (tmp_path / "recipe").mkdir()
    (tmp_path / "recipe" / "recipe.yaml").write_text(RECIPE)
    done = subprocess.run(
        [sys.executable, "-m", "conda_forge_like.cli", "build", "recipe", "--no-test",
         "--output-dir", "out"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert list((tmp_path / "out" / "noarch").glob("env-paths-1.0-*.conda"))
