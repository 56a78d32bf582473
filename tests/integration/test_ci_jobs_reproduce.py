"""Every generated CI job, run locally in order with the packages of the jobs it needs (as the
CI passes them), builds exactly the packages one `cfl build` of the whole matrix builds."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CFL = [sys.executable, "-m", "conda_forge_like.cli"]
RECIPES = ["recipes/tiny-noarch", "recipes/libgreet", "recipes/greetpp"]
# Two C library floors make c_stdlib_version a job axis of libgreet and greetpp.
VARIANTS = "c_stdlib_version:\n  - '2.17'\n  - '2.28'\n"


def _packages(channel: Path) -> set[str]:
    return {f"{p.parent.name}/{p.name}" for p in channel.glob("*/*.conda")}


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"


@pytest.mark.slow
def test_jobs_build_the_same_packages_as_one_build(tmp_path: Path) -> None:
    sources = {
        "recipes/tiny-noarch": ROOT / "tests/data/recipes/tiny-noarch",
        "recipes/libgreet": ROOT / "recipes/libgreet",
        "recipes/greetpp": ROOT / "recipes/greetpp",
    }
    for name, src in sources.items():
        shutil.copytree(src, tmp_path / name)
    (tmp_path / "variants.yaml").write_text(VARIANTS)
    _run([*CFL, "ci", *RECIPES, "-m", "variants.yaml", "--provider", "gitlab",
          "--platform", "linux-64"], tmp_path)  # fmt: skip
    pipeline = yaml.safe_load((tmp_path / ".gitlab-ci.yml").read_text())
    jobs = {k: v for k, v in pipeline.items() if isinstance(v, dict) and "script" in v}
    assert "greetpp_linux_64_c_stdlib_version2_28" in jobs
    assert jobs["greetpp_linux_64_c_stdlib_version2_28"]["needs"]

    built: set[str] = set()
    for stage in pipeline["stages"]:
        for name, job in jobs.items():
            if job["stage"] != stage:
                continue
            output = tmp_path / "jobs" / name / "output"
            output.mkdir(parents=True)
            for need in job["needs"]:  # the artifacts of the needed jobs land in output/
                shutil.copytree(
                    tmp_path / "jobs" / need["job"] / "output", output, dirs_exist_ok=True
                )
            (script,) = job["script"]
            args = script.split()
            assert args[:2] == ["cfl", "build"]
            args[args.index("--output-dir") + 1] = str(output)
            _run([*CFL, *args[1:], "--no-test"], tmp_path)
            built |= _packages(output)

    reference = tmp_path / "reference"
    _run([*CFL, "build", *RECIPES, "-m", "variants.yaml", "--target-platform", "linux-64",
          "--output-dir", str(reference), "--no-test"], tmp_path)  # fmt: skip
    expected = _packages(reference)
    assert len(expected) == 5  # tiny-noarch + 2 x libgreet + 2 x greetpp
    assert built == expected
