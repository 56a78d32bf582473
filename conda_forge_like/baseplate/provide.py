"""Linking the table's build tools into a prefix and telling their versions (the I/O half).

``provide(["patch", "gnuconfig"], prefix, cache)`` links ``/usr/bin/patch`` as
``prefix/bin/patch`` and ``config.guess``/``config.sub`` into ``prefix/share/gnuconfig`` and
returns ``[BuildTool("patch", "2.7.6", "machine", "patch"), ...]``. ``missing([...])`` names
the tools whose executables are not installed on this machine (with what to install).
Versions are probed once per executable (path, size, mtime) and kept in the cache dir.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .. import lazy
from ..errors import CflError
from .build_tools import ToolEntry, table
from .model import BuildTool
from .tools import CACHE_FILE, _pypi_or_path

_VERSION = lazy.regex(r"\d+(?:\.\d+)+")
_DATE = lazy.regex(r"\d{4}-\d{2}-\d{2}")
_NUMBER = lazy.regex(r"\d+")


class ToolNotInstalled(CflError):
    """A tool the table provides is not installed on this build machine."""


def _pypi_executable(entry: ToolEntry, name: str) -> str | None:
    """cmake's wheel keeps its real binaries (and data) in CMAKE_BIN_DIR; its console scripts
    are Python shims. Other wheels install the executable beside this Python."""
    if entry.project == "cmake":
        try:
            import cmake
        except ImportError:
            return None
        path = os.path.join(cmake.CMAKE_BIN_DIR, name)
        return path if os.path.isfile(path) else None
    found = _pypi_or_path(name)
    return os.path.realpath(found) if found else None


def sources(entry: ToolEntry) -> dict[str, str | None]:
    """Where each of the entry's links points: ``{"bin/patch": "/usr/bin/patch"}`` (None when
    absent). Machine tools keep their own path, not its realpath: Debian's alternatives
    (yacc -> bison.yacc) and multi-call tools act on the name they are started by."""
    found: dict[str, str | None] = {}
    for link, source in entry.links:
        pypi = entry.provider == "pypi"
        found[f"bin/{link}"] = _pypi_executable(entry, source) if pypi else shutil.which(source)
    for path in entry.files:
        found[f"{entry.into}/{os.path.basename(path)}"] = path if os.path.isfile(path) else None
    return found


def missing(names: Sequence[str], entries: Mapping[str, ToolEntry] | None = None) -> list[str]:
    """``"patch: patch not installed (apt-get install patch ...)"`` per tool not here."""
    if not names:
        return []
    entries = table() if entries is None else entries
    problems = []
    for name in names:
        entry = entries[name]
        absent = [os.path.basename(k) for k, v in sources(entry).items() if v is None]
        if absent:
            problems.append(f"{name}: {', '.join(absent)} not installed ({entry.install_hint})")
    return problems


def provide(names: Sequence[str], prefix: Path, cache_dir: Path | None = None) -> list[BuildTool]:
    """Link each named tool into ``prefix``; a tool not installed here is an error."""
    if not names:
        return []
    entries = table()
    problems = missing(names, entries)
    if problems:
        raise ToolNotInstalled(
            "build tools the base plate provides are not installed on this machine: "
            + "; ".join(problems),
            hint="install them (bash ci/setup.sh installs every tool of the table)",
        )
    versions = VersionCache(cache_dir / CACHE_FILE if cache_dir else None)
    provided = []
    for name in dict.fromkeys(names):
        entry = entries[name]
        found = sources(entry)
        for relative, source in found.items():
            if (entry.env or entry.relative_inputs) and relative.startswith("bin/"):
                _wrap(str(source), prefix / relative, entry, prefix)
            else:
                _link(str(source), prefix / relative)
        version = versions.get(_version_command(entry, found))
        source_name = entry.project if entry.provider == "pypi" else " ".join(entry.debian)
        provided.append(BuildTool(name, version, entry.provider, source_name or name))
    versions.save()
    return provided


def _link(source: str, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(source, link)


def _wrap(source: str, link: Path, entry: ToolEntry, prefix: Path) -> None:
    """A script that runs the machine's tool with the entry's defaults for this prefix."""
    lines = ["#!/bin/bash", "# Written by cfl: a build tool of the base plate, for this prefix."]
    for name, value in entry.env:
        lines.append(f': "${{{name}:={shlex.quote(value.format(prefix=prefix))}}}"')
        lines.append(f"export {name}")
    if entry.relative_inputs:
        globs = "|".join(entry.relative_inputs)
        lines += [
            "args=()",
            'for arg in "$@"; do',
            '  if [ -n "${SRC_DIR:-}" ] && [[ $arg == "$SRC_DIR"/* ]]; then',
            f'    case $arg in {globs}) arg=$(realpath --relative-to=. "$arg") ;; esac',
            "  fi",
            '  args+=("$arg")',
            "done",
            'set -- "${args[@]}"',
        ]
    lines.append(f'exec {shlex.quote(source)} "$@"')
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.write_text("\n".join(lines) + "\n")
    link.chmod(0o755)


def _version_command(entry: ToolEntry, found: Mapping[str, str | None]) -> list[str]:
    exe = entry.version
    if not os.path.isabs(exe):
        link = next((ln for ln, source in entry.links if exe in (ln, source)), exe)
        exe = found.get(f"bin/{link}") or exe
    return [exe, *entry.version_args]


def parse_version(text: str) -> str:
    """``"GNU patch 2.7.6"`` -> ``2.7.6``; ``"GNU config.guess (2022-01-09)"`` -> the date."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    for pattern in (_VERSION, _DATE, _NUMBER):
        if match := pattern.search(line):
            return match.group(0)
    return line or "unknown"


class VersionCache:
    """``path:size:mtime`` -> version, on disk: a build does not run every tool again."""

    def __init__(self, path: Path | None):
        self.path = path
        self.changed = False
        self.data: dict[str, str] = {}
        if path is not None:
            try:
                self.data = dict(json.loads(path.read_text()))
            except (OSError, ValueError):
                self.data = {}

    def get(self, command: list[str], parse: Callable[[str], str] = parse_version) -> str:
        """The version ``command`` prints (through ``parse``), run only when not cached."""
        try:
            info = os.stat(command[0])
        except OSError:
            return "unknown"
        key = self.key(command, info, parse)
        if key not in self.data:
            self.data[key] = parse(_run(command))
            self.changed = True
        return self.data[key]

    @staticmethod
    def key(command: list[str], info: os.stat_result, parse: Callable[[str], str]) -> str:
        """``realpath:size:mtime_ns:[args]``: a tool replaced in place is probed again."""
        key = f"{os.path.realpath(command[0])}:{info.st_size}:{info.st_mtime_ns}:{command[1:]}"
        return key if parse is parse_version else f"{key}:{parse.__name__}"

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        os.replace(tmp, self.path)  # concurrent builds: the last writer wins, none is torn


def _run(command: list[str]) -> str:
    """stdout, else stderr (bzip2 prints its version there); stdin closed so none waits."""
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout if result.stdout.strip() else result.stderr
