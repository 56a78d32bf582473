"""Checks on what a package's file name is made of: name, version and build string.

Pure. ``check("zlib", "1.3.1", "h1234567_0", lines, where)`` -> ``[]``; ``"../x"`` as a name,
``1.0-1`` as a version or ``x/../../victim`` as a build string each give a ``RecipeError`` at the
line of their key. Rendering runs these before any later stage makes a path from them.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import lazy
from ..errors import Location, RecipeError

# conda's rules: names are lowercase letters, digits and `_ . -`, not starting with `.` or `-`;
# versions are dot-separated lowercase alphanumeric parts (`_` allowed), an optional `N!` epoch
# and `+local` tail; build strings are letters, digits and `_ . +`.
_NAME_RE = lazy.regex(r"^[a-z0-9_][a-z0-9_.\-]*$")
_PART = r"[0-9a-z_]+(?:\.[0-9a-z_]+)*"
_VERSION_RE = lazy.regex(rf"^(?:[0-9]+!)?{_PART}(?:\+{_PART})?$")
_STRING_RE = lazy.regex(r"^[A-Za-z0-9_.+]+$")
_MAX_LENGTH = 200


def _where(lines: Mapping[str, int | None], key: str, where: Location) -> Location:
    line = lines.get(key)
    return Location(where.file, line) if line else where


def check_name(name: str, lines: Mapping[str, int | None], where: Location) -> list[RecipeError]:
    if _NAME_RE.match(name) and len(name) <= _MAX_LENGTH:
        return []
    hint = "use lowercase letters, digits and `_ . -` (not first): e.g. `libfoo-dev`"
    if name.lower() != name and _NAME_RE.match(name.lower()):
        hint = f"package names are lowercase: write {name.lower()!r}"
    return [RecipeError(f"invalid package name {name!r}", _where(lines, "name", where), hint)]


def check_version(
    name: str, version: str, lines: Mapping[str, int | None], where: Location
) -> list[RecipeError]:
    if _VERSION_RE.match(version) and len(version) <= _MAX_LENGTH:
        return []
    if "-" in version:
        hint = (
            f"conda versions have no `-`: write {version.replace('-', '_')!r} or move the "
            "rebuild count to build/number"
        )
    elif version.lower() != version and _VERSION_RE.match(version.lower()):
        hint = f"conda compares versions case-insensitively: write {version.lower()!r}"
    else:
        hint = "use dot-separated letters and digits such as `1.2.3`, `1.0rc1` or `2!1.0+local`"
    return [
        RecipeError(
            f"invalid version {version!r} of {name!r}", _where(lines, "version", where), hint
        )
    ]


def check_build_string(
    name: str, string: str, lines: Mapping[str, int | None], where: Location
) -> list[RecipeError]:
    if _STRING_RE.match(string) and ".." not in string and len(string) <= _MAX_LENGTH:
        return []
    return [
        RecipeError(
            f"invalid build string {string!r} of {name!r}",
            _where(lines, "string", where),
            hint="use letters, digits and `_ . +` (no `/`, `-`, `..` or spaces), e.g. "
            "`py312h1234567_0`; or leave build/string out for the computed one",
        )
    ]
