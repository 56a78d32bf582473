"""Running the source stage's tools (git, patch, pip) with failures that show the command."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..errors import SourceError

TAIL_LINES = 15


def run(cmd: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` with stdout and stderr together; a missing tool is a ``SourceError``."""
    try:
        return subprocess.run(
            cmd,
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise SourceError(
            f"cannot run `{shlex.join(cmd)}`: {exc}", hint=f"install `{cmd[0]}` or put it on PATH"
        ) from exc


def run_checked(
    cmd: list[str], cwd: Path, env: Mapping[str, str], what: str, hint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``run`` that raises ``what`` with the end of the output when ``cmd`` fails."""
    result = run(cmd, cwd, env)
    if result.returncode:
        raise SourceError(
            f"{what}:\n{failure(cmd, result, lines=TAIL_LINES)}",
            hint=hint or "the output above is the end of the tool's output",
        )
    return result


def failure(cmd: list[str], result: subprocess.CompletedProcess[str], lines: int) -> str:
    """The command, its exit code and its last ``lines`` lines of output, indented."""
    tail = result.stdout.strip().splitlines()[-lines:]
    shown = "".join(f"\n    {line}" for line in tail)
    return f"  `{shlex.join(cmd)}` exited with {result.returncode}{shown}"
