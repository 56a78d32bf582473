"""The ``.conda`` container: a zip archive of stored (uncompressed) members, and the spool
files its inner archives are made in.

``write_stored_zip(out, [(name, data), ...], epoch)`` writes the members (``data`` seekable
binary files) into the seekable file ``out``, byte for byte what Python's ``zipfile`` writes
for the same ``ZIP_STORED`` members (unix, mode 0644, all dated ``epoch``): the local headers
as zipfile leaves them after its seek back, the central directory, the end record. Archives of
2 GiB and more need zip64 records: ``zipfile`` itself writes those (``fits_classic_zip``).
``Spool(directory)`` is a binary file in memory that moves into ``directory`` when it grows
past 32 MiB. Neither loads ``zipfile`` nor ``tempfile`` (with bz2, lzma and random about 4 ms
of every build's start-up).
"""

from __future__ import annotations

import binascii
import io
import os
import stat
import struct
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from ..fsutil import make_temp

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # zipfile's DEFAULT_VERSION, for stored members without zip64
_UNIX = 3
_UTF8_NAME = 0x800
_MODE = (stat.S_IFREG | 0o644) << 16
# zipfile turns to zip64 past this (a member counts 5% more: its compressed size may grow)
_ZIP64_LIMIT = (1 << 31) - 1
_CHUNK = 1 << 20


def _size(data: IO[bytes]) -> int:
    data.seek(0, os.SEEK_END)
    size = data.tell()
    data.seek(0)
    return size


def fits_classic_zip(sizes: Sequence[int]) -> bool:
    """Whether members of these sizes make an archive without zip64 records (names and
    headers included, with room to spare)."""
    return all(s * 1.05 <= _ZIP64_LIMIT for s in sizes) and sum(sizes) + (1 << 20) < _ZIP64_LIMIT


def _dos_time(epoch: int) -> tuple[int, int]:
    t = time.gmtime(epoch)
    date = (t.tm_year - 1980) << 9 | t.tm_mon << 5 | t.tm_mday
    clock = t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec // 2
    return clock, date


def _encoded(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


def write_stored_zip(out: IO[bytes], members: Sequence[tuple[str, IO[bytes]]], epoch: int) -> None:
    clock, date = _dos_time(epoch)
    central = []
    for name, data in members:
        raw, flags = _encoded(name)
        offset = out.tell()
        size = _size(data)
        out.write(bytes(_LOCAL.size + len(raw)))  # the header, once the CRC is known
        crc = 0
        while chunk := data.read(_CHUNK):
            crc = binascii.crc32(chunk, crc)
            out.write(chunk)
        end = out.tell()
        if end - offset - _LOCAL.size - len(raw) != size:
            raise OSError(f"the zip member {name} changed size while it was written")
        out.seek(offset)
        out.write(_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, 0, clock, date, crc, size,
                              size, len(raw), 0) + raw)  # fmt: skip
        out.seek(end)
        central.append(
            _CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, 0, clock, date,
                          crc, size, size, len(raw), 0, 0, 0, 0, _MODE, offset) + raw
        )  # fmt: skip
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))
    out.flush()


class Spool(io.RawIOBase):
    """A readable, writable, seekable binary file kept in memory up to ``limit`` bytes; past
    that, an unnamed file in ``directory`` (removed as soon as it is made)."""

    def __init__(self, directory: Path, limit: int = 32 << 20):
        super().__init__()
        self._directory = directory
        self._limit = limit
        self._file: IO[bytes] = io.BytesIO()
        self._in_memory = True

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if self._in_memory and self._file.tell() + len(data) > self._limit:
            self._roll_over()
        return self._file.write(data)

    def _roll_over(self) -> None:
        fd, path = make_temp(self._directory, ".cfl-spool-")
        os.unlink(path)
        disk = os.fdopen(fd, "w+b")
        memory = self._file
        try:
            disk.write(memory.getbuffer())  # type: ignore[attr-defined]
            disk.seek(memory.tell())
        except BaseException:
            disk.close()
            raise
        self._file, self._in_memory = disk, False

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()
