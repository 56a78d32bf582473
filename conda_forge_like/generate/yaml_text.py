"""A small block-style YAML writer for generated recipes (pure): keys in the order given.

``dump({"package": {"name": "${{ name }}", "version": "1.0"}})`` ->
``'package:\\n  name: ${{ name }}\\n  version: "1.0"\\n'``. A string is written plain when
YAML reads it back as the same string (``${{ name }}`` stays readable, as rattler-build
recipes write it), otherwise double-quoted; top-level sections are separated by a blank line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from .. import lazy

# What a plain scalar may not start with, or contain, in block context.
_INDICATORS = tuple("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_SAFE = lazy.regex(r"^[^\n\t]*$")


def dump(tree: Mapping[str, Any]) -> str:
    """The YAML text of a tree of mappings, lists, strings, ints and bools."""
    sections = ["\n".join(_mapping(key, value, 0)) for key, value in tree.items()]
    return "\n\n".join(sections) + "\n"


def _mapping(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, Mapping):
        lines = [f"{pad}{key}:"]
        for k, v in value.items():
            lines.extend(_mapping(str(k), v, indent + 2))
        return lines
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return [f"{pad}{key}: []"]
        return [f"{pad}{key}:", *_items(value, indent + 2)]
    return [f"{pad}{key}: {scalar(value)}"]


def _items(items: Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            nested = [line for k, v in item.items() for line in _mapping(str(k), v, indent + 2)]
            lines.append(f"{pad}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
        else:
            lines.append(f"{pad}- {scalar(item)}")
    return lines


def scalar(value: Any) -> str:
    """One scalar: ints and bools as YAML writes them, strings plain when that reads back."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if _plain_ok(text) else json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or not _PLAIN_SAFE.match(text):
        return False
    if text[0].isdigit():  # versions are quoted, as recipes write them ("1.10" is no float)
        return False
    if text.startswith(_INDICATORS) or ": " in text or " #" in text or text.endswith(":"):
        return False
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False
