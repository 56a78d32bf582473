"""The command line's build display: progress while building, the summary after. Part of the
CLI (it prints), kept apart from ``cli.py``'s argument handling."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .build.result import BuildResult
    from .render.model import RenderedRecipe

STATUSES = ("built", "skipped", "failed", "blocked")


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


def summary_table(results: Sequence[BuildResult], output_dir: str) -> str:
    """One row per recipe or output: status, package, subdir, where it went or why not."""
    rows = [(r.status, r.label, r.subdir, _detail(r)) for r in results]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    lines = [
        f"{status:<{widths[0]}}  {label:<{widths[1]}}  {subdir:<{widths[2]}}  {detail}".rstrip()
        for status, label, subdir, detail in rows
    ]
    counts = ", ".join(f"{sum(r.status == s for r in results)} {s}" for s in STATUSES)
    return "\n".join([*lines, f"{counts}; output channel: {output_dir}"])


def _detail(result: BuildResult) -> str:
    if result.status == "built":
        where = str(result.package)
        return f"{where} (warning: {result.reason})" if result.reason else where
    if result.status == "skipped" and not result.reason:
        return "already in the channel"
    return result.reason
