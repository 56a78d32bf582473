"""What flows through the relocation stage: plans, prefix matches and the report.

``RpathPlan(binary="bin/tool", original=("/p/lib", "/usr/local/lib"), new=("$ORIGIN/../lib",),
removed=(RemovedRpath("bin/tool", "/usr/local/lib", "outside the prefix ..."),))``
"""

from __future__ import annotations

from typing import Literal

from ..errors import CflError
from ..records import dataclass

FileMode = Literal["text", "binary"]
BinaryFormat = Literal["elf", "macho", "pe"]
RpathKind = Literal["rpath", "runpath"]


class RelocationError(CflError):
    """A file cannot be read or relinked, or a placeholder cannot be replaced."""

    exit_code = 5


class UnreadableBinary(RelocationError):
    """The file has a binary format's magic but its headers cannot be parsed."""


@dataclass(frozen=True)
class PrefixMatch:
    """A file that still holds the prefix; it goes to ``info/paths.json`` with its mode."""

    path: str  # relative to the prefix root
    file_mode: FileMode  # "text" (no NUL byte in the file) or "binary"


@dataclass(frozen=True)
class RemovedRpath:
    """An RPATH entry dropped because it would not exist on the user's machine."""

    binary: str
    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.binary}: removed RPATH entry {self.entry!r}: {self.reason}"


@dataclass(frozen=True)
class RpathPlan:
    """The search path one binary should have: decided purely from its current one."""

    binary: str
    original: tuple[str, ...]
    new: tuple[str, ...]
    removed: tuple[RemovedRpath, ...] = ()

    @property
    def changed(self) -> bool:
        return self.new != self.original


@dataclass(frozen=True)
class Rpaths:
    """A binary's search path as stored: which dynamic tag holds it, and its entries.

    ``kind`` matters on ELF: the loader searches DT_RPATH before LD_LIBRARY_PATH and
    DT_RUNPATH after it, so rewriting must keep the kind the build chose.
    """

    kind: RpathKind
    entries: tuple[str, ...]


@dataclass(frozen=True)
class MachoLinks:
    """The load commands of one Mach-O file that say where it and its libraries are."""

    install_name: str | None  # LC_ID_DYLIB; None for executables and bundles
    dylibs: tuple[str, ...]  # LC_LOAD_DYLIB and its weak/re-export/upward kin, in file order
    rpaths: tuple[str, ...]  # LC_RPATH, in file order
    signed: bool = False  # has LC_CODE_SIGNATURE: rewriting must re-sign it


@dataclass(frozen=True)
class MachoPlan:
    """What one Mach-O file's load commands should become: decided purely from the current ones."""

    binary: str
    original: MachoLinks
    new: MachoLinks
    removed: tuple[RemovedRpath, ...] = ()

    @property
    def changed(self) -> bool:
        return self.new != self.original


@dataclass(frozen=True)
class SymlinkFix:
    """An absolute symlink into the prefix, rewritten to the equivalent relative one."""

    path: str  # the link, relative to the prefix root
    original: str  # its absolute target
    new: str  # the same target, relative to the link's directory


@dataclass(frozen=True)
class RelocationReport:
    """What ``relocate`` did to a prefix, for ``info/paths.json`` and the build log."""

    subdir: str
    elf: tuple[str, ...] = ()  # ELF files examined
    macho: tuple[str, ...] = ()  # Mach-O files examined
    pe: tuple[str, ...] = ()  # PE files: counted, nothing to relink
    plans: tuple[RpathPlan, ...] = ()  # one per ELF file with a search path
    macho_plans: tuple[MachoPlan, ...] = ()  # one per readable Mach-O file
    symlinks: tuple[SymlinkFix, ...] = ()  # absolute links made relative
    changed: tuple[str, ...] = ()  # binaries whose search path or load commands were rewritten
    removed: tuple[RemovedRpath, ...] = ()
    unreadable: tuple[str, ...] = ()  # binary magic but headers that cannot be parsed or relinked
    prefix_matches: tuple[PrefixMatch, ...] = ()  # scanned after rewriting

    @property
    def counts(self) -> dict[str, int]:
        return {"elf": len(self.elf), "macho": len(self.macho), "pe": len(self.pe)}

    @property
    def warnings(self) -> list[str]:
        notes = [str(r) for r in self.removed]
        notes += [f"{p}: cannot be parsed or relinked; left untouched" for p in self.unreadable]
        return notes
