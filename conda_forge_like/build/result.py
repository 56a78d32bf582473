"""What a build of one output gives back, and the outputs a channel already holds.

``already_built(rendered, Path("out"), "conda")`` -> a ``BuildResult(status="skipped")`` per
output whose package file the channel's repodata lists, or ``None`` when any is missing. It
reads only the rendered build strings and repodata.json, so ``--skip-existing`` on a channel
that has everything prepares nothing (no sources, environments, toolchain or build stage).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..records import dataclass

if TYPE_CHECKING:
    from ..render.model import RenderedRecipe


@dataclass(frozen=True)
class BuildResult:
    name: str  # an output's name; a recipe's path when the recipe rendered no output
    version: str
    build_string: str
    subdir: str
    status: str  # built | skipped | failed | blocked
    package: Path | None = None
    log: Path | None = None
    tested: bool = False
    reason: str = ""  # why skipped, failed or blocked; a warning about what was built

    @property
    def label(self) -> str:
        return "-".join(p for p in (self.name, self.version, self.build_string) if p)


def unfinished(rendered: RenderedRecipe, status: str, reason: str) -> BuildResult:
    """A failed or blocked output's result."""
    r = rendered
    return BuildResult(r.name, r.version, r.build_string, r.subdir, status, reason=reason)


def recipes_without_outputs(
    recipes: Sequence[str], rendered: Sequence[RenderedRecipe], subdir: str
) -> list[BuildResult]:
    """A result for each recipe that renders nothing for ``subdir`` (``build: skip``)."""
    from ..recipe import find as find_recipe_file

    seen = {str(Path(r.recipe_path).resolve()) for r in rendered}
    why = f"no output to build for {subdir}: `build: skip` is true for every variant"
    return [
        BuildResult(str(path), "", "", subdir, "skipped", reason=why)
        for path in recipes
        if str(Path(find_recipe_file(path)).resolve()) not in seen
    ]


def package_filename(rendered: RenderedRecipe, fmt: str) -> str:
    return f"{rendered.dist}{'.conda' if fmt == 'conda' else '.tar.bz2'}"


def skipped(rendered: RenderedRecipe) -> BuildResult:
    return BuildResult(
        rendered.name, rendered.version, rendered.build_string, rendered.subdir, "skipped"
    )


def already_built(
    rendered: Sequence[RenderedRecipe],
    channel: Path,
    fmt: str,
    report: Callable[[str, RenderedRecipe, str], None],
) -> list[BuildResult] | None:
    """Every output's result when the channel lists all their packages, else ``None``."""
    from .. import index

    out = channel.resolve()
    if not rendered or not out.is_dir():
        return None
    listed: dict[str, set[str]] = {}
    for r in rendered:
        if r.subdir not in listed:
            listed[r.subdir] = set(index.records(out, r.subdir))
        if package_filename(r, fmt) not in listed[r.subdir]:
            return None
    for r in rendered:
        report("skipped", r, f"{package_filename(r, fmt)} is already in {out}")
    return [skipped(r) for r in rendered]
