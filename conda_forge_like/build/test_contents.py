"""``package_contents`` tests (rattler-build): which of a package's paths must (not) exist.

Pure. ``problems({"lib": {"exists": ["z"]}}, ["lib/libz.so.1"], "linux-64")`` -> ``[]``;
on osx the same entry wants ``lib/libz.dylib`` or ``lib/libz.1.dylib``; on win it wants both
``Library/bin/z.dll`` and ``Library/lib/z.lib``. Checked against the package's own file list,
as rattler-build does, not the test environment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..globs import matches

SECTIONS = ("include", "bin", "lib", "site_packages", "files")
_WIN_BIN_SUFFIXES = ("", ".exe", ".bat", ".cmd", ".com", ".ps1")
_WIN_BIN_DIRS = (
    "Library/bin/",
    "Scripts/",
    "bin/",
    "Library/mingw-w64/bin/",
    "Library/usr/bin/",
    "",
)


def normalize(contents: Mapping[str, Any]) -> dict[str, Any]:
    """``{"lib": ["z"]}`` or ``{"lib": {"exists": [...], "not_exists": [...]}}`` ->
    ``{"lib": {"exists": ["z"], "not_exists": []}, "strict": False}``."""
    out: dict[str, Any] = {"strict": bool(contents.get("strict", False))}
    for section in SECTIONS:
        value = contents.get(section)
        if value is None:
            continue
        if isinstance(value, Mapping):
            exists, absent = value.get("exists"), value.get("not_exists")
        else:
            exists, absent = value, None
        out[section] = {"exists": _strings(exists), "not_exists": _strings(absent)}
    return out


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if item not in (None, "")]


def expand(section: str, name: str, subdir: str) -> list[list[str]]:
    """The glob groups one entry stands for: each group must match some path."""
    win, osx = subdir.startswith("win"), subdir.startswith("osx")
    if section == "include":
        return [[f"Library/include/{name}" if win else f"include/{name}"]]
    if section == "bin":
        if win:
            return [[f"{d}{name}{s}" for d in _WIN_BIN_DIRS for s in _WIN_BIN_SUFFIXES]]
        return [[f"bin/{name}"]]
    if section == "lib":
        return _lib(name, win, osx)
    if section == "site_packages":
        return [_site_packages(name, win)]
    return [[name]]


def _lib(name: str, win: bool, osx: bool) -> list[list[str]]:
    if win:
        if name.endswith(".dll"):
            return [[f"Library/bin/{name}"]]
        if name.endswith(".lib"):
            return [[f"Library/lib/{name}"]]
        return [[f"Library/bin/{name}.dll"], [f"Library/lib/{name}.lib"]]
    if osx:
        if name.endswith((".dylib", ".a")):
            return [[f"lib/{name}"]]
        return [[f"lib/{p}{name}{s}" for p in ("", "lib") for s in (".dylib", ".*.dylib")]]
    if name.endswith((".so", ".a")) or ".so." in name:
        return [[f"lib/{name}"]]
    return [[f"lib/{p}{name}{s}" for p in ("", "lib") for s in (".so", ".so.*")]]


def _site_packages(name: str, win: bool) -> list[str]:
    base = "Lib/site-packages" if win else "lib/python*/site-packages"
    if "/" in name:
        return [f"{base}/{name}"]
    module = name.replace(".", "/")
    return [f"{base}/{module}.py", f"{base}/{module}/__init__.py"]


def problems(contents: Mapping[str, Any], paths: Sequence[str], subdir: str) -> list[str]:
    """Every unmet ``package_contents`` entry (and, when strict, every unmatched path)."""
    spec = normalize(contents)
    found: list[str] = []
    matched: set[str] = set()
    for section in SECTIONS:
        entries = spec.get(section) or {"exists": [], "not_exists": []}
        for name in entries["exists"]:
            for group in expand(section, name, subdir):
                hits = [p for p in paths if any(matches(p, g) for g in group)]
                matched.update(hits)
                if not hits:
                    found.append(f"{section}: no match for {name}")
        for name in entries["not_exists"]:
            for group in expand(section, name, subdir):
                hits = [p for p in paths if any(matches(p, g) for g in group)]
                if hits:
                    found.append(f"{section}: {name} should not exist but {hits[0]} does")
    if spec["strict"]:
        unmatched = sorted(set(paths) - matched)
        if unmatched:
            shown = ", ".join(unmatched[:5]) + (" ..." if len(unmatched) > 5 else "")
            found.append(f"strict: {len(unmatched)} path(s) no entry names: {shown}")
    return found
