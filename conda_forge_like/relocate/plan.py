"""Relocation planning (pure): which search path a binary should carry, which load commands a
Mach-O file should hold, where symlinks may point, and how a conda client rewrites a
placeholder inside a binary file.

``plan_rpaths(["/p/lib", "/usr/local/lib"], "bin/tool", "/p")`` -> new ``("$ORIGIN/../lib",)``
with ``/usr/local/lib`` listed in ``removed``;
``plan_macho(MachoLinks("/p/lib/libx.dylib", (), ()), "lib/libx.dylib", "/p")`` -> new install
name ``@rpath/libx.dylib``; ``plan_symlinks({"lib/a.so": "/p/lib/b.so"}, "/p")`` -> ``b.so``;
``replace_binary(b"/p/share\\0", b"/p", b"/q")`` -> ``b"/q/share\\0"``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence

from .model import MachoLinks, MachoPlan, RelocationError, RemovedRpath, RpathPlan, SymlinkFix

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
    if _inside(target, root):
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


def plan_macho(links: MachoLinks, binary_relpath: str, prefix: str) -> MachoPlan:
    """Make a Mach-O file name itself and its prefix libraries ``@rpath/<basename>``.

    ``LC_RPATH`` entries are planned like ELF ones with ``@loader_path``; a file that loads
    ``@rpath/`` libraries but keeps no search path gets ``@loader_path/<to lib>`` so it still
    finds them. Libraries outside the prefix (``/usr/lib/libSystem.B.dylib``) stay as they are.
    """
    binary = posixpath.normpath(binary_relpath)
    root = posixpath.normpath(prefix)
    install_name = links.install_name
    if install_name is not None:
        install_name = _rpath_name(install_name, root)
    dylibs = tuple(_rpath_name(dylib, root) for dylib in links.dylibs)
    rpaths = plan_rpaths(links.rpaths, binary, root, origin="@loader_path")
    new_rpaths = rpaths.new
    if not new_rpaths and any(d.startswith("@rpath/") for d in dylibs):
        here = posixpath.join(root, posixpath.dirname(binary))
        new_rpaths = (_join("@loader_path", posixpath.relpath(f"{root}/lib", here)),)
    new = MachoLinks(install_name, dylibs, new_rpaths, links.signed)
    return MachoPlan(binary, links, new, rpaths.removed)


def _rpath_name(name: str, root: str) -> str:
    """``@rpath/libx.dylib`` for ``<root>/lib/libx.dylib``; any other name unchanged."""
    if name.startswith("/") and _inside(posixpath.normpath(name), root):
        return "@rpath/" + posixpath.basename(name)
    return name


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def plan_symlinks(links: Mapping[str, str], prefix: str) -> list[SymlinkFix]:
    """Absolute links into ``prefix`` made relative; every link that would leave it is an error.

    ``links`` maps each symlink (relative to the prefix root) to its target as stored. A
    relative link stays if it resolves, lexically as a client sees it, inside the prefix.
    Raises one ``RelocationError`` naming every offending link.
    """
    root = posixpath.normpath(prefix)
    fixes: list[SymlinkFix] = []
    problems: list[str] = []
    for link, target in sorted(links.items()):
        here = posixpath.dirname(posixpath.normpath(link))
        if target.startswith("/"):
            if _inside(posixpath.normpath(target), root):
                new = posixpath.relpath(posixpath.normpath(target), posixpath.join(root, here))
                fixes.append(SymlinkFix(link, target, new))
            else:
                problems.append(f"{link} -> {target}: an absolute path outside the prefix")
        elif _escapes(posixpath.join(here, target)):
            problems.append(f"{link} -> {target}: leaves the prefix")
    if problems:
        raise RelocationError(
            "symlinks that would dangle once the package is installed elsewhere:"
            + "".join(f"\n  {p}" for p in problems),
            hint="point each link at a file inside the package with a relative target "
            "(ln -s ../lib/libx.so), copy the file into $PREFIX, or leave the link out",
        )
    return fixes


def _escapes(relpath: str) -> bool:
    normal = posixpath.normpath(relpath)
    return normal == ".." or normal.startswith("../")


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
