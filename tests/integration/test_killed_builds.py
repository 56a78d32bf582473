"""``cfl build`` interrupted (SIGINT, SIGTERM) or killed (SIGKILL) while its build script runs:
the script stops with it (its late marker never appears), the channel is left as it was, and a
rerun builds a whole package."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conda_forge_like import package

ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "tests" / "data" / "recipes" / "slow-script"
SLOW = 4


def _cfl(out: Path, markers: Path, seconds: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SLOW_MARKER_DIR": str(markers),
        "SLOW_SECONDS": str(seconds),
        "PYTHONUNBUFFERED": "1",  # each progress line as it happens (_kill_at)
    }
    return subprocess.Popen(
        # --no-sandbox: the script's markers are outside its work directory (and the process
        # group, not bubblewrap's --die-with-parent, is what is tested here).
        [sys.executable, "-m", "conda_forge_like.cli", "build", str(RECIPE), "--output-dir",
         str(out), "--no-sandbox"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # pytest-xdist's workers ignore SIGINT, and an ignored signal stays ignored in a child
        preexec_fn=_default_sigint,
    )  # fmt: skip


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.05)


def _channel_packages(out: Path) -> list[str]:
    repodata = out / "noarch" / "repodata.json"
    listed = json.loads(repodata.read_text()).get("packages.conda", {}) if repodata.exists() else {}
    files = [p.name for p in (out / "noarch").glob("*.conda")] if (out / "noarch").is_dir() else []
    assert sorted(listed) == sorted(files)
    return sorted(files)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_killed_build_stops_its_script_and_leaves_the_channel(
    tmp_path: Path, sig: signal.Signals
) -> None:
    out, markers = tmp_path / "channel", tmp_path / "markers"
    markers.mkdir()
    proc = _cfl(out, markers, SLOW)
    _wait_for(markers / "started", proc)
    proc.send_signal(sig)
    text = proc.communicate(timeout=60)[0]
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, text
        assert "interrupted" in text
        assert "Traceback" not in text
    time.sleep(SLOW + 1)
    assert not (markers / "late").exists(), "the build script kept running after cfl stopped"
    assert _channel_packages(out) == []

    (markers / "started").unlink()
    rerun = _cfl(out, markers, 0)
    rerun_text = rerun.communicate(timeout=120)[0]
    assert rerun.returncode == 0, rerun_text
    (pkg,) = _channel_packages(out)
    dest = tmp_path / "extracted"
    package.extract(out / "noarch" / pkg, dest)
    payload = sorted(
        p.relative_to(dest).as_posix()
        for p in dest.rglob("*")
        if p.is_file() and not p.relative_to(dest).as_posix().startswith("info/")
    )
    assert payload == ["share/slow/early.txt", "share/slow/late.txt"]


def _kill_at(proc: subprocess.Popen[str], stage: str, sig: signal.Signals) -> str:
    """Send ``sig`` when cfl reports ``stage`` (its ``cfl: <stage>`` progress line)."""
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(f"cfl: {stage}"):
            proc.send_signal(sig)
            break
    rest = proc.communicate(timeout=60)[0]
    return "".join(seen) + rest


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
@pytest.mark.parametrize("stage", ["environments", "relocate", "abi"])
def test_a_build_killed_at_any_stage_leaves_a_valid_channel(
    tmp_path: Path, sig: signal.Signals, stage: str
) -> None:
    """Killed while it makes its environments, relocates, or checks, packages and publishes:
    the channel holds no package or the whole one (listed once), and a rerun leaves exactly
    one whole package."""
    out, markers = tmp_path / "channel", tmp_path / "markers"
    markers.mkdir()
    proc = _cfl(out, markers, 0)
    text = _kill_at(proc, stage, sig)
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), text
    if sig == signal.SIGINT:
        assert "interrupted" in text
    assert "Traceback" not in text
    assert len(_channel_packages(out)) <= 1
    rerun = subprocess.run(
        [sys.executable, "-m", "conda_forge_like.cli", "build", str(RECIPE), "--output-dir",
         str(out), "--no-sandbox", "--skip-existing"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "SLOW_MARKER_DIR": str(markers)},
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    (pkg,) = _channel_packages(out)
    dest = tmp_path / "extracted"
    package.extract(out / "noarch" / pkg, dest)
    assert (dest / "share" / "slow" / "late.txt").read_text() == "late\n"
