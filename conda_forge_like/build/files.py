"""Which files a build produced: snapshots of a prefix and ``files:`` selection.

``snapshot(prefix)`` -> set of relative paths (files and symlinks, not conda-meta/);
``select(new, ["lib/libfoo.so*"])`` -> the new files an output's ``files:`` globs pick.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import globs

_IGNORED_TOP = ("conda-meta/", ".cfl/")


def snapshot(prefix: Path) -> set[str]:
    """Every file and symlink under ``prefix`` as a relative POSIX path."""
    found: set[str] = set()
    root = str(prefix)
    for directory, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(directory, root)
        for name in files + [d for d in dirs if os.path.islink(os.path.join(directory, d))]:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            rel = rel.replace(os.sep, "/")
            if not rel.startswith(_IGNORED_TOP) and not rel.endswith((".pyc",)):
                found.add(rel)
    return found


def select(
    files: Iterable[str], patterns: Sequence[str] | None, directories: bool = False
) -> list[str]:
    """Files matching any glob (``lib/*.so*``, ``lib/**/*.so``, ``include/``; see ``globs``);
    all files when no patterns. With ``directories`` (meta.yaml), a pattern naming a folder
    selects what is under it."""
    ordered = sorted(files)
    if not patterns:
        return ordered
    test = globs.selects if directories else globs.matches
    return [p for p in ordered if any(test(p, str(g)) for g in patterns)]
