"""What the recipe stage produces: ``RawRecipe``, the recipe before any variant is applied."""

from __future__ import annotations

from typing import Any, Literal

from ..records import dataclass, field

RecipeFormat = Literal["v0", "v1"]


@dataclass(frozen=True)
class RawRecipe:
    """A recipe as written: text, format and the files beside it that rendering reads.

    ``tree`` is the parsed YAML for v1 (parsed once, evaluated per variant); v0 recipes are
    Jinja over text, so they keep only ``text``. ``scripts`` maps script file names in the
    recipe folder (``build.sh``) to their text, for ``$key`` used-variable detection.
    ``variant_files`` are the recipe-local variant files (path, text).
    """

    path: str
    format: RecipeFormat
    text: str
    recipe_dir: str = "."
    tree: Any = None
    scripts: tuple[tuple[str, str], ...] = ()
    variant_files: tuple[tuple[str, str], ...] = ()
    environ: tuple[tuple[str, str], ...] = field(default=(), repr=False)
