"""``build: microarch: hwcaps``: level-3 and level-4 copies of a package's shared libraries.

The build script runs once per extra level (fresh work directory and host prefix at the same
paths as the baseline build, the base plate's flags for that level); ``take`` keeps the shared
libraries each run put in ``lib/``, named by their SONAME. After the baseline build,
``install`` puts them in ``lib/glibc-hwcaps/x86-64-vN/`` of the host prefix, with search paths
that relocation turns into ``$ORIGIN/../..``. glibc 2.33+ loads the best copy the CPU runs;
older loaders ignore the directories.

    >>> hwcaps_dir(3)
    'lib/glibc-hwcaps/x86-64-v3'
    >>> copy_rpaths(("$ORIGIN", "/p/lib"), "/p", needs_lib=False)
    ('/p/lib',)
"""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import lazy
from ..errors import CflError
from ..recipe import microarch
from ..records import dataclass, replace
from ..relocate import Rpaths
from ..render.model import RenderedRecipe

if TYPE_CHECKING:
    from ..abi.binary import BinaryInfo
    from ..relocate import Relinker

_LIBRARY_NAME = lazy.regex(r"\.so(\.\d+)*$")
_COPY = lazy.regex(r"^lib/glibc-hwcaps/x86-64-v\d/([^/]+)$")
_ELF_MAGIC = b"\x7fELF"

# (rendered at one level) -> (host prefix, files new in it, build log)
LevelRunner = Callable[[RenderedRecipe], tuple[Path, set[str], Path]]


def hwcaps_dir(level: int) -> str:
    return f"lib/glibc-hwcaps/x86-64-v{level}"


def levels(rendered: RenderedRecipe) -> tuple[tuple[int, ...], str | None]:
    """The extra levels to build for ``rendered`` and a note when hwcaps is asked for but
    ignored (other targets build as usual)."""
    build = rendered.meta.get("build")
    if not isinstance(build, dict) or build.get("microarch") is None:
        return (), None
    if microarch.mode(build, rendered.recipe_path, _recipe_text(rendered)) != "hwcaps":
        return (), None
    found = microarch.hwcaps_levels(rendered.subdir)
    if found:
        return found, None
    note = f"build: microarch: hwcaps applies to linux-64 only; {rendered.subdir} builds as usual"
    return (), note


def _recipe_text(rendered: RenderedRecipe) -> str:
    try:
        return Path(rendered.recipe_path).read_text(encoding="utf-8")
    except OSError:
        return ""  # the error then names the file without a line


def at_level(rendered: RenderedRecipe, level: int) -> RenderedRecipe:
    """The same output with the base plate set to ``level`` (the build string is unchanged)."""
    return replace(rendered, variant={**rendered.variant, "microarch_level": level})


@dataclass(frozen=True)
class Stash:
    """Where the level builds' libraries wait for the baseline build: ``<root>/x86-64-vN/``."""

    root: Path

    def level_dir(self, level: int) -> Path:
        return self.root / f"x86-64-v{level}"

    def levels(self) -> list[int]:
        found = self.root.glob("x86-64-v*") if self.root.is_dir() else []
        return sorted(int(p.name.rsplit("v", 1)[1]) for p in found if p.is_dir())


def build_levels(
    rendered: RenderedRecipe, wanted: Sequence[int], stash: Stash, run: LevelRunner
) -> None:
    """Run the build at each level and keep its shared libraries (and log) in ``stash``."""
    if stash.root.exists():
        shutil.rmtree(stash.root)
    for level in wanted:
        try:
            prefix, new, log = run(at_level(rendered, level))
        except CflError as exc:
            exc.message = f"x86-64-v{level} build (build: microarch: hwcaps): {exc.message}"
            raise
        take(prefix, new, stash.level_dir(level))
        shutil.copy2(log, stash.root / f"x86-64-v{level}.log")


