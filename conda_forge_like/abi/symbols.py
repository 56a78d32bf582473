"""Symbol versions and exported-symbol diffs (pure).

``above_floor([("memcpy", "GLIBC_2.14"), ("gettid", "GLIBC_2.30")], "2.17")`` ->
``[("gettid", "GLIBC_2.30")]``; ``diff_symbols({"libz.so.1": {"a", "b"}}, {"libz.so.1": {"a"}})``
-> one ``abi-break`` error for ``b``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .. import lazy
from .model import NO_OVERRIDES, Finding, finding

# The libstdc++ of the system a glibc floor stands for (CentOS 7 = gcc 4.8.5, RHEL 8 = gcc 8).
_CXX_FLOORS: dict[str, tuple[str, str]] = {
    "2.17": ("3.4.19", "1.3.7"),
    "2.28": ("3.4.25", "1.3.11"),
    "2.34": ("3.4.29", "1.3.13"),
}
_FAMILIES = ("GLIBC", "GLIBCXX", "CXXABI")
_VERSIONED = lazy.regex(r"^(GLIBCXX|CXXABI|GLIBC)_(\d+(?:\.\d+)*)$")


def version_tuple(text: str) -> tuple[int, ...]:
    """``"2.17"`` -> ``(2, 17)``; comparisons are numeric, never textual (2.9 < 2.17)."""
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def floors(glibc_floor: str) -> dict[str, tuple[int, ...]]:
    """The highest allowed version per family for a glibc floor."""
    known = [f for f in _CXX_FLOORS if version_tuple(f) <= version_tuple(glibc_floor)]
    cxx, abi = _CXX_FLOORS[max(known, key=version_tuple)] if known else _CXX_FLOORS["2.17"]
    return {
        "GLIBC": version_tuple(glibc_floor),
        "GLIBCXX": version_tuple(cxx),
        "CXXABI": version_tuple(abi),
    }


def above_floor(
    imports: Iterable[tuple[str, str]], glibc_floor: str, families: Iterable[str] = ("GLIBC",)
) -> list[tuple[str, str]]:
    """The (symbol, version) imports of ``families`` newer than the floor, sorted newest first."""
    limits = floors(glibc_floor)
    wanted = set(families)
    found = []
    for symbol, version in imports:
        match = _VERSIONED.match(version)
        if match and match[1] in wanted and version_tuple(match[2]) > limits[match[1]]:
            found.append((symbol, version))
    return sorted(found, key=_newest_first)


def _newest_first(import_: tuple[str, str]) -> tuple[int, tuple[int, ...]]:
    family, _, number = import_[1].partition("_")
    return (_FAMILIES.index(family), tuple(-n for n in version_tuple(number)))


def _stem(soname: str) -> str:
    """``libfoo.so.1`` -> ``libfoo``; ``libfoo.1.dylib`` -> ``libfoo``; ``foo.dll`` -> ``foo``."""
    return re.split(r"\.(?:so|dylib|dll)\b|\.\d", soname, maxsplit=1)[0]


def diff_symbols(
    old: Mapping[str, set[str]],
    new: Mapping[str, set[str]],
    severities: Mapping[str, str] = NO_OVERRIDES,
) -> list[Finding]:
    """Exported dynamic symbols (``name@VERSION``) per soname, old build vs new build.

    A symbol gone from a library whose soname stayed is an ``abi-break``; a library gone with no
    successor of the same stem is one too. A new soname (``libfoo.so.2`` after ``libfoo.so.1``)
    is a deliberate break and is only reported. Added symbols are ``abi-added``.
    """
    findings: list[Finding | None] = []
    new_stems = {_stem(s) for s in new}
    for soname in sorted(old):
        if soname in new:
            findings += _changed(soname, old[soname], new[soname], severities)
        elif _stem(soname) not in new_stems:
            findings.append(finding(
                severities, "abi-break", soname, f"library {soname} is no longer shipped",
                "keep shipping it, or move its users to a new package name",
            ))  # fmt: skip
    return [f for f in findings if f is not None]


def _changed(
    soname: str, old: set[str], new: set[str], severities: Mapping[str, str]
) -> list[Finding | None]:
    found: list[Finding | None] = []
    removed, added = sorted(old - new), sorted(new - old)
    if removed:
        found.append(finding(
            severities, "abi-break", soname,
            f"{len(removed)} exported symbol(s) removed without a SONAME change: "
            + ", ".join(removed[:10]) + (" ..." if len(removed) > 10 else ""),
            f"restore the symbols, or bump the SONAME (and the package's run_exports pin) "
            f"so that packages linked against {soname} are rebuilt",
        ))  # fmt: skip
    if added:
        found.append(finding(
            severities, "abi-added", soname,
            f"{len(added)} exported symbol(s) added: " + ", ".join(added[:10])
            + (" ..." if len(added) > 10 else ""),
            "packages that use them need this version or newer: consider a min_pin in run_exports",
        ))  # fmt: skip
    return found
