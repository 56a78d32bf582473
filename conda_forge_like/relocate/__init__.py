"""Relocation stage: files new in the host prefix -> binaries that work from any prefix.

``relocate(root, files, prefix, subdir)`` rewrites every ELF RPATH/RUNPATH to ``$ORIGIN``-
relative entries (planned purely by ``plan_rpaths``, written by a ``Relinker``, patchelf by
default) and returns a ``RelocationReport`` whose ``prefix_matches`` (``scan`` after the
rewrite) become ``info/paths.json`` placeholders. ``replace_binary`` is the conda clients'
install-time rule for binary files, for tests and verification.

    >>> plan_rpaths(["/p/lib", "/usr/local/lib"], "bin/tool", "/p").new
    ('$ORIGIN/../lib',)
"""

from __future__ import annotations

from .apply import relink, relocate
from .formats import binary_format
from .model import (
    BinaryFormat,
    FileMode,
    PrefixMatch,
    RelocationError,
    RelocationReport,
    RemovedRpath,
    RpathKind,
    RpathPlan,
    Rpaths,
)
from .plan import plan_rpaths, replace_binary
from .relinker import PatchelfRelinker, Relinker, UnreadableBinary
from .scan import classify, scan

__all__ = [
    "BinaryFormat",
    "FileMode",
    "PatchelfRelinker",
    "PrefixMatch",
    "Relinker",
    "RelocationError",
    "RelocationReport",
    "RemovedRpath",
    "RpathKind",
    "RpathPlan",
    "Rpaths",
    "UnreadableBinary",
    "binary_format",
    "classify",
    "plan_rpaths",
    "relink",
    "relocate",
    "replace_binary",
    "scan",
]
