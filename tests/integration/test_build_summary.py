"""`cfl build` ends with one table of what built, what was skipped and why, what failed and
what it blocked, also when a build fails; an empty package gets a warning."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conda_forge_like.build.result import BuildResult
from conda_forge_like.cli_display import summary_table

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "recipes"


def test_the_table_names_every_status_and_reason() -> None:
    results = [
        BuildResult("a", "1", "h0_0", "linux-64", "built", Path("/c/linux-64/a-1-h0_0.conda")),
        BuildResult("recipes/w", "", "", "linux-64", "skipped", reason="no output for linux-64"),
        BuildResult("b", "1", "h0_0", "linux-64", "failed", reason="the build script exited 3"),
        BuildResult("c", "1", "h0_0", "linux-64", "blocked", reason="needs b, which failed"),
        BuildResult("d", "1", "h0_0", "linux-64", "skipped"),
    ]
    lines = summary_table(results, "out").splitlines()
    assert lines[0].split() == ["built", "a-1-h0_0", "linux-64", "/c/linux-64/a-1-h0_0.conda"]
    assert lines[1].startswith("skipped  recipes/w")
    assert lines[1].endswith("no output for linux-64")
    assert lines[2].endswith("the build script exited 3")
    assert lines[3].endswith("needs b, which failed")
    assert lines[4].endswith("already in the channel")
    assert lines[-1] == "1 built, 2 skipped, 1 failed, 1 blocked; output channel: out"


def test_a_failing_build_still_ends_with_the_summary(tmp_path: Path) -> None:
    recipes = ["tiny-noarch", "build-failing-script", "skipped-on-linux",
               "empty-package-script-under-selector"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "conda_forge_like.cli", "build",
         *(str(DATA / r) for r in recipes), "--output-dir", str(tmp_path / "out"), "--no-test",
         "--target-platform", "linux-64"],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert done.returncode not in (0, 70), done.stderr
    rows = {line.split()[1]: line for line in done.stdout.splitlines() if "  " in line}
    assert "ERROR: the build script exited with 7" in done.stderr
    assert rows[str(DATA / "skipped-on-linux")].startswith("skipped")
    assert "`build: skip` is true" in rows[str(DATA / "skipped-on-linux")]
    (tiny,) = [row for label, row in rows.items() if label.startswith("tiny-noarch-")]
    assert tiny.startswith("built")
    (failing,) = [row for label, row in rows.items() if label.startswith("failing-script-")]
    assert failing.startswith("failed")
    assert failing.endswith("the build script exited with 7")
    (empty,) = [row for label, row in rows.items() if label.startswith("empty-package-")]
    assert "holds no files besides info/" in empty
    assert "holds no files besides info/" in done.stderr  # warned while building too
    assert done.stdout.splitlines()[-1].startswith("2 built, 1 skipped, 1 failed, 0 blocked")


def test_report_values_print_as_a_reader_writes_them() -> None:
    from conda_forge_like.abi.inspect import plain

    assert plain(["libc.so.6", "libm.so.6"]) == "libc.so.6, libm.so.6"
    assert plain({"GLIBC": "GLIBC_2.17", "GLIBCXX": "GLIBCXX_3.4.19"}) == (
        "GLIBC_2.17, GLIBCXX_3.4.19"
    )
    assert plain("x86-64-v3") == "x86-64-v3"
