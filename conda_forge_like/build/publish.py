"""Putting a built package into the channel: atomically, never replacing a different one, never
half-indexed when interrupted, and noticing what a build wrote outside its work directory.

``publish(staged, final, overwrite)`` moves a package in (refusing another with the same
name); ``interrupts_deferred()`` holds Ctrl-C/SIGTERM until the move and the index are both
done; ``channel_root(out)`` lists the channel root's entries a build may not make.
"""

from __future__ import annotations

import filecmp
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ChannelError


def publish(staged: Path, final: Path, overwrite: bool) -> None:
    """Move the built package into the channel; a different package of the same file name
    already there is refused unless ``overwrite`` (the same bytes are fine: a rebuild)."""
    if final.exists() and not overwrite and not filecmp.cmp(staged, final, shallow=False):
        raise ChannelError(
            f"{final} is already in the channel with different contents",
            hint="--skip-existing skips outputs already in the channel, --overwrite replaces them",
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, final)  # staged lies in the channel: same file system, atomic


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM between moving the package in and indexing it waits until both are
    done: the channel never holds a package its repodata does not list."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; its own wait is deferred there
        return
    caught: list[int] = []
    old = {sig: signal.signal(sig, lambda n, _f: caught.append(n)) for sig in _DEFERRED}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


_DEFERRED = (signal.SIGINT, signal.SIGTERM)


def channel_root(out: Path) -> set[str]:
    """The channel root's entries a build may not make: not subdirs, work, broken or locks."""
    try:
        names = set(os.listdir(out))
    except OSError:
        return set()
    return {
        n
        for n in names
        if n not in ("work", "broken")
        and not n.startswith(".")
        and not (out / n / "repodata.json").is_file()
    }
