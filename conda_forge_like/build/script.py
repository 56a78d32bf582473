"""Running build and test scripts: output streamed to a log file, failures explained.

``run(script, env, cwd, log)`` writes the script next to the log, runs it with bash -e,
appends all output to ``log`` and raises ``ScriptError`` with the last 50 lines, the log path
and the kept work directory when it fails.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import CflError

TAIL_LINES = 50


class ScriptError(CflError):
    """A build or test script exited non-zero."""

    exit_code = 5


def script_text(script: str | Sequence[str] | None, fallback: Path | None = None) -> str | None:
    """A recipe's inline script (string or list of lines), or the build.sh beside it."""
    if isinstance(script, str) and script.strip():
        return script
    if isinstance(script, (list, tuple)) and script:
        return "\n".join(str(line) for line in script)
    if fallback is not None and fallback.is_file():
        return fallback.read_text()
    return None


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def run(
    script: str,
    env: Mapping[str, str],
    cwd: Path,
    log: Path,
    name: str = "build",
    work_dir: Path | None = None,
) -> None:
    """Run ``script`` with bash (-e: stop at the first failing command)."""
    script_path = log.with_name(f"{name}_script.sh")
    script_path.write_text("set -ex\n" + script + "\n")
    with log.open("a") as out:
        out.write(f"==> {name} script: {script_path}\n")
        out.flush()
        try:
            result = subprocess.run(
                ["bash", str(script_path)],
                cwd=cwd,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
            )
        except OSError as exc:
            raise ScriptError(f"cannot run bash for the {name} script: {exc.strerror}") from exc
    if result.returncode != 0:
        where = f"; the work directory is kept at {work_dir}" if work_dir else ""
        raise ScriptError(
            f"the {name} script exited with {result.returncode}\n"
            f"--- last {TAIL_LINES} lines of {log} ---\n{tail(log)}\n---",
            hint=f"read the whole log at {log}{where}; `cfl debug RECIPE` prepares the same "
            "environment to rerun the script by hand",
        )


def base_path(env: Mapping[str, str], *dirs: Path) -> str:
    """PATH with ``dirs`` first, then the caller's PATH."""
    return os.pathsep.join([*(str(d) for d in dirs), env.get("PATH", os.defpath)])
