"""What a build of one output gives back, and the outputs a channel already holds.

``already_built(rendered, Path("out"), "conda")`` -> a ``BuildResult(status="skipped")`` per
output whose package file the channel's repodata lists, or ``None`` when any is missing. It
reads only the rendered build strings and repodata.json, so ``--skip-existing`` on a channel
that has everything prepares nothing (no sources, environments, toolchain or build stage).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..render.model import RenderedRecipe


@dataclass(frozen=True)
class BuildResult:
    name: str
    version: str
    build_string: str
    subdir: str
    status: str  # built | skipped
    package: Path | None = None
    log: Path | None = None
    tested: bool = False


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
