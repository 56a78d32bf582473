"""Labels of a channel: ``<channel>/label/<name>/<subdir>/repodata.json``, as anaconda.org
serves them (``main`` is the channel root's own repodata).

A label's membership *is* its repodata: the records it lists, copied from the channel root's
repodata. Package files are stored once, in ``<channel>/<subdir>/``; a label's repodata says
where with ``info.base_url`` (``../../../<subdir>/``, repodata v2, CEP-15), which py-rattler and
conda resolve against the repodata URL. ``label/<name>`` is a symbolic link to a generation
folder ``label/.<name>.<random>/``; writing a label writes a new generation and swaps the link
with one ``os.replace``, so a reader (and a client mid-solve) sees the whole old label or the
whole new one, never a mix of subdirs.

``label_repodata("noarch", {"x-1-h0_0.conda": record})`` is pure; ``members(channel, "dev")``
reads a label; ``write_label(channel, "dev", {"noarch": {...}})`` replaces it atomically.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import lazy
from ..errors import ChannelError, UsageError
from ..fsutil import exclusive_lock
from ..index import channel as disk
from ..index import repodata
from ..subdirs import SUBDIRS

LABEL_DIR = "label"
MAIN = "main"
_NAME = lazy.regex(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

Members = dict[str, dict[str, dict[str, Any]]]
"""subdir -> package file name -> repodata record."""


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"label {name!r} is not a label name",
            hint="use letters, digits, '-', '_' and '.' (dev, prod, rc-1.2)",
        )
    return name


def base_url(subdir: str) -> str:
    """Where a label's package files lie, relative to its ``<subdir>/repodata.json``."""
    return f"../../../{subdir}/"


def label_repodata(subdir: str, records: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A label's repodata for one subdir: the records, pointing at the root's files (pure)."""
    data = repodata.with_records(repodata.empty(subdir), records)
    data["info"] = {"subdir": subdir, "base_url": base_url(subdir)}
    data["repodata_version"] = 2
    return data


def label_path(channel: Path, name: str) -> Path:
    return channel / LABEL_DIR / check_name(name)


def names(channel: Path) -> list[str]:
    """The channel's labels (``main`` first: the channel root)."""
    folder = channel / LABEL_DIR
    found = []
    if folder.is_dir():
        found = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    return [MAIN, *(n for n in found if n != MAIN)]


def require(channel: Path, name: str) -> None:
    """Raise unless label ``name`` exists (``main`` always does)."""
    if name != MAIN and not label_path(channel, name).is_dir():
        known = ", ".join(names(channel))
        raise UsageError(f"{channel} has no label {name!r}", hint=f"its labels: {known}")


def members(channel: Path, name: str) -> Members:
    """The records of a label by subdir (``main``: the channel root's); empty when new."""
    root = channel if name == MAIN else label_path(channel, name)
    found: Members = {}
    for subdir in SUBDIRS:
        path = root / subdir / disk.REPODATA
        if path.is_file():
            records = repodata.all_records(disk.read(path.parent))
            if records:
                found[subdir] = records
    return found


@contextmanager
def locked(channel: Path) -> Iterator[None]:
    """Labels change one at a time: a promotion reads and writes its target under this lock."""
    with exclusive_lock(channel / LABEL_DIR / ".cfl-labels.lock", ChannelError):
        yield


def write_label(channel: Path, name: str, contents: Members) -> Path:
    """Replace label ``name`` with ``contents`` in one step; returns the label's folder.

    Every subdir of the channel root gets a repodata.json (empty ones too, and noarch always),
    so clients asking for any of them get an answer. Nothing changes when writing fails.
    Callers hold ``locked(channel)``: a writer removes generations it does not know.
    """
    if name == MAIN:
        raise UsageError("the main label is the channel root", hint="run `cfl index` for it")
    link = label_path(channel, name)
    subdirs = sorted({*(d.name for d in _root_subdirs(channel)), "noarch", *contents})
    generation = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=_label_dir(channel)))
    try:
        generation.chmod(0o755)
        for subdir in subdirs:
            (generation / subdir).mkdir()
            disk.write(generation / subdir, label_repodata(subdir, contents.get(subdir, {})))
        _swap(link, generation)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    return link


def _label_dir(channel: Path) -> Path:
    folder = channel / LABEL_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ChannelError(f"cannot create {folder}: {exc.strerror}") from exc
    return folder


def _root_subdirs(channel: Path) -> list[Path]:
    return [channel / s for s in SUBDIRS if (channel / s / disk.REPODATA).is_file()]


def _swap(link: Path, generation: Path) -> None:
    """Point ``link`` at ``generation`` atomically, then remove the label's other generations
    (the previous one, and any a killed writer left)."""
    if link.exists() and not link.is_symlink():
        # A label folder another tool wrote: set aside (and removed below) like a generation.
        os.replace(link, tempfile.mkdtemp(prefix=f".{link.name}.", dir=link.parent))
    temp = link.with_name(f".{link.name}.link")
    try:
        temp.unlink(missing_ok=True)
        os.symlink(generation.name, temp)
        os.replace(temp, link)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ChannelError(f"cannot update label {link}: {exc.strerror}") from exc
    for stale in link.parent.glob(f".{link.name}.*"):
        if stale.is_dir() and not stale.is_symlink() and stale.name != generation.name:
            shutil.rmtree(stale, ignore_errors=True)
