"""Relocation application: rewrite the search paths of a prefix's binaries, then report.

``relocate(Path("/p"), ["bin/tool", "lib/libx.so"], "/p", "linux-64")`` rewrites RUNPATH
``/p/lib:/usr/local/lib`` of ``bin/tool`` to ``$ORIGIN/../lib`` and returns a
``RelocationReport`` naming the change, the dropped ``/usr/local/lib`` and the files that still
hold ``/p`` (for ``info/paths.json``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .. import platforms
from .model import RelocationError, RelocationReport, RpathPlan, Rpaths
from .plan import plan_rpaths
from .relinker import PatchelfRelinker, Relinker, UnreadableBinary
from .scan import classify, scan


def relocate(
    root: Path,
    files: Sequence[str],
    prefix: str,
    subdir: str,
    relinker: Relinker | None = None,
) -> RelocationReport:
    """Make every ELF file among ``files`` find its libraries relative to itself.

    Mach-O and PE files are counted but left untouched for now. The prefix scan runs after
    rewriting, so it reports only what conda clients still have to replace at install time.
    """
    platforms.info(subdir)  # an unknown subdir is a usage error, before any file is touched
    relinker = relinker or PatchelfRelinker()
    binaries = classify(root, files)
    plans: list[RpathPlan] = []
    unreadable: list[str] = []
    for relpath in binaries["elf"]:
        try:
            plan = relink(root / relpath, relpath, prefix, relinker)
        except UnreadableBinary:
            unreadable.append(relpath)
            continue
        if plan is not None:
            plans.append(plan)
    return RelocationReport(
        subdir=subdir,
        elf=tuple(binaries["elf"]),
        macho=tuple(binaries["macho"]),
        pe=tuple(binaries["pe"]),
        plans=tuple(plans),
        changed=tuple(p.binary for p in plans if p.changed),
        removed=tuple(r for p in plans for r in p.removed),
        unreadable=tuple(unreadable),
        prefix_matches=tuple(scan(root, files, prefix)),
    )


def relink(path: Path, relpath: str, prefix: str, relinker: Relinker) -> RpathPlan | None:
    """Plan one binary's search path and write it back if it changes; None if it has none."""
    current = relinker.read(path)
    if current is None:
        return None
    plan = plan_rpaths(current.entries, relpath, prefix)
    if plan.changed:
        with _writable(path):
            relinker.write(path, Rpaths(current.kind, plan.new))
    return plan


@contextmanager
def _writable(path: Path) -> Iterator[None]:
    """Let the owner write a read-only file (installers often leave 0o555) for the duration."""
    try:
        mode = path.stat().st_mode
        if not mode & stat.S_IWUSR:
            os.chmod(path, mode | stat.S_IWUSR)
    except OSError as exc:
        raise RelocationError(f"cannot make {path} writable: {exc.strerror}") from exc
    try:
        yield
    finally:
        if not mode & stat.S_IWUSR:
            try:
                os.chmod(path, mode)
            except OSError as exc:
                raise RelocationError(f"cannot restore the mode of {path}: {exc.strerror}") from exc
