"""Relocation application: rewrite the search paths of a prefix's binaries, then report.

``relocate(Path("/p"), ["bin/tool", "lib/libx.so"], "/p", "linux-64")`` rewrites RUNPATH
``/p/lib:/usr/local/lib`` of ``bin/tool`` to ``$ORIGIN/../lib`` and returns a
``RelocationReport`` naming the change, the dropped ``/usr/local/lib`` and the files that still
hold ``/p`` (for ``info/paths.json``). Mach-O files get ``@rpath`` names and ``@loader_path``
LC_RPATHs; absolute symlinks into the prefix become relative ones.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .. import platforms
from ..fsutil import own_copy
from .model import (
    MachoPlan,
    RelocationError,
    RelocationReport,
    RpathPlan,
    Rpaths,
    SymlinkFix,
    UnreadableBinary,
)
from .plan import plan_macho, plan_rpaths, plan_symlinks
from .scan import classify, scan

if TYPE_CHECKING:
    from .relinker import MachoRelinker, Relinker

_Plan = TypeVar("_Plan", RpathPlan, MachoPlan)


def relocate(
    root: Path,
    files: Sequence[str],
    prefix: str,
    subdir: str,
    relinker: Relinker | None = None,
    macho_relinker: MachoRelinker | None = None,
) -> RelocationReport:
    """Make every ELF and Mach-O file among ``files`` find its libraries relative to itself.

    Symlinks are checked first: one that would leave the prefix raises ``RelocationError``
    before any file is touched. PE files are counted only. The prefix scan runs after
    rewriting, so it reports only what conda clients still have to replace at install time.
    """
    platforms.info(subdir)  # an unknown subdir is a usage error, before any file is touched
    break_hardlinks(root, files)
    symlinks = relink_symlinks(root, files, prefix)
    binaries = classify(root, files)
    unreadable: list[str] = []
    plans: list[RpathPlan] = []
    macho_plans: list[MachoPlan] = []
    if binaries["elf"]:
        elf = relinker or _default_relinker()
        plans = _each(binaries["elf"], lambda p: relink(root / p, p, prefix, elf), unreadable)
    if binaries["macho"]:
        macho = macho_relinker or _default_macho_relinker()
        macho_plans = _each(
            binaries["macho"], lambda p: relink_macho(root / p, p, prefix, macho), unreadable
        )
    everything: list[RpathPlan | MachoPlan] = [*plans, *macho_plans]
    return RelocationReport(
        subdir=subdir,
        elf=tuple(binaries["elf"]),
        macho=tuple(binaries["macho"]),
        pe=tuple(binaries["pe"]),
        plans=tuple(plans),
        macho_plans=tuple(macho_plans),
        symlinks=tuple(symlinks),
        changed=tuple(p.binary for p in everything if p.changed),
        removed=tuple(r for p in everything for r in p.removed),
        unreadable=tuple(unreadable),
        prefix_matches=tuple(scan(root, files, prefix)),
    )


# The default relinkers are imported with the first file they rewrite: a package without
# binaries (most noarch ones) loads neither the ELF reader nor lief and the code signer.
def _default_relinker() -> Relinker:
    from .relinker import PatchelfRelinker

    return PatchelfRelinker()


def _default_macho_relinker() -> MachoRelinker:
    from .macho import LiefMachoRelinker

    return LiefMachoRelinker()


def break_hardlinks(root: Path, files: Sequence[str]) -> list[str]:
    """Give every regular file among ``files`` with other hard links a copy of its own, so
    rewriting it never writes through to a file outside the prefix (or the package cache)."""
    broken: list[str] = []
    for relpath in files:
        path = root / relpath
        try:
            info = path.lstat()
        except FileNotFoundError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
            _copy_over(path)
            broken.append(relpath)
    return broken


def _copy_over(path: Path) -> None:
    """Replace ``path`` by a copy of itself (same bytes and mode, a new inode)."""
    try:
        own_copy(path)
    except OSError as exc:
        raise RelocationError(f"cannot copy the hard-linked file {path}: {exc.strerror}") from exc


def _each(
    relpaths: Sequence[str], step: Callable[[str], _Plan | None], unreadable: list[str]
) -> list[_Plan]:
    """``step`` over every file; files it cannot parse are noted in ``unreadable``."""
    plans: list[_Plan] = []
    for relpath in relpaths:
        try:
            plan = step(relpath)
        except UnreadableBinary:
            unreadable.append(relpath)
            continue
        if plan is not None:
            plans.append(plan)
    return plans


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


def relink_macho(path: Path, relpath: str, prefix: str, relinker: MachoRelinker) -> MachoPlan:
    """Plan one Mach-O file's load commands and write them back if they change."""
    current = relinker.read(path)
    plan = plan_macho(current, relpath, prefix)
    if plan.changed:
        with _writable(path):
            relinker.write(path, current, plan.new)
    return plan


def relink_symlinks(root: Path, files: Sequence[str], prefix: str) -> list[SymlinkFix]:
    """Make absolute symlinks into ``prefix`` relative; raise if any link leaves the prefix."""
    links = {p: _readlink(root / p) for p in files if (root / p).is_symlink()}
    fixes = plan_symlinks(links, prefix)
    for fix in fixes:
        path = root / fix.path
        try:
            path.unlink()
            path.symlink_to(fix.new)
        except OSError as exc:
            raise RelocationError(f"cannot rewrite the symlink {path}: {exc.strerror}") from exc
    return fixes


def _readlink(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError as exc:
        raise RelocationError(f"cannot read the symlink {path}: {exc.strerror}") from exc


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
