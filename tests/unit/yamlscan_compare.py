"""Compare the fast YAML loader with the PyYAML path (shared by test_yamlscan)."""

from __future__ import annotations

from typing import Any

from conda_forge_like import yamlio, yamlscan
from conda_forge_like.errors import RecipeError


def same(a: Any, b: Any, where: str = "$") -> str | None:
    """None when ``a`` and ``b`` are equal with types, classes, order and lines; else why not."""
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if list(a) != list(b) or [type(k) for k in a] != [type(k) for k in b]:
            return f"{where}: keys {list(a)!r} != {list(b)!r}"
        if a.line != b.line or a.key_lines != b.key_lines:
            return f"{where}: lines {a.line} {a.key_lines} != {b.line} {b.key_lines}"
        for key in a:
            why = same(a[key], b[key], f"{where}.{key}")
            if why:
                return why
        return None
    if isinstance(a, list):
        if len(a) != len(b) or a.line != b.line or a.item_lines != b.item_lines:
            return f"{where}: list {a.line} {a.item_lines} {a!r} != {b.line} {b.item_lines} {b!r}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            why = same(x, y, f"{where}[{i}]")
            if why:
                return why
        return None
    return None if a == b else f"{where}: {a!r} != {b!r}"


def fast(text: str, numbers: str) -> tuple[bool, Any]:
    """(True, result) from the fast loader, or (False, reason) when it falls back."""
    try:
        return True, yamlscan.load(text, numbers == "v1", yamlio.YDict, yamlio.YList)
    except yamlscan.Unsupported as exc:
        return False, str(exc)


def slow(text: str, numbers: str) -> tuple[bool, Any]:
    """(True, result) from PyYAML, or (False, error) when it raises."""
    try:
        return True, yamlio._load_pyyaml(text, "t.yaml", 0, numbers)
    except (RecipeError, RecursionError, TypeError, UnicodeError) as exc:
        return False, str(exc)


def check(text: str, numbers: str) -> tuple[bool, str | None]:
    """(native, problem): problem is None when the fast path fell back or agrees with PyYAML."""
    ok, result = fast(text, numbers)
    good, expected = slow(text, numbers)
    if not ok:
        return False, None
    if not good:
        return True, f"PyYAML raised ({expected}) but the fast loader returned {result!r}"
    return True, same(result, expected)
