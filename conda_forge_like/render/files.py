"""The two Jinja helpers that read files: ``load_file_regex`` and ``load_file_data``.

They are the only I/O in rendering, kept here so the rest of the stage stays pure; paths are
relative to the recipe folder (conda-build resolves them against the source folder, which at
render time usually is the recipe folder for local sources).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from typing import Any

from ..errors import RecipeError


def _inside(recipe_dir: str, name: str) -> str:
    """The file ``name`` names in the recipe folder; a recipe may not read files elsewhere
    (``/etc/passwd``, ``../../secret``) into its metadata."""
    root = os.path.realpath(recipe_dir)
    path = os.path.realpath(os.path.join(root, name))
    if os.path.isabs(name) or os.path.commonpath([root, path]) != root:
        raise RecipeError(
            f"cannot read {name}: it is outside the recipe folder {recipe_dir}",
            hint="load_file_regex / load_file_data read files in the recipe folder only; "
            "give a path relative to it",
        )
    return path


def _read(recipe_dir: str, name: str) -> str:
    path = _inside(recipe_dir, str(name))
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise RecipeError(
            f"cannot read {path}: {exc.strerror}",
            hint="the path is relative to the recipe folder",
        ) from exc


def make_helpers(recipe_dir: str) -> dict[str, Any]:
    def load_file_regex(load_file: str, regex_pattern: str, **_: Any) -> re.Match[str] | None:
        return re.search(regex_pattern, _read(recipe_dir, load_file))

    def load_file_data(*names: str, **_: Any) -> Any:
        name = names[0] if names else "pyproject.toml"
        text = _read(recipe_dir, name)
        if name.endswith(".toml"):
            return tomllib.loads(text)
        if name.endswith(".json"):
            return json.loads(text)
        import yaml  # slow to import, and only this helper's YAML files need it

        return yaml.safe_load(text)

    return {"load_file_regex": load_file_regex, "load_file_data": load_file_data}
