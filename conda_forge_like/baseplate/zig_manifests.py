"""zig's cache after ziglang is installed again: ``reseat(cache, zig)`` -> entries updated.

zig's cache manifests (``<cache>/h/*``) list every input file with its size, inode and mtime
beside the hash of its contents; a check trusts the hash without reading the file only while
all three still match, and a check that had to read it (a hit all the same) does not write
the new values back. A ziglang installed again at the same place — ``pip install
--force-reinstall``, a re-created virtual environment, a CI job restoring ``~/.cache/cfl`` onto
a fresh runner — has the same files with new inodes and mtimes, so from then on every link
re-reads and re-hashes the ~800 sources of zig's runtime (measured: +33 ms a C link of 85,
+200 ms a C++ one), for as long as the cache lives.

So cfl keeps, per zig lib folder (``<cache>/installs/``), the identity of the install (the
zig binary and the wheel's ``RECORD``) and the stat of every lib file the wheel installed —
files modified after the install (newer than ``RECORD``, which pip writes last) are left out.
When the install there changed but ``RECORD`` lists the package's same files with the same
hashes (the same wheel, so the same contents; byte-code rows aside), each manifest entry of
zig's lib folder still carrying a recorded file's old stat gets the file's new one. Nothing
else is touched: entries of other folders, of files edited since their install, of another
wheel, of a manifest zig holds locked or one not in zig 0.17's format
(``std/Build/Cache.zig``: per file size u64, inode u64, mtime i64 ns, a 16-byte digest, flags
u8 with the prefix index in bits 2-7, the path and a NUL; one final NUL). A zig not installed
from a wheel has no ``RECORD``: nothing is done for it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import struct
from pathlib import Path
from typing import Any

from .. import digests
from ..errors import CflError
from ..fsutil import exclusive_lock, read_json_object, replace_file

STAT = struct.Struct("<QQq")  # size, inode, mtime (ns)
ENTRY = struct.Struct(STAT.format + "16sB")  # the stat, digest, flags; then the path, NUL
LIB_PREFIX = 1  # zig's prefixes: 0 the working directory, 1 its lib folder, 2/3 the caches
_KIND_BITS = 0b11  # is_directory, metadata_only: entries whose digest is not the contents'

Stat = tuple[int, int, int]  # size, inode, mtime_ns


class Install:
    """A ziglang wheel's install: the zig binary, its lib folder and the wheel's RECORD."""

    def __init__(self, zig: str, record: str) -> None:
        self.zig, self.record = zig, record
        self.package = os.path.dirname(zig)
        self.lib = os.path.join(self.package, "lib")
        self.key = digests.sha256(self.lib.encode()).hexdigest()[:16]

    def identity(self) -> list[int]:
        """What changes when it is installed again: both files' inode, mtime and size."""
        out: list[int] = []
        for path in (self.zig, self.record):
            st = os.stat(path)
            out += [st.st_ino, st.st_mtime_ns, st.st_size]
        return out

    def wheel(self) -> str:
        """The wheel's sha256: over RECORD's rows of the package's files, sorted, without the
        byte-code pip compiles at install time (it holds the install's mtimes)."""
        return self._read_record()[0]

    def lib_stats(self) -> tuple[str, dict[str, Stat]]:
        """(the wheel's sha256, {path under lib: stat}) of the lib files as the wheel installed
        them: a file newer than RECORD was changed afterwards and is not one of them."""
        return self._read_record(stat_lib=True)

    def _read_record(self, stat_lib: bool = False) -> tuple[str, dict[str, Stat]]:
        import csv  # only when an install is seen for the first time

        with open(self.record, newline="", encoding="utf-8") as handle:
            text = handle.read()
        newest = os.stat(self.record).st_mtime_ns
        site = os.path.dirname(self.package)
        package = os.path.basename(self.package) + "/"
        inside = package + "lib/"
        stats: dict[str, Stat] = {}
        wheel: list[str] = []  # the package's files and their hashes, but for byte-code
        for row in csv.reader(text.splitlines()):
            if row and row[0].startswith(package) and "__pycache__/" not in row[0]:
                wheel.append(",".join(row))
            if not stat_lib or not row or not row[0].startswith(inside):
                continue
            try:
                st = os.lstat(os.path.join(site, row[0]))
            except OSError:
                continue
            if st.st_mtime_ns <= newest:
                stats[row[0][len(inside) :]] = (st.st_size, st.st_ino, st.st_mtime_ns)
        return digests.sha256("\n".join(sorted(wheel)).encode()).hexdigest(), stats


def find_install(zig: str) -> Install | None:
    """The wheel install of the zig binary at ``zig`` (``<site>/<pkg>/zig`` with
    ``<site>/<pkg>-<version>.dist-info/RECORD``), or None for a zig from elsewhere."""
    real = os.path.realpath(zig)
    package = os.path.dirname(real)
    site, name = os.path.split(package)
    try:
        entries = os.listdir(site)
    except OSError:
        return None
    infos = [e for e in entries if e.startswith(name + "-") and e.endswith(".dist-info")]
    records = [os.path.join(site, e, "RECORD") for e in infos]
    records = [r for r in records if os.path.isfile(r)]
    return Install(real, records[0]) if len(records) == 1 else None


