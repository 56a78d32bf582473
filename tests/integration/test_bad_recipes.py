"""Bad and hostile recipes through the real ``cfl`` process: each fails cleanly, nothing escapes.

Every folder in ``tests/data/bad/`` and ``tests/data/hostile/`` with an ``expect.yaml`` is one
case: its recipe is run with ``cfl render`` or ``cfl build`` in a subprocess (this checkout on
``PYTHONPATH``) and must exit with the expected code (never 0, never 70: an internal error),
name ``file:line`` where the case gives a line, print a ``TIP:`` and no traceback. Every case
runs beside a channel holding one real package and a sentinel folder; both must be byte-for-byte
unchanged afterwards (``$CFL_TEST_SENTINEL`` names the sentinel, so an escape that writes
there is caught).

``expect.yaml``::

    command: render        # or build
    exit: 2
    file: meta.yaml        # the file the error names, relative to the case folder
    line: 3                # optional: the line it names
    messages: [unsafe template]   # fragments stderr must contain
    args: [--max-variants, "2000"]  # optional: more cfl arguments
    env: {CFL_RENDER_SECONDS: "3"}  # optional: more environment variables
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conda_forge_like import index, package
from conda_forge_like.package import PackageMetadata, file_record

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
CASES = sorted(
    case
    for kind in ("bad", "hostile")
    for case in (DATA / kind).glob("*")
    if (case / "expect.yaml").is_file()
)


def _expect(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))
    return data


def _tree_hash(root: Path) -> dict[str, str]:
    """Every file and symlink under ``root`` -> its content digest (or link target)."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[rel] = "dir"
    return found


def _channel(root: Path) -> Path:
    """An output channel holding one real package and its repodata (written by cfl itself)."""
    files = root / "existing-files"
    (files / "share").mkdir(parents=True)
    (files / "share" / "existing.txt").write_text("already published\n")
    meta = PackageMetadata("existing", "1.0", "0", 0, "linux-64")
    channel = root / "channel"
    env = {"SOURCE_DATE_EPOCH": "0"}
    package.write(files, [file_record(files, "share/existing.txt")], meta, channel / "linux-64",
                  environ=env)  # fmt: skip
    (channel / "noarch").mkdir()
    assert index.rebuild(channel) == {"linux-64": 1, "noarch": 0}
    return channel


def _sentinel(root: Path) -> Path:
    sentinel = root / "sentinel"
    (sentinel / "victim" / "deep").mkdir(parents=True)
    (sentinel / "victim" / "keep.txt").write_text("do not touch\n")
    (sentinel / "victim" / "deep" / "data.bin").write_bytes(bytes(range(256)))
    return sentinel


def _run(case: Path, expect: dict[str, Any], tmp: Path, channel: Path, sentinel: Path) -> Any:
    command = expect.get("command", "render")
    argv = [sys.executable, "-m", "conda_forge_like.cli", command, str(case)]
    argv += ["--target-platform", "linux-64"]
    if command == "build":
        argv += ["--output-dir", str(channel), "--no-test"]
    argv += [str(a) for a in expect.get("args", [])]
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(PYTHONPATH=str(REPO), CFL_TEST_SENTINEL=str(sentinel), NO_COLOR="1")
    env.update({str(k): str(v) for k, v in (expect.get("env") or {}).items()})
    return subprocess.run(
        argv, cwd=tmp, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_bad_recipe_fails_cleanly_and_changes_nothing(case: Path, tmp_path: Path) -> None:
    expect = _expect(case)
    channel, sentinel = _channel(tmp_path), _sentinel(tmp_path)
    before = (_tree_hash(channel), _tree_hash(sentinel))
    result = _run(case, expect, tmp_path, channel, sentinel)
    err = result.stderr
    assert result.returncode not in (0, 70), f"exit {result.returncode}:\n{err}"
    assert result.returncode == expect.get("exit", 2), err
    assert "Traceback" not in err + result.stdout
    assert "TIP:" in err, err
    where = f"{case.name}/{expect.get('file', 'meta.yaml')}"
    if "line" in expect:
        where += f":{expect['line']}"
    assert where in err, f"{where!r} not in:\n{err}"
    for fragment in expect.get("messages", []):
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    assert (_tree_hash(channel), _tree_hash(sentinel)) == before, "the channel or sentinel changed"
