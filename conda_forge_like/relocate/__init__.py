"""Relocation stage: files new in the host prefix -> binaries that work from any prefix.

``relocate(root, files, prefix, subdir)`` rewrites every ELF RPATH/RUNPATH to ``$ORIGIN``-
relative entries (planned purely by ``plan_rpaths``, written by a ``Relinker``, patchelf by
default), gives Mach-O files ``@rpath`` install names and ``@loader_path`` LC_RPATHs
(``plan_macho``, written by a ``MachoRelinker``, lief by default, re-signed ad hoc when they
were signed), makes absolute symlinks into the prefix relative (``plan_symlinks``; a link
leaving the prefix is an error) and returns a ``RelocationReport`` whose ``prefix_matches``
(``scan`` after the rewrite) become ``info/paths.json`` placeholders. ``replace_binary`` is
the conda clients' install-time rule for binary files, for tests and verification.

    >>> plan_rpaths(["/p/lib", "/usr/local/lib"], "bin/tool", "/p").new
    ('$ORIGIN/../lib',)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import lazy

# The pure and light modules load with the package (``scan`` must: a submodule of that name
# would otherwise shadow the function); the relinkers and the code signer on first use.
from .formats import binary_format
from .model import (
    BinaryFormat,
    FileMode,
    MachoLinks,
    MachoPlan,
    PrefixMatch,
    RelocationError,
    RelocationReport,
    RemovedRpath,
    RpathKind,
    RpathPlan,
    Rpaths,
    SymlinkFix,
    UnreadableBinary,
)
from .plan import plan_macho, plan_rpaths, plan_symlinks, replace_binary
from .scan import classify, scan

if TYPE_CHECKING:
    from .apply import relink, relink_macho, relink_symlinks, relocate
    from .codesign import adhoc_sign, verify
    from .macho import LiefMachoRelinker
    from .relinker import MachoRelinker, PatchelfRelinker, Relinker

__getattr__ = lazy.exports(
    __name__,
    {
        "relink": ".apply",
        "relink_macho": ".apply",
        "relink_symlinks": ".apply",
        "relocate": ".apply",
        "adhoc_sign": ".codesign",
        "verify": ".codesign",
        "LiefMachoRelinker": ".macho",
        "MachoRelinker": ".relinker",
        "PatchelfRelinker": ".relinker",
        "Relinker": ".relinker",
    },
)

__all__ = [
    "BinaryFormat",
    "FileMode",
    "LiefMachoRelinker",
    "MachoLinks",
    "MachoPlan",
    "MachoRelinker",
    "PatchelfRelinker",
    "PrefixMatch",
    "Relinker",
    "RelocationError",
    "RelocationReport",
    "RemovedRpath",
    "RpathKind",
    "RpathPlan",
    "Rpaths",
    "SymlinkFix",
    "UnreadableBinary",
    "adhoc_sign",
    "binary_format",
    "classify",
    "plan_macho",
    "plan_rpaths",
    "plan_symlinks",
    "relink",
    "relink_macho",
    "relink_symlinks",
    "relocate",
    "replace_binary",
    "scan",
    "verify",
]
