"""One ziglang per wheel for every environment on the machine: ``shared(root, zig)`` -> the zig
binary builds run.

cfl's zig cache is machine-wide (zig builds its C and C++ runtimes there once, in minutes),
and zig's manifests name each runtime source by its path under zig's lib folder with the
file's size, inode and mtime (see ``zig_manifests``). Two virtual environments with the same
ziglang wheel have the same files under different inodes: after one of them wrote a manifest,
every check by the other re-reads and re-hashes the ~800 sources it lists (a hit all the same,
which zig does not write back), so each alternates the other onto that slow path (measured
here: 10,000 reads and about 30 ms more per C link).

So a build runs zig from one copy per wheel, ``<root>/<wheel sha256[:16]>/`` laid out as
site-packages (the package folder and its ``dist-info/RECORD``): hard links to the files of
the first install seen where the file system allows, a copy where it does not. Every
environment then shows zig the same files; the copy outlives the install it was made from
(a reinstall or an uninstall leaves its files alone); ``zig_manifests.reseat`` keeps the
manifests right when the copy itself moves (a cache restored onto a new machine). ``root``
lies outside the writable zig cache: a build script cannot change the toolchain. A zig not
installed from a wheel is run as it is.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

from ..errors import CflError
from ..fsutil import exclusive_lock, read_json_object, replace_file
from . import zig_manifests

_INDEX = "installs.json"  # {an install's zig: {"identity": [...], "zig": the copy's zig}}


def shared(root: Path, zig: str) -> str:
    """The zig binary of ``root``'s copy of the wheel that installed ``zig`` (made on first
    use); ``zig`` itself when it is not from a wheel or no copy can be made. Once made, it
    costs two stats and one small file read."""
    real = os.path.realpath(zig)
    install = zig_manifests.cached_install(root, real)
    if install is None:
        return real
    try:
        identity = install.identity()
    except OSError:
        return real
    known = read_json_object(root / _INDEX).get(real)
    if isinstance(known, dict) and known.get("identity") == identity:
        copy = known.get("zig")
        if isinstance(copy, str) and os.path.isfile(copy):
            return copy
    try:
        copy = _make(root, install)
    except (OSError, CflError):
        return real  # sharing is an optimisation: this environment's own zig still works
    with contextlib.suppress(OSError, CflError), exclusive_lock(root / f"{_INDEX}.lock"):
        index = read_json_object(root / _INDEX)
        index[real] = {"identity": identity, "zig": copy}
        replace_file(root / _INDEX, json.dumps(index, sort_keys=True).encode())
    return copy


def _make(root: Path, install: zig_manifests.Install) -> str:
    """``root/<wheel>/``: the install's package folder and RECORD, unless already there."""
    import tempfile  # only the first time a wheel is seen
    package = os.path.basename(install.package)
    info = os.path.basename(os.path.dirname(install.record))
    dest = root / install.wheel()[:16]
    zig = str(dest / package / os.path.basename(install.zig))
    if os.path.isfile(dest / info / "RECORD"):
        return zig
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
    try:
        shutil.copytree(
            install.package, staging / package, symlinks=True, copy_function=_link_or_copy,
            ignore=shutil.ignore_patterns("__pycache__"),
        )  # fmt: skip
        (staging / info).mkdir()
        # RECORD last, as pip writes it: files newer than it count as changed after install
        _link_or_copy(install.record, str(staging / info / "RECORD"))
        try:
            os.rename(staging, dest)
        except OSError:
            if not os.path.isfile(dest / info / "RECORD"):
                raise  # not another build having made it first
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return zig


def _link_or_copy(source: str, dest: str) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)  # keeps the mtime: RECORD stays the newest file
