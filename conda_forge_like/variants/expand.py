"""Expand a variant config into the matrix of combinations over the keys a recipe uses.

Pure. ``expand(config, used={"zlib", "python"})`` -> ``[{"zlib": "1.2", "python": "3.11"}, ...]``:
only used keys multiply the matrix; a zip group counts as one axis (its partners come along);
every other key collapses to its first value.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection
from typing import Any

from ..errors import Location, VariantError
from . import MAX_VARIANTS
from .config import VariantConfig, validate

__all__ = ["MAX_VARIANTS", "axes", "check_size", "expand"]


def axes(config: VariantConfig, used: Collection[str]) -> list[list[dict[str, Any]]]:
    """One axis per zip group or lone key that is used; each axis lists partial variants."""
    result: list[list[dict[str, Any]]] = []
    seen: set[str] = set()
    for key in sorted(k for k in used if k in config.values):
        if key in seen:
            continue
        group = config.zip_group(key)
        keys = [k for k in group if k in config.values] if group else [key]
        seen.update(keys)
        length = len(config.values[keys[0]])
        result.append([{k: config.values[k][i] for k in keys} for i in range(length)])
    return result


def expand(config: VariantConfig, used: Collection[str]) -> list[dict[str, Any]]:
    """The cartesian product of the used axes (zip groups move together)."""
    validate(config)
    combos = []
    for parts in itertools.product(*axes(config, used)):
        variant: dict[str, Any] = {}
        for part in parts:
            variant.update(part)
        combos.append(variant)
    return combos


def check_size(
    config: VariantConfig, used: Collection[str], limit: int, where: Location | None = None
) -> None:
    """Refuse a matrix of more than ``limit`` combinations, naming each axis and its size."""
    sizes = {
        "+".join(sorted(part)): len(axis)
        for axis in axes(config, used)
        if axis
        for part in [axis[0]]
    }
    total = math.prod(sizes.values())
    if total <= limit:
        return
    detail = " x ".join(f"{key} ({count})" for key, count in sizes.items())
    raise VariantError(
        f"the variant matrix has {total} combinations, more than the limit of {limit}: {detail}",
        where,
        hint="use fewer values for these keys, zip keys that go together (zip_keys), or "
        f"raise the limit with --max-variants {total}",
    )
