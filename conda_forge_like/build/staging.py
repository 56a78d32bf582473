"""A build the outputs of one recipe share: conda-build's top-level build and rattler-build's
``staging:`` cache.

A meta.yaml with ``outputs:`` runs its top-level build (build.sh or ``build/script``) once per
variant, with the top-level requirements, in a work directory every output then uses in turn
(conda-build build.py, ``build()``: "back up new prefix files, because we wipe the prefix before
each output build"). Each output gets fresh environments at the same paths, the top-level
build's new files copied back into its host prefix, and its own script runs in the same source
tree, so build folders (CMake caches, object files) that name those paths keep working. A
recipe.yaml ``staging:`` output works the same way.

``work_dir(rendered, out)`` -> ``<out>/work/<subdir>-<staging name>-<key>``, one per staging
and variant; ``Shared`` remembers, for this process, which of them hold a finished staging
build and its files; ``output_files(rendered, staged, new)`` is the files an output packages.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import digests, globs
from ..errors import CflError
from ..records import dataclass, replace
from ..render.model import RenderedRecipe, Requirements

STAGED = "staged"  # <work>/staged/: copies of the files the staging build added


def key(rendered: RenderedRecipe) -> str:
    """What the staging's result depends on: the recipe, its staging section as rendered for
    this variant (requirements with their pins, script, source) and the subdir. Not the
    output's own used keys: siblings that use different keys still share one staging build."""
    payload = {
        "recipe": rendered.recipe_path,
        "staging": rendered.staging,
        "section": rendered.meta.get("staging"),
        "subdir": rendered.subdir,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return digests.sha256(text.encode()).hexdigest()[:16]


def work_dir(rendered: RenderedRecipe, out: Path) -> Path:
    name = rendered.staging or "staging"
    return out.resolve() / "work" / f"{rendered.subdir}-{name}-{key(rendered)}"


def staging_recipe(rendered: RenderedRecipe) -> RenderedRecipe:
    """The staging build as a recipe of its own: its name, requirements, script and source."""
    section: Mapping[str, Any] = rendered.meta.get("staging") or {}
    reqs = section.get("requirements") or {}
    build = section.get("build") or {}
    meta = {
        "source": section.get("source", rendered.meta.get("source")),
        "build": {"script": build.get("script") if isinstance(build, dict) else None},
        "about": rendered.meta.get("about") or {},
    }
    name = str(section.get("name") or rendered.staging or rendered.name)
    return replace(
        rendered,
        name=name,
        requirements=Requirements(
            build=tuple(_specs(reqs.get("build"))), host=tuple(_specs(reqs.get("host")))
        ),
        script=None,
        meta=meta,
        staging=None,
        run_exports=type(rendered.run_exports)(),
        pending_pins=(),
    )


def _specs(value: Any) -> list[str]:
    return [str(s) for s in value or [] if isinstance(s, (str, int, float))]


def has_fallback_script(rendered: RenderedRecipe) -> bool:
    """A meta.yaml's top-level build runs the build.sh beside it when no script is written."""
    return bool((rendered.meta.get("staging") or {}).get("fallback_script"))


@dataclass(frozen=True)
class Staged:
    files: frozenset[str]  # relative paths the staging build added to the host prefix


class Shared:
    """Which shared work directories hold a finished staging build, in this process."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._done: dict[Path, Staged] = {}
        self._failed: set[Path] = set()

    def get(self, work: Path) -> Staged | None:
        with self._guard:
            return self._done.get(work)

    def put(self, work: Path, staged: Staged) -> None:
        with self._guard:
            self._done[work] = staged

    def failed(self, work: Path) -> None:
        with self._guard:
            self._failed.add(work)

    def clear(self, keep: bool) -> None:
        """Forget every staging of this run; delete their work unless kept or one failed."""
        with self._guard:
            done, failed = list(self._done), set(self._failed)
            self._done, self._failed = {}, set()
        for work in done:
            if not keep and work not in failed:
                shutil.rmtree(work, ignore_errors=True)


def save(work: Path, host_prefix: Path, new: Iterable[str]) -> Staged:
    """Keep copies of the files the staging build added: every output starts from them."""
    backup = work / STAGED
    shutil.rmtree(backup, ignore_errors=True)
    files = sorted(new)
    try:
        for rel in files:
            _copy(host_prefix / rel, backup / rel)
    except OSError as exc:
        raise CflError(
            f"cannot keep the staging result in {backup}: {exc}",
            hint="check the free space and permissions of the output directory",
        ) from exc
    return Staged(frozenset(files))


def restore(work: Path, host_prefix: Path, staged: Staged) -> None:
    """Put the staging build's files into an output's fresh host prefix (same path)."""
    for rel in sorted(staged.files):
        _copy(work / STAGED / rel, host_prefix / rel)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    else:
        shutil.copy2(source, target)


def output_files(
    rendered: RenderedRecipe, staged: Staged, new: set[str]
) -> tuple[set[str], list[str] | None]:
    """(candidate files, ``files:`` globs) of an output that shares a staging build.

    meta.yaml (conda-build build.py, ``build()`` and ``bundle_conda``): an output with
    ``files:`` picks from everything the top-level build and its own script added; one with a
    script and no ``files:`` gets what its script added; the output named like the recipe,
    with neither, gets every file of the top-level build; any other gets none (a metapackage).
    conda-build also lets a ``files:`` list match files that host dependencies installed;
    cfl never repackages another package's files. recipe.yaml (rattler-build): the cache's
    files and the script's, filtered by ``build: files:``.
    """
    if rendered.recipe_format != "v0":
        build = rendered.meta.get("build") or {}
        patterns = build.get("files") if isinstance(build, dict) else None
        return set(staged.files) | new, _patterns(patterns)
    output = rendered.meta.get("output") or {}
    patterns = _patterns(output.get("files"))
    if patterns is not None:
        return set(staged.files) | new, patterns
    if rendered.script:
        return new, None
    if output.get("same_name"):
        return set(staged.files), None
    return set(), None


def _patterns(value: Any) -> list[str] | None:
    if isinstance(value, dict):  # conda-build's {include: [...], exclude: [...]}
        value = value.get("include")
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value] if isinstance(value, list) and value else None


def excluded(rendered: RenderedRecipe, chosen: list[str]) -> list[str]:
    """``files: {exclude: [...]}`` (conda-build) drops matches from the chosen files."""
    raw = (rendered.meta.get("output") or {}).get("files")
    if rendered.recipe_format != "v0":
        raw = (rendered.meta.get("build") or {}).get("files")
    if not isinstance(raw, dict) or not raw.get("exclude"):
        return chosen
    drop = [str(p) for p in raw["exclude"]]
    return [p for p in chosen if not any(globs.selects(p, g) for g in drop)]
