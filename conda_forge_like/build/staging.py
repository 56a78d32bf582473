"""The staging cache: a v1 ``staging:`` output's script runs once per variant, not per output.

``StagingCache.key(rendered)`` -> a digest of the staging section as rendered, the variant and
the subdir; the first output that inherits the staging runs its script and ``save``s the files
it added to the host prefix (and the source folder) under ``<output>/work/staging-<key>``; every
later output ``restore``s them into its own host prefix, rewriting the first output's prefix to
its own, as rattler-build's cache does. Host prefixes are all padded to the same length, so the
rewrite keeps binary files' sizes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CflError
from ..render.model import RenderedRecipe

_PREFIX_FILE = "prefix.txt"
_ORIGIN_FILE = "origin.txt"  # the first output's work directory: a leak string for the others


def key(rendered: RenderedRecipe) -> str:
    """What the staging's result depends on: its rendered section, the variant, the subdir."""
    payload = {
        "recipe": rendered.recipe_path,
        "staging": rendered.staging,
        "section": rendered.meta.get("staging"),
        "variant": rendered.variant,
        "subdir": rendered.subdir,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class StagingCache:
    """Staged results of this process's builds; one lock per key so parallel outputs wait."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Path, threading.Lock] = {}

    def folder(self, output_dir: Path, digest: str) -> Path:
        # The pid keeps concurrent cfl processes building into one channel apart.
        return output_dir.resolve() / "work" / f"staging-{digest}-{os.getpid()}"

    @contextmanager
    def lock(self, folder: Path) -> Iterator[None]:
        with self._guard:
            if folder not in self._locks:
                # Left by an earlier process with this pid: not this run's result.
                shutil.rmtree(folder, ignore_errors=True)
            lock = self._locks.setdefault(folder, threading.Lock())
        with lock:
            yield

    def clear(self) -> None:
        """Forget (and delete) every staged result of this process."""
        with self._guard:
            folders, self._locks = list(self._locks), {}
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def save(folder: Path, host_prefix: Path, new: Iterable[str], src: Path) -> None:
    """Keep the files the staging script added to ``host_prefix`` and the source folder."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for rel in sorted(new):
            _copy(host_prefix / rel, tmp / "prefix" / rel)
        shutil.copytree(src, tmp / "src", symlinks=True)
        (tmp / _PREFIX_FILE).write_text(str(host_prefix))
        (tmp / _ORIGIN_FILE).write_text(str(src.parent))
        os.replace(tmp, folder)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CflError(
            f"cannot keep the staging result in {folder}: {exc}",
            hint="check the free space and permissions of the output directory",
        ) from exc


def origin(folder: Path) -> str:
    """The work directory the staged files were built in (their build paths start there)."""
    return (folder / _ORIGIN_FILE).read_text()


def restore(folder: Path, host_prefix: Path, src: Path) -> list[str]:
    """Put a saved staging result into another output's host prefix and source folder."""
    old = (folder / _PREFIX_FILE).read_text().encode()
    new = str(host_prefix).encode()
    if len(old) != len(new):
        raise CflError(
            f"the staged prefix {old.decode()} and {host_prefix} differ in length",
            hint="report this: host prefixes are padded to one length",
        )
    root = folder / "prefix"
    restored = []
    for path in sorted(root.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(root).as_posix()
        _copy(path, host_prefix / rel, old, new)
        restored.append(rel)
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(folder / "src", src, symlinks=True)
    return restored


def _copy(source: Path, target: Path, old: bytes = b"", new: bytes = b"") -> None:
    """Copy one file or symlink, replacing ``old`` with ``new`` (same length) in contents."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    if source.is_symlink():
        link = os.readlink(source)
        if old:
            link = link.replace(old.decode(), new.decode())
        os.symlink(link, target)
        return
    shutil.copy2(source, target)
    if old and old in (data := target.read_bytes()):
        target.write_bytes(data.replace(old, new))
        shutil.copystat(source, target)
