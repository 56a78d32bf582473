"""The license files of a package, for ``info/licenses/`` (conda-forge requires them).

``collect(about, "v0", src, recipe_dir, "recipe/meta.yaml")`` -> ``{"LICENSE": b"...",
"docs/COPYING": b"..."}``. As in conda-build and rattler-build, each ``about: license_file``
entry is looked up in the build's source tree first, then in the recipe folder, and keeps its
relative path below ``info/licenses/``; a folder is taken whole; recipe.yaml entries are globs
(rattler-build). An entry that matches nothing, or that points outside both folders, is an
error at its recipe line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import CflError, Location, RecipeError, raise_collected
from ..yamlio import line_of

_GLOB_CHARS = frozenset("*?[")


def entries(about: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    """The ``license_file`` entries with their recipe lines (empty strings are ignored, as
    conda-build ignores them)."""
    value = about.get("license_file")
    if value is None:
        return []
    if isinstance(value, list):
        return [(str(item), line_of(value, i)) for i, item in enumerate(value) if item]
    return [(str(value), line_of(about, "license_file"))] if value else []


def collect(
    about: Mapping[str, Any],
    recipe_format: str,
    src_dir: Path | None,
    recipe_dir: Path,
    recipe_path: str,
) -> dict[str, bytes]:
    """Every license file by its path below ``info/licenses/``; all problems raised at once."""
    labelled = ((src_dir, "the source tree"), (recipe_dir, "the recipe folder"))
    roots = [(root, label) for root, label in labelled if root is not None]
    found: dict[str, bytes] = {}
    errors: list[CflError] = []
    for name, line in entries(about):
        where = Location(recipe_path, line)
        glob = recipe_format == "v1" and bool(_GLOB_CHARS & set(name))
        try:
            files = _matches(name, roots, glob, where)
        except CflError as exc:
            errors.append(exc)
            continue
        found.update(files)
    raise_collected(errors)
    return found


def _matches(
    name: str, roots: list[tuple[Path, str]], glob: bool, where: Location
) -> dict[str, bytes]:
    clean = name.rstrip("/")
    if Path(clean).is_absolute() or ".." in Path(clean).parts:
        raise RecipeError(
            f"about/license_file {name!r} points outside the source tree and the recipe folder",
            where,
            hint="name the file relative to the source tree or the recipe folder",
        )
    for root, _ in roots:
        hits = sorted(root.glob(clean)) if glob else [root / clean]
        hits = [h for h in hits if h.exists() and _inside(h, root)]
        if hits:
            return _read(root, hits, where)
    searched = " and ".join(f"{label} ({root})" for root, label in roots)
    raise RecipeError(
        f"about/license_file {name!r} matches nothing in {searched}",
        where,
        hint="add the license file to the recipe folder, fix the path (it is relative to the "
        "source tree or the recipe folder), or remove the entry",
    )


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _read(root: Path, hits: list[Path], where: Location) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for hit in hits:
        files = [hit] if hit.is_file() else sorted(p for p in hit.rglob("*") if p.is_file())
        for path in files:
            if not _inside(path, root):
                raise RecipeError(
                    f"about/license_file: {path} is a link that leaves {root}", where,
                    hint="license files must be inside the source tree or the recipe folder",
                )  # fmt: skip
            try:
                out[path.relative_to(root).as_posix()] = path.read_bytes()
            except OSError as exc:
                raise CflError(f"cannot read license file {path}: {exc.strerror}") from exc
    return out
