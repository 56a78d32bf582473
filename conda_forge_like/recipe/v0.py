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

from .. import lazy
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


_COMPILER_KEY_RE = lazy.regex(r"(.*?)_(compiler|stdlib)(_version)?$")
# conda-build's output sections: `outputs:` up to the next top-level test/extra/about, and in it
# each `- name:` (or `- type:`) item up to the next one or the next top-level key.
_OUTPUTS_RE = lazy.regex(r"(^outputs:.*?)(?=^test:|^extra:|^about:|\Z)", re.M | re.S)
_OUTPUT_RE = lazy.regex(r"^ +- +(?:name|type):.+?(?=^\w|\Z|^ +- +(?:name|type))", re.M | re.S)


@lru_cache(maxsize=4096)
def _key_regex(key: str, selectors_only: bool) -> re.Pattern[str]:
    """conda-build's ``find_used_variables_in_text`` patterns for one key, matched per line."""
    k = re.escape(key)
    if selectors_only:
        return re.compile(r"^[^#\[]*?#?\s\[[^\]]*?(?<![_\w\d])" + k + r"[=\s<>!\]]")
    req = "[-_]".join(map(re.escape, key.split("_")))
    patterns = [
        r"\{\s*(?:pin_[a-z]+\(\s*?['\"])?" + k + r"[^'\"]*?\}\}",  # {{ key }} / pins
        r"^\s+-\s+" + req + r"\s*(?:\s[\[#]|$)",  # bare requirement line
        r"(?:^|[^{])\{%\s*(?:el)?if\s*.*" + k + r"\s*(?:[^%]*?)?%\}",  # {% if key %}
    ]
    match = _COMPILER_KEY_RE.match(key)
    if match:  # compiler('c') uses c_compiler and c_compiler_version (stdlib alike)
        lang, func = re.escape(match.group(1)), match.group(2)
        patterns.insert(0, r"\{\s*" + func + r"\(['\"]" + lang + r"[\"'][^{]*?\}")
    return re.compile("|".join(patterns))


def _lines_for(key: str, lines: list[str], selectors_only: bool) -> list[str]:
    match = _COMPILER_KEY_RE.match(key)
    if match and not selectors_only:
        return [line for line in lines if key in line or match.group(1) in line]
    return [line for line in lines if key in line.replace("-", "_")]


@lru_cache(maxsize=1024)
def _find(keys: frozenset[str], text: str, selectors_only: bool) -> frozenset[str]:
    lines = text.splitlines()
    used = set()
    for key in keys:
        candidates = _lines_for(key, lines, selectors_only)
        if candidates and any(_key_regex(key, selectors_only).search(c) for c in candidates):
            used.add(key)
    if used & {"c_compiler", "cxx_compiler"} and "CONDA_BUILD_SYSROOT" in keys:
        used.add("CONDA_BUILD_SYSROOT")
    return frozenset(used)


def used_variables(text: str, keys: Collection[str], selected: str | None = None) -> set[str]:
    """Variant keys the recipe text uses, by conda-build's two passes.

    Selectors are looked for in ``text`` as written; every other rule (``{{ key }}``,
    ``{% if key %}``, a bare requirement line, ``compiler('c')``) only in ``selected``, the
    text with line selectors applied, so ``- zlib  # [win]`` does not use ``zlib`` on Linux.
    Without ``selected`` both passes read ``text``: the candidates over every platform.
    """
    frozen = frozenset(keys)
    in_selected = text if selected is None else selected
    return set(_find(frozen, text, True) | _find(frozen, in_selected, False))


def output_text(text: str, index: int | None, top_level: bool) -> str:
    """The part of a meta.yaml one output's used variables are read from (conda-build's rule).

    An output named like the package reads the whole recipe minus the ``outputs:`` section plus
    its own item; any other output (``index`` into ``outputs:``) reads only its own item.
    """
    match = _OUTPUTS_RE.search(text)
    outputs = match.group(1) if match else ""
    items = _OUTPUT_RE.findall(outputs)
    own = items[index] if index is not None and index < len(items) else ""
    if top_level:
        return text.replace(outputs.strip(), "") + own
    return own


def used_in_script(script: str, keys: Collection[str], kind: str | None = None) -> set[str]:
    """Keys a build script mentions, by conda-build's patterns.

    ``kind="sh"``: ``$key`` / ``${key}`` followed by a space, ``|`` or ``}`` and the first ``$`` on
    its line (conda-build's exact regex, quirks included, so hashes agree); ``kind="bat"``:
    ``%key%``. ``None`` applies both (a superset, for candidate keys).
    """
    used = set()
    for key in keys:
        if key not in script:
            continue
        k = re.escape(key)
        shell = kind in (None, "sh") and re.search(
            r"(^[^$]*?\$\{?\s*" + k + r"\s*[\s|\}])", script, re.M | re.S
        )
        batch = kind in (None, "bat") and re.search("%" + k + "%", script)
        if shell or batch:
            used.add(key)
    return used
