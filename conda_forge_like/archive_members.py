"""Which archive members would escape the folder they are extracted into (pure), for source
archives and packages alike.

``unsafe_entries([Entry("../x", "file")])`` -> ``["'../x': path escapes the target directory"]``.
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterable
from typing import Literal

from .records import dataclass


@dataclass(frozen=True)
class Entry:
    """One archive member as the safety check sees it; ``link`` is a link's target."""

    name: str
    kind: Literal["file", "dir", "symlink", "hardlink", "other"]
    link: str | None = None


def unsafe_entries(entries: Iterable[Entry]) -> list[str]:
    """Every entry that would escape the target, with the reason (pure)."""
    symlinks: set[str] = set()
    found = ((entry, next_problem(entry, symlinks)) for entry in entries)
    return [f"{entry.name!r}: {reason}" for entry, reason in found if reason]


def next_problem(entry: Entry, symlinks: set[str]) -> str | None:
    """Why ``entry`` would escape, given the symlinks of the entries before it (``symlinks``,
    which gets this entry's own when it is one); ``None`` when it is safe. For streams."""
    reason = _entry_problem(entry, symlinks)
    if entry.kind == "symlink":
        symlinks.add(posixpath.normpath(entry.name.replace("\\", "/")))
    return reason


def _entry_problem(entry: Entry, symlinks: set[str]) -> str | None:
    name = entry.name.replace("\\", "/")
    if is_absolute(name):
        return "absolute path"
    normal = posixpath.normpath(name)
    if escapes(normal):
        return "path escapes the target directory"
    parents = normal.split("/")[:-1]
    if any("/".join(parents[: i + 1]) in symlinks for i in range(len(parents))):
        return "written through a symlink in the archive"
    if entry.kind == "other":
        return "device, fifo or other special file"
    if entry.kind in ("symlink", "hardlink") and entry.link is not None:
        return _link_problem(entry.kind, normal, entry.link.replace("\\", "/"))
    return None


def _link_problem(kind: str, normal: str, link: str) -> str | None:
    if is_absolute(link):
        return f"{kind} to the absolute path {link!r}"
    # A symlink resolves from its own folder; a tar hardlink names a member from the root.
    base = posixpath.dirname(normal) if kind == "symlink" else ""
    if escapes(posixpath.normpath(posixpath.join(base, link))):
        return f"{kind} pointing outside the target ({link!r})"
    return None


def is_absolute(name: str) -> bool:
    return name.startswith("/") or (len(name) > 1 and name[1] == ":")


def escapes(normal: str) -> bool:
    return normal == ".." or normal.startswith("../")


def tar_entry(member: tarfile.TarInfo) -> Entry:
    if member.issym():
        return Entry(member.name, "symlink", member.linkname)
    if member.islnk():
        return Entry(member.name, "hardlink", member.linkname)
    if member.isdir():
        return Entry(member.name, "dir")
    return Entry(member.name, "file" if member.isfile() else "other")
