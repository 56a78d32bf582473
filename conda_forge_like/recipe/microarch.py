"""``build: microarch:``: how a recipe ships code for several x86-64 CPU levels in one package.

Pure. The one mode is ``hwcaps``: the package holds the baseline build plus the shared
libraries of level-3 and level-4 builds in ``lib/glibc-hwcaps/x86-64-v3/`` and ``.../v4/``,
where glibc's loader (2.33 and later) picks the best copy at run time.

    >>> check_tree({"build": {"microarch": "hwcap"}}, "recipe.yaml")[0].message
    "build: microarch: unknown value 'hwcap'"
    >>> hwcaps_levels("linux-64"), hwcaps_levels("linux-aarch64")
    ((3, 4), ())
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .. import lazy
from ..errors import CflError, Location, RecipeError
from ..yamlio import line_of

MODES = ("hwcaps",)
HWCAPS_LEVELS = (3, 4)
# glibc-hwcaps subdirectories exist for glibc targets; x86-64-vN names only x86-64 ones.
HWCAPS_SUBDIRS = ("linux-64",)
_HINT = "the only value is `hwcaps` (level 3 and 4 copies of the shared libraries)"
_MICROARCH_LINE = lazy.regex(r"^\s*microarch\s*:", re.MULTILINE)


def check_tree(tree: Any, filename: str) -> list[CflError]:
    """An error for every ``build: microarch:`` value that is not a known mode (literal values
    only: a ``${{ }}`` template is checked once rendered, by ``mode``)."""
    errors: list[CflError] = []
    for build in _builds(tree):
        value = build.get("microarch")
        if value is None or (isinstance(value, str) and "${{" in value):
            continue
        if value not in MODES:
            where = Location(filename, line_of(build, "microarch"))
            errors.append(_unknown(value, where))
    return errors


def _builds(tree: Any) -> list[Mapping[str, Any]]:
    """The top-level ``build:`` section and every output's."""
    if not isinstance(tree, Mapping):
        return []
    outputs = tree.get("outputs")
    sections = [tree, *(outputs if isinstance(outputs, list) else [])]
    builds = [s.get("build") for s in sections if isinstance(s, Mapping)]
    return [b for b in builds if isinstance(b, Mapping)]


def _unknown(value: Any, where: Location) -> RecipeError:
    return RecipeError(f"build: microarch: unknown value {value!r}", where, hint=_HINT)


def mode(build: Any, recipe_path: str, recipe_text: str = "") -> str | None:
    """The rendered ``build:`` section's microarch mode (``"hwcaps"``) or None; an unknown
    value is a ``RecipeError`` at the recipe's ``microarch:`` line."""
    value = build.get("microarch") if isinstance(build, Mapping) else None
    if value is None:
        return None
    if value not in MODES:
        raise _unknown(value, Location(recipe_path, microarch_line(recipe_text)))
    return str(value)


def microarch_line(text: str) -> int | None:
    """The line of the first ``microarch:`` key in a recipe's text."""
    match = _MICROARCH_LINE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def hwcaps_levels(subdir: str) -> tuple[int, ...]:
    """The levels built in addition to the baseline for an hwcaps package on ``subdir``."""
    return HWCAPS_LEVELS if subdir in HWCAPS_SUBDIRS else ()


def check_no_level_key(
    variants: Sequence[tuple[Any, Mapping[str, Any]]], recipe_path: str, recipe_text: str
) -> None:
    """An hwcaps output must not also use ``microarch_level``: the package is built for every
    level already, and one hwcaps package per level would be the same package N times."""
    for build, variant in variants:
        if "microarch_level" in variant and mode(build, recipe_path, recipe_text) == "hwcaps":
            raise RecipeError(
                "build: microarch: hwcaps builds levels 3 and 4 itself: the recipe must not "
                "also use the microarch_level variant key",
                Location(recipe_path, microarch_line(recipe_text)),
                hint="remove microarch_level from the recipe's templates, selectors and "
                "scripts (or drop `microarch: hwcaps` and build one package per level)",
            )
