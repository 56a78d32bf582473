"""meta.yaml (conda-build, v0) text rules: line selectors and used-variable detection.

Pure. ``apply_selectors("  - zlib  # [win]\\n", {"win": False}, "meta.yaml")`` -> ``"\\n"``:
a dropped line becomes an empty line so every later error still points at the right line.
Used variables follow conda-build's text rules: ``{{ key }}``, ``{% if key %}``, a selector
naming the key, a bare requirement line ``- key``, ``compiler('c')`` for ``c_compiler*``, and
``$key`` / ``${key}`` in build scripts.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from ..errors import CflError, Location, RecipeError
from . import selectors


def apply_selectors(
    text: str, namespace: Mapping[str, Any], filename: str
) -> tuple[str, list[CflError]]:
    """Blank every line whose selector is false; collect bad selectors instead of stopping."""
    if "[" not in text:
        return text, []
    errors: list[CflError] = []
    out = []
    for number, line in enumerate(text.split("\n"), start=1):
        body, expr = selectors.split_line(line)
        if expr is None:
            out.append(line)
            continue
        try:
            out.append(body if selectors.evaluate(expr, namespace) else "")
        except selectors.SelectorSyntaxError as exc:
            errors.append(
                RecipeError(
                    str(exc),
                    Location(filename, number),
                    hint="selectors are Python expressions such as [linux and x86_64] or [py>=312]",
                )
            )
            out.append("")
    return "\n".join(out), errors


@lru_cache(maxsize=1024)
def selector_names(text: str) -> frozenset[str]:
    """Names every (valid) selector in the text refers to."""
    names: set[str] = set()
    for line in text.split("\n"):
        _, expr = selectors.split_line(line)
        if expr is None:
            continue
        try:
            names |= selectors.compile_selector(expr).names
        except selectors.SelectorSyntaxError:
            continue  # reported by apply_selectors with its line
    return frozenset(names)


@lru_cache(maxsize=4096)
def _key_regex(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    req = "[-_]".join(map(re.escape, key.split("_")))
    patterns = [
        r"\{\{\s*(?:pin_[a-z]+\(\s*?['\"])?" + k + r"[^'\"]*?\}\}",  # {{ key }} / pins
        r"^\s+-\s+" + req + r"\s*(?:\s[\[#]|$)",  # bare requirement line
        r"^[^#\[]*?#?\s\[[^\]]*?(?<![_\w\d])" + k + r"[=\s<>!\]]",  # selector
        r"(?:^|[^{])\{%-?\s*(?:el)?if\s*.*" + k + r"\s*(?:[^%]*?)?-?%\}",  # {% if key %}
        r"\{\{[^}]*\b" + k + r"\b[^}]*\}\}",  # key inside any expression
    ]
    match = re.match(r"(.*?)_compiler(_version)?$", key) or re.match(
        r"(.*?)_stdlib(_version)?$", key
    )
    if match:
        func = "compiler" if "_compiler" in key else "stdlib"
        patterns.append(r"\{\s*" + func + r"\(['\"]" + re.escape(match.group(1)) + r"['\"]")
    return re.compile("|".join(patterns), re.MULTILINE)


def used_variables(text: str, keys: Collection[str]) -> set[str]:
    """Variant keys the recipe text uses (conda-build's textual rules)."""
    used = set()
    for key in keys:
        lang = key.split("_compiler")[0].split("_stdlib")[0]
        if (
            key not in text
            and key.replace("_", "-") not in text
            and f"('{lang}')" not in text
            and f'("{lang}")' not in text
        ):
            continue
        if _key_regex(key).search(text):
            used.add(key)
    return used


def used_in_script(script: str, keys: Collection[str]) -> set[str]:
    """``$key`` and ``${key}`` in a build script (shell) or ``%key%`` (cmd)."""
    used = set()
    for key in keys:
        if key in script and re.search(
            r"\$\{?" + re.escape(key) + r"\b|%" + re.escape(key) + "%", script
        ):
            used.add(key)
    return used
