"""Recipe stage: find and read a recipe (meta.yaml or recipe.yaml) into a ``RawRecipe``.

``load("recipes/mylib")`` -> ``RawRecipe(format="v1", tree=..., variant_files=(...))``.
``parse(text, "recipe.yaml")`` does the same without touching the disk (tests use it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from .. import lazy, yamlio
from ..errors import Location, RecipeError, UsageError
from .model import RawRecipe, RecipeFormat

RECIPE_NAMES = ("recipe.yaml", "meta.yaml")
VARIANT_NAMES = ("conda_build_config.yaml", "variants.yaml")
SCRIPT_NAMES = ("build.sh", "bld.bat")
# `script: build_lib.sh` (conda-build's per-output script): a file in the recipe folder.
SCRIPT_FILE_RE = lazy.regex(r"^[^\s'\"]+\.(?:sh|bat|py)$")
_SCRIPT_KEY_RE = lazy.regex(r"^\s*(?:-\s+)?script:\s*['\"]?([^\s'\"#]+)", re.M)

__all__ = ["RawRecipe", "detect_format", "load", "parse"]


def detect_format(filename: str, text: str) -> RecipeFormat:
    base = os.path.basename(filename)
    if base == "meta.yaml":
        return "v0"
    if base == "recipe.yaml" or "${{" in text or "schema_version" in text:
        return "v1"
    return "v0"


def parse(
    text: str,
    filename: str,
    *,
    recipe_dir: str = ".",
    scripts: Mapping[str, str] | None = None,
    variant_files: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> RawRecipe:
    """Build a ``RawRecipe`` from text; v1 recipes are parsed to YAML here, once."""
    fmt = detect_format(filename, text)
    tree = None
    if fmt == "v1":
        tree = yamlio.load(text, filename, numbers="v1")
        if not isinstance(tree, dict):
            raise RecipeError(
                "a recipe.yaml must be a mapping",
                Location(filename, 1),
                hint="start with `package:` or `context:`",
            )
    return RawRecipe(
        path=filename,
        format=fmt,
        text=text,
        recipe_dir=recipe_dir,
        tree=tree,
        scripts=tuple(sorted((scripts or {}).items())),
        variant_files=tuple(sorted((variant_files or {}).items())),
        environ=tuple(sorted((environ or {}).items())),
    )


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except UnicodeDecodeError as exc:
        raise RecipeError(f"{path} is not UTF-8 text", Location(path)) from exc
    except OSError as exc:
        raise UsageError(
            f"cannot read {path}: {exc.strerror}", Location(path), hint="check the permissions"
        ) from exc


def find(path: str) -> str:
    """A recipe file from a file or folder path."""
    if os.path.isdir(path):
        for name in RECIPE_NAMES:
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        raise UsageError(
            f"no recipe.yaml or meta.yaml in {path}",
            Location(path),
            hint="pass the recipe file or the folder that holds it",
        )
    if not os.path.exists(path):
        raise UsageError(
            f"recipe {path} does not exist",
            Location(path),
            hint="pass a recipe folder (holding recipe.yaml or meta.yaml) or the recipe file",
        )
    return path


def named_script_files(text: str) -> set[str]:
    """The script files a recipe's ``script:`` keys name (``build_lib.sh``), read with it so
    rendering can check them and find the variant keys they use without touching the disk."""
    names = (m.group(1) for m in _SCRIPT_KEY_RE.finditer(text))
    return {n for n in names if SCRIPT_FILE_RE.match(n) and not os.path.isabs(n)}


def load(path: str, environ: Mapping[str, str] | None = None) -> RawRecipe:
    """Read a recipe and the files beside it that rendering needs."""
    recipe_file = find(path)
    recipe_dir = os.path.dirname(os.path.abspath(recipe_file))
    text = _read(recipe_file)
    script_names = {*SCRIPT_NAMES, *named_script_files(text)}
    beside = {
        name: os.path.join(recipe_dir, name)
        for name in (*script_names, *VARIANT_NAMES)
        if os.path.isfile(os.path.join(recipe_dir, name))
    }
    return parse(
        text,
        recipe_file,
        recipe_dir=recipe_dir,
        scripts={n: _read(p) for n, p in beside.items() if n in script_names},
        variant_files={p: _read(p) for n, p in beside.items() if n in VARIANT_NAMES},
        environ=environ,
    )
