"""The command line's build display: progress while building, the summary after. Part of the
CLI (it prints), kept apart from ``cli.py``'s argument handling."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .render.model import RenderedRecipe


def progress(event: str, rendered: RenderedRecipe, detail: str) -> None:
    """Plain progress lines on stderr (one per step), readable in CI logs too."""
    print(f"cfl: {event:<12} {rendered.dist} ({rendered.subdir}): {detail}", file=sys.stderr)


def _interactive() -> bool:
    ci = os.environ.get("CI") == "true" or os.environ.get("GITHUB_ACTIONS") == "true"
    return sys.stderr.isatty() and not ci


@contextlib.contextmanager
def build_display() -> Iterator[Callable[[str, RenderedRecipe, str], None]]:
    """A rich status line with finished packages above it on a terminal; plain lines else."""
    if not _interactive():
        yield progress
        return
    from rich.console import Console

    console = Console(stderr=True, no_color="NO_COLOR" in os.environ)
    with console.status("rendering recipes") as status:

        def report(event: str, rendered: RenderedRecipe, detail: str) -> None:
            status.update(f"[bold]{rendered.dist}[/] ({rendered.subdir}): {event} {detail}")
            styles = {
                "built": "green", "skipped": "yellow", "warning": "yellow", "note": "cyan",
                "failed": "red", "blocked": "red", "toolchain": "cyan",
            }  # fmt: skip
            if event in styles:
                style = styles[event]
                console.print(
                    f"[{style}]{event:<8}[/] {rendered.dist} ({rendered.subdir}) {detail}"
                )

        yield report
