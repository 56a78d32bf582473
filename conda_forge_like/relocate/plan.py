"""Relocation planning (pure): which search path a binary should carry, and how a conda
client rewrites a placeholder inside a binary file.

``plan_rpaths(["/p/lib", "/usr/local/lib"], "bin/tool", "/p")`` -> new ``("$ORIGIN/../lib",)``
with ``/usr/local/lib`` listed in ``removed``;
``replace_binary(b"/p/share\\0", b"/p", b"/q")`` -> ``b"/q/share\\0"``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from .model import RelocationError, RemovedRpath, RpathPlan

# Tokens that make an entry relative to the binary (or the executable) -> how to write them.
_RELATIVE_TOKENS = {
    "$ORIGIN": {"$ORIGIN": "$ORIGIN", "${ORIGIN}": "$ORIGIN"},
    "@loader_path": {"@loader_path": "@loader_path", "@executable_path": "@executable_path"},
}
# Directories the loader searches by default: an entry for one is noise, never needed.
_SYSTEM_DIRS = frozenset({"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/lib32", "/lib32"})


def plan_rpaths(
    rpaths: Sequence[str], binary_relpath: str, prefix: str, *, origin: str = "$ORIGIN"
) -> RpathPlan:
    """Map every entry to ``<origin>/<relative>`` or drop it, keeping order, without duplicates.

    Entries inside ``prefix`` become relative to the binary's directory; entries already
    relative to the binary are kept (normalised); everything else (build-machine directories,
    ``/usr/local``, the build prefix, empty or working-directory-relative entries) is removed
    with a reason. ``origin="@loader_path"`` plans Mach-O ``LC_RPATH`` entries the same way.
    """
    binary = posixpath.normpath(binary_relpath)
    root = posixpath.normpath(prefix)
    new: list[str] = []
    removed: list[RemovedRpath] = []
    entries = _split(rpaths)
    for entry in entries:
        mapped, reason = _map_entry(entry, binary, root, origin)
        if mapped is None:
            removed.append(RemovedRpath(binary, entry, reason))
        elif mapped not in new:
            new.append(mapped)
    return RpathPlan(binary, tuple(entries), tuple(new), tuple(removed))


def _split(rpaths: Iterable[str]) -> list[str]:
    """Entries one by one: callers may hand over a raw ``a:b`` string as one entry."""
    return [part for entry in rpaths for part in entry.split(":")]


def _map_entry(entry: str, binary: str, root: str, origin: str) -> tuple[str | None, str]:
    relative = _split_token(entry, origin)
    if relative is not None:
        return _join(*relative), ""
    if not entry:
        return None, "an empty entry makes the loader search the working directory"
    if entry.startswith(("$", "@")):
        return None, "a loader token that does not point into the package"
    if not entry.startswith("/"):
        return None, "relative to the working directory, not to the binary"
    target = posixpath.normpath(entry)
    if target == root or target.startswith(root + "/"):
        here = posixpath.join(root, posixpath.dirname(binary))
        return _join(origin, posixpath.relpath(target, here)), ""
    if target in _SYSTEM_DIRS:
        return None, "a system directory the loader searches anyway"
    return None, f"outside the prefix {root}: it would not exist where the package is installed"


def _split_token(entry: str, origin: str) -> tuple[str, str] | None:
    """``("$ORIGIN", "../lib")`` for ``${ORIGIN}/../lib``; None without a relative token."""
    for token, canonical in _RELATIVE_TOKENS.get(origin, {origin: origin}).items():
        if entry == token:
            return canonical, ""
        if entry.startswith(token + "/"):
            return canonical, entry[len(token) + 1 :]
    return None


def _join(origin: str, tail: str) -> str:
    tail = posixpath.normpath(tail) if tail else "."
    return origin if tail == "." else f"{origin}/{tail}"


def replace_binary(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace ``old`` by ``new`` the way conda clients patch binary files at install time.

    Each occurrence starts a rewrite that runs to the end of its C string (the next NUL):
    every ``old`` in that stretch becomes ``new`` and the bytes saved are appended as NULs,
    so offsets of everything after the string stay put. A stretch with no terminating NUL is
    left alone, as clients do. Raises ``RelocationError`` if ``new`` is longer than ``old``.
    """
    if not old:
        raise ValueError("the placeholder to replace must not be empty")
    if len(new) > len(old):
        raise RelocationError(
            f"cannot replace a {len(old)}-byte placeholder by a {len(new)}-byte prefix in a "
            "binary file: strings cannot grow",
            hint="install into a shorter prefix, or build with a longer (padded) prefix",
        )
    out = bytearray()
    done = 0
    while (start := data.find(old, done)) != -1:
        end = data.find(b"\0", start)
        if end == -1:
            break
        stretch = data[start:end]
        saved = stretch.count(old) * (len(old) - len(new))
        out += data[done:start] + stretch.replace(old, new) + b"\0" * saved
        done = end
    out += data[done:]
    return bytes(out)
