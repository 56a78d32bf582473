"""Running build and test scripts: output streamed to a log file, failures explained.

``resolve("build_lib.sh", recipe_dir)`` -> ``Script`` (a file named in the recipe folder, or
inline commands); ``run(script, env, cwd, log)`` writes the script next to the log, runs it
with bash -e (python for a ``.py`` file), appends all output to ``log`` and raises
``ScriptError`` with the last 50 lines, the log path and the kept work directory when it fails.

Which script runs follows conda-build, which chooses by the *build machine*, not the target:
on Linux and macOS it runs ``build.sh`` (or ``build/script``) for every target, ``bld.bat``
only on Windows. cfl builds every subdir on Linux, so a win-64 build runs ``build.sh`` too,
with the win-64 variables (``LIBRARY_PREFIX``...). An output's ``script:`` file runs by its
suffix, like conda-build's ``guess_interpreter``: ``.sh`` with bash, ``.py`` with python;
``.bat`` (cmd) and ``.ps1`` (powershell) need a Windows build machine. conda-build runs bash
with ``-o errexit`` (``-x`` only with ``--debug``); cfl's scripts start with ``set -ex`` so
the log shows each command.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import CflError
from ..recipe import SCRIPT_FILE_RE
from ..records import dataclass
from . import sandbox

TAIL_LINES = 50
PID_FILE = "script.pgid"  # in the work directory while a script runs: a later run kills it
_PR_SET_PDEATHSIG = 1
_GRACE_SECONDS = 3.0


class ScriptError(CflError):
    """A build or test script exited non-zero."""

    exit_code = 5


@dataclass(frozen=True)
class Script:
    """What a build runs: the script's text and the program that runs it."""

    text: str
    interpreter: str = "bash"  # bash | python
    source: Path | None = None  # the recipe file it came from, if any
    env: tuple[tuple[str, str], ...] = ()  # rattler-build's `script: {env: {K: V}}`
    cwd: str | None = None  # rattler-build's `script: {cwd: dir}`, relative to the source

    @property
    def suffix(self) -> str:
        return ".py" if self.interpreter == "python" else ".sh"


def script_file(script: str, recipe_dir: Path) -> Script | None:
    """``build_lib.sh`` (conda-build's per-output script): a file in the recipe folder, run
    with bash (``.py`` with python); ``.bat`` needs a Windows build machine."""
    name = script.strip()
    if not SCRIPT_FILE_RE.match(name) or not (recipe_dir / name).is_file():
        return None
    path = recipe_dir / name
    if name.endswith(".bat"):
        raise ScriptError(
            f"{path} is a Windows batch script; this build machine runs scripts with bash",
            hint="add a .sh script for unix and choose it with selectors: "
            "`script: build_lib.sh  # [unix]` and `script: build_lib.bat  # [win]`",
        )
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ScriptError(f"cannot read the script {path}: {exc}") from exc
    return Script(text, "python" if name.endswith(".py") else "bash", path)


def resolve(
    script: str | Sequence[str] | Mapping[str, Any] | None,
    recipe_dir: Path,
    fallback: Path | None = None,
) -> Script | None:
    """A recipe's script: a file it names, inline commands, a rattler-build mapping, or the
    build.sh beside it."""
    if isinstance(script, Mapping):
        return from_mapping(script, recipe_dir)
    if isinstance(script, str):
        found = script_file(script, recipe_dir)
        if found is not None:
            return found
    text = script_text(script, fallback)
    return None if text is None else Script(text)


_INTERPRETERS = {"bash": "bash", "sh": "bash", "python": "python", "python3": "python"}


def from_mapping(script: Mapping[str, Any], recipe_dir: Path) -> Script | None:
    """rattler-build's ``script: {file: build_lib, content: ..., interpreter: python,
    env: {K: V}, secrets: [...], cwd: subdir}``. ``file`` is relative to the recipe folder;
    without a suffix it is ``.sh`` (``.py`` for python). Secrets are read from cfl's own
    environment, which build scripts already inherit."""
    interpreter = str(script.get("interpreter") or "bash")
    if interpreter not in _INTERPRETERS:
        raise ScriptError(
            f"script interpreter {interpreter!r} is not supported",
            hint=f"use one of: {', '.join(sorted(_INTERPRETERS))}",
        )
    kind = _INTERPRETERS[interpreter]
    env = tuple((str(k), str(v)) for k, v in (script.get("env") or {}).items())
    cwd = str(script["cwd"]) if script.get("cwd") else None
    text = script_text(script.get("content"))
    source = None
    if script.get("file"):
        name = str(script["file"])
        path = recipe_dir / name
        if not path.suffix:
            path = path.with_suffix(".py" if kind == "python" else ".sh")
        if not path.is_file():
            raise ScriptError(
                f"script file {path} does not exist",
                hint="`script: file:` names a file relative to the recipe folder",
            )
        text, source = path.read_text(), path
    if text is None:
        return None
    return Script(text, kind, source, env, cwd)


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
    interpreter: str = "bash",
    writable: Sequence[Path] | None = None,
    readable: Sequence[Path] = (),
) -> None:
    """Run ``script`` with bash (-e: stop at the first failing command) or python; with
    ``writable``, in the sandbox where only those directories can be written."""
    command, script_path = _prepare(script, env, log.with_name(f"{name}_script"), interpreter)
    if writable is not None:
        command = sandbox.wrap(command, writable, readable)
    with log.open("a") as out:
        out.write(f"==> {name} script: {script_path}\n")
        out.flush()
        try:
            returncode = run_group(command, cwd, env, out, work_dir)
        except OSError as exc:
            raise ScriptError(
                f"cannot run {command[0]} for the {name} script: {exc.strerror}"
            ) from exc
    if returncode != 0:
        where = f"; the work directory is kept at {work_dir}" if work_dir else ""
        raise ScriptError(
            f"the {name} script exited with {returncode}\n"
            f"--- last {TAIL_LINES} lines of {log} ---\n{tail(log)}\n---",
            hint=f"read the whole log at {log}{where}; `cfl debug RECIPE` prepares the same "
            "environment to rerun the script by hand",
        )