def take(prefix: Path, new: Iterable[str], dest: Path) -> list[str]:
    """Copy the real shared libraries directly in ``lib/`` among ``new`` to ``dest``, each
    named by its SONAME (the name the loader looks for); returns the names."""
    dest.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for relpath in sorted(new):
        path = prefix / relpath
        if not _is_shared_library(relpath, path):
            continue
        name = _elf_facts(path).soname or path.name
        shutil.copy2(path, dest / name)
        names.append(name)
    return names


def _elf_facts(path: Path) -> BinaryInfo:
    # Imported late: builds without hwcaps copies (most) never read a binary here.
    from ..abi.binary import read_binary

    return read_binary(path)


def _is_shared_library(relpath: str, path: Path) -> bool:
    head, _, name = relpath.rpartition("/")
    if head != "lib" or not _LIBRARY_NAME.search(name) or path.is_symlink():
        return False
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _ELF_MAGIC
    except OSError:
        return False


def install(
    stash: Stash, host_prefix: Path, new: set[str], relinker: Relinker | None = None
) -> tuple[set[str], list[str]]:
    """Put the stashed copies in ``lib/glibc-hwcaps/x86-64-vN/`` of ``host_prefix``, next to a
    baseline library of the same name; returns the new paths and warnings (copies without a
    baseline library are left out: the loader finds a copy only through the baseline's name)."""
    if relinker is None:
        from ..relocate import PatchelfRelinker  # imported late, as ``_elf_facts``

        relinker = PatchelfRelinker()
    added: set[str] = set()
    warnings: list[str] = []
    lib_names = {p.name for p in (host_prefix / "lib").glob("*")}
    for level in stash.levels():
        for copy in sorted(stash.level_dir(level).iterdir()):
            if f"lib/{copy.name}" not in new:
                warnings.append(
                    f"the x86-64-v{level} build made lib/{copy.name}, the baseline did not: "
                    "left out of the package"
                )
                continue
            relpath = f"{hwcaps_dir(level)}/{copy.name}"
            target = host_prefix / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(copy, target)
            _retarget(target, str(host_prefix), lib_names, relinker)
            added.add(relpath)
    return added, warnings


def _retarget(path: Path, prefix: str, lib_names: set[str], relinker: Relinker) -> None:
    """Give a copy search paths that mean, from its new directory, what they meant in lib/."""
    current = relinker.read(path)
    needs_lib = bool(set(_elf_facts(path).needed) & lib_names)
    entries = copy_rpaths(current.entries if current else (), prefix, needs_lib=needs_lib)
    if entries != (current.entries if current else ()):
        relinker.write(path, Rpaths(current.kind if current else "runpath", entries))


def copy_rpaths(entries: Sequence[str], prefix: str, *, needs_lib: bool) -> tuple[str, ...]:
    """Search path entries of a library moved from ``<prefix>/lib`` to a subdirectory:
    ``$ORIGIN``-relative ones become absolute (relocation makes them relative again, from the
    new place); an empty path becomes ``<prefix>/lib`` when the library needs a sibling."""
    lib = posixpath.join(prefix, "lib")
    out: list[str] = []
    for entry in (part for e in entries for part in e.split(":")):
        for token in ("${ORIGIN}", "$ORIGIN"):
            if entry == token or entry.startswith(token + "/"):
                entry = posixpath.normpath(lib + entry[len(token) :])
                break
        if entry not in out:
            out.append(entry)
    if not out and needs_lib:
        out.append(lib)
    return tuple(out)


def with_copies(chosen: Sequence[str], new: Iterable[str]) -> list[str]:
    """An output's files plus the hwcaps copies of its libraries, and no other copies: a copy
    goes into the package that holds ``lib/<its name>``."""
    picked = {p for p in chosen if not _COPY.match(p)}
    picked |= {p for p in new if (m := _COPY.match(p)) and f"lib/{m.group(1)}" in picked}
    return sorted(picked)


def append_logs(stash: Stash, log: Path) -> None:
    """The level builds' logs, at the end of the main build log."""
    with log.open("a") as out:
        for level in stash.levels():
            text = (stash.root / f"x86-64-v{level}.log").read_text(errors="replace")
            out.write(f"==> x86-64-v{level} build (build: microarch: hwcaps)\n{text}")