def reseat(cache: Path, zig: str) -> int:
    """Bring the manifests in ``cache`` up to date with the zig install at ``zig`` (see the
    module docstring); the number of entries updated. A build calls it before using zig:
    unchanged, it costs a few stats and one small file read."""
    state = cache / "installs"
    install = cached_install(state, zig)
    if install is None:
        return 0
    try:
        identity = install.identity()
    except OSError:
        return 0
    if read_json_object(state / f"{install.key}.json").get("identity") == identity:
        return 0
    try:
        with exclusive_lock(state / f"{install.key}.lock"):
            return _reseat_locked(cache, state, install, identity)
    except (OSError, ValueError, CflError):
        return 0  # an optimisation only: a cache it cannot read or write stays as it is


def cached_install(state: Path, zig: str) -> Install | None:
    """``find_install`` with the RECORD path remembered per zig binary (a listing of
    site-packages saved on every build)."""
    real = os.path.realpath(zig)
    known = read_json_object(state / "records.json")
    record = known.get(real)
    if isinstance(record, str) and os.path.isfile(record):
        return Install(real, record)
    install = find_install(real)
    if install is not None:
        known[real] = install.record
        with contextlib.suppress(OSError, CflError):  # remembering is an optimisation
            state.mkdir(parents=True, exist_ok=True)
            replace_file(state / "records.json", json.dumps(known, sort_keys=True).encode())
    return install


def _reseat_locked(cache: Path, state: Path, install: Install, identity: list[int]) -> int:
    summary = state / f"{install.key}.json"
    old = read_json_object(summary)
    if old.get("identity") == identity:
        return 0  # another build did it while this one waited
    record_sha, stats = install.lib_stats()
    moved: dict[str, tuple[set[Stat], Stat]] = {}
    for before in _same_wheel_stats(state, install, record_sha):
        for path, was in before.items():
            now = stats.get(path)
            if now is not None and tuple(was) != now and was[0] == now[0]:
                moved.setdefault(path, (set(), now))[0].add(tuple(was))
    updated = _rewrite_manifests(cache / "h", moved) if moved else 0
    replace_file(state / f"{install.key}.stats.json", json.dumps(stats).encode())
    new = {"lib": install.lib, "identity": identity, "record_sha256": record_sha}
    replace_file(summary, json.dumps(new).encode())
    return updated


def _same_wheel_stats(state: Path, install: Install, record_sha: str) -> list[dict[str, Any]]:
    """The recorded lib-file stats of every install of the wheel ``record_sha``: this one's
    from before, and those of other folders still there (another environment whose zig wrote
    manifests before builds ran the machine's one copy, ``zig_shared``)."""
    found = []
    for name in sorted(os.listdir(state)):
        if not name.endswith(".stats.json"):
            continue
        key = name[: -len(".stats.json")]
        summary = read_json_object(state / f"{key}.json")
        lib = summary.get("lib")
        if summary.get("record_sha256") != record_sha or not isinstance(lib, str):
            continue
        if key == install.key or os.path.isdir(lib):
            found.append(read_json_object(state / name))
    return found


def parse(data: bytes) -> list[tuple[int, Stat, int, bytes]]:
    """A zig 0.17 manifest's entries: (offset, stat, flags, path); ValueError if ``data`` is
    not one (zig writes a final NUL after the last entry; an empty file was never finished)."""
    entries: list[tuple[int, Stat, int, bytes]] = []
    offset, last = 0, len(data) - 1
    if last < 0:
        raise ValueError("an empty manifest")
    while offset < last:
        if offset + ENTRY.size > last:
            raise ValueError(f"an entry cut short at byte {offset}")
        size, inode, mtime, _digest, flags = ENTRY.unpack_from(data, offset)
        end = data.find(b"\0", offset + ENTRY.size)
        if end < 0 or end == offset + ENTRY.size:
            raise ValueError(f"an entry without a path at byte {offset}")
        entries.append((offset, (size, inode, mtime), flags, data[offset + ENTRY.size : end]))
        offset = end + 1
    if offset != last or data[last] != 0:
        raise ValueError("no final NUL")
    return entries


def _rewrite_manifests(folder: Path, moved: dict[str, tuple[set[Stat], Stat]]) -> int:
    """Give every lib-folder entry whose stat is one of a moved file's old ones the new stat."""
    by_path = {path.encode(): pair for path, pair in moved.items()}
    updated = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name == "timestamp":
            continue
        try:
            fd = os.open(folder / name, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # zig holds it while using it
            updated += _rewrite_one(fd, by_path)
        except (OSError, ValueError):
            continue
        finally:
            os.close(fd)
    return updated


def _rewrite_one(fd: int, by_path: dict[bytes, tuple[set[Stat], Stat]]) -> int:
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0)
    updated = 0
    for offset, stat, flags, path in parse(data):
        pair = by_path.get(path)
        if pair is None or flags >> 2 != LIB_PREFIX or flags & _KIND_BITS or stat not in pair[0]:
            continue
        # One field group per write: a crash between two leaves every entry whole, each with
        # either stat (zig re-reads a file whose stat is still the old one).
        os.pwrite(fd, STAT.pack(*pair[1]), offset)
        updated += 1
    return updated