def _die_with_parent() -> None:
    """In the child before exec: the kernel kills the script when cfl dies, even by SIGKILL."""
    import ctypes  # only where util-linux's setpriv is missing

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@functools.cache
def _setpriv() -> str | None:
    return shutil.which("setpriv") if sys.platform.startswith("linux") else None


def _dying_with_parent(command: list[str]) -> tuple[list[str], Any]:
    """``command`` made to die with cfl (the kernel's parent-death signal, SIGKILL).

    util-linux's ``setpriv --pdeathsig`` sets it and execs the script: subprocess can then
    spawn with vfork, where a ``preexec_fn`` forces a fork of the whole cfl process and runs
    Python in the child (about 1.4 ms against 4.5 ms a script here)."""
    if not sys.platform.startswith("linux"):
        return command, None
    setpriv = _setpriv()
    if setpriv is None:
        return command, _die_with_parent
    return [setpriv, "--pdeathsig", "KILL", "--", *command], None


def run_group(
    command: list[str], cwd: Path, env: Mapping[str, str], out: IO[str], work_dir: Path | None
) -> int:
    """Run ``command`` in a process group of its own; whatever stops cfl (an error, Ctrl-C,
    SIGTERM) kills the whole group, so no script keeps writing after cfl is gone."""
    with SLOTS.held():  # --jobs N: at most N scripts at once, whatever else cfl does meanwhile
        return _run_group(command, cwd, env, out, work_dir)


def _run_group(
    command: list[str], cwd: Path, env: Mapping[str, str], out: IO[str], work_dir: Path | None
) -> int:
    command, before_exec = _dying_with_parent(command)
    proc = subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=before_exec,
    )
    pid_file = work_dir / PID_FILE if work_dir else None
    if pid_file is not None:
        pid_file.write_text(f"{proc.pid}\n")
    try:
        return proc.wait()
    finally:
        kill_group(proc.pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if pid_file is not None:
            pid_file.unlink(missing_ok=True)


class Slots:
    """At most ``n`` scripts running at once in this process (``--jobs``), once ``limit(n)``
    is in force; no limit otherwise."""

    def __init__(self) -> None:
        self._semaphore: threading.Semaphore | None = None

    @contextlib.contextmanager
    def limit(self, n: int) -> Iterator[None]:
        before, self._semaphore = self._semaphore, threading.Semaphore(max(1, n))
        try:
            yield
        finally:
            self._semaphore = before

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        semaphore = self._semaphore
        if semaphore is None:
            yield
            return
        with semaphore:
            yield


SLOTS = Slots()


def kill_group(pgid: int) -> None:
    """SIGTERM the group, then SIGKILL what is left after a grace period."""
    for sig, grace in ((signal.SIGTERM, _GRACE_SECONDS), (signal.SIGKILL, 1.0)):
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            return
        if _wait_group(pgid, grace):
            return


def _wait_group(pgid: int, seconds: float) -> bool:
    """Whether the group is gone within ``seconds``."""
    end = time.monotonic() + seconds
    while True:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.05)


def kill_leftover(work_dir: Path) -> None:
    """A build killed by SIGKILL leaves its script's group id in its work directory."""
    pid_file = work_dir / PID_FILE
    try:
        pgid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if pgid > 1:
        kill_group(pgid)


def _prepare(
    script: str, env: Mapping[str, str], stem: Path, interpreter: str
) -> tuple[list[str], Path]:
    """Write the script beside the log; the command that runs it."""
    if interpreter == "python":
        path = stem.with_suffix(".py")
        path.write_text(script if script.endswith("\n") else script + "\n")
        # The build environment's python when it has one, else the one running cfl.
        python = shutil.which("python", path=env.get("PATH")) or sys.executable
        return [python, str(path)], path
    path = stem.with_suffix(".sh")
    path.write_text("set -ex\n" + script + "\n")
    return ["bash", str(path)], path


def base_path(env: Mapping[str, str], *dirs: Path) -> str:
    """PATH with ``dirs`` first, then the caller's PATH."""
    return os.pathsep.join([*(str(d) for d in dirs), env.get("PATH", os.defpath)])
