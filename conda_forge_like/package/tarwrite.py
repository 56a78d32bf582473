"""The tar streams inside packages, written without ``tarfile``.

``TarWriter(out)`` writes POSIX.1-2001 (pax) members, byte for byte what ``tarfile`` writes
in ``PAX_FORMAT`` for the same members: a ustar header per member, preceded by a pax header
(``././@PaxHeader``) only for what ustar cannot hold (a path or link target longer than 100
characters or not ASCII, a size of 8 GiB or more), data padded to 512-byte blocks, and two
zero blocks plus padding to a 10240-byte record at the end. Every member has uid/gid 0 and
empty owner names, as cfl's packages do. ``tarfile`` costs some 3 ms to import (with ``copy``,
``pwd`` and ``grp``); writing a package needs none of it, and the bytes no longer depend on
the Python version's ``tarfile``.
"""

from __future__ import annotations

import os
from typing import IO, Protocol

BLOCK = 512
RECORD = 20 * BLOCK  # tar's default blocking factor
REGULAR, SYMLINK, DIRECTORY = b"0", b"2", b"5"
_PAX = b"x"
_MAGIC = b"ustar\x0000"
_LIMIT = 8**11  # the largest number a 12-digit octal field holds, plus one


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _text(value: str, length: int) -> bytes:
    raw = value.encode("ascii", "replace")  # what does not fit is in the pax header
    return raw[:length] + bytes(length - len(raw[:length]))


def _octal(number: int, digits: int) -> bytes:
    return b"%0*o\0" % (digits - 1, number)


def _ustar(name: str, kind: bytes, mode: int, size: int, mtime: int, linkname: str) -> bytes:
    fields = b"".join(
        [
            _text(name, 100),
            _octal(mode & 0o7777, 8),
            _octal(0, 8),  # uid
            _octal(0, 8),  # gid
            _octal(size, 12),
            _octal(mtime, 12),
            b" " * 8,  # the checksum, counted as spaces
            kind,
            _text(linkname, 100),
            _MAGIC,
            bytes(32 + 32 + 8 + 8 + 155),  # uname, gname, devmajor, devminor, prefix
        ]
    )
    header = fields + bytes(BLOCK - len(fields))
    checksum = sum(header)
    return header[:148] + b"%06o\0" % checksum + header[155:]


def _pax_records(values: dict[str, str]) -> bytes:
    """``<length> <key>=<value>\\n`` records; a value that is not UTF-8 (a file name's
    undecodable bytes) makes the header binary, holding the name's bytes as they are."""
    binary = any(not _is_utf8(value) for value in values.values())
    records = b"21 hdrcharset=BINARY\n" if binary else b""
    for key, value in values.items():
        raw = os.fsencode(value) if binary else value.encode("utf-8")
        body = len(key) + len(raw) + 3  # " ", "=", "\n"
        length = 0
        while length != body + len(str(length)):  # the length counts its own digits
            length = body + len(str(length))
        records += b"%d %s=%s\n" % (length, key.encode(), raw)
    return records


def _is_utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def header(
    name: str, kind: bytes, mode: int, mtime: int, size: int = 0, linkname: str = ""
) -> bytes:
    """A member's header blocks (the pax header first, when one is needed)."""
    if kind == DIRECTORY and not name.endswith("/"):
        name += "/"
    pax: dict[str, str] = {}
    for key, value in (("path", name), ("linkpath", linkname)):
        if not value.isascii() or len(value) > 100:
            pax[key] = value
    numbers = {"size": size, "mtime": mtime}
    for key, number in numbers.items():
        if not 0 <= number < _LIMIT:
            pax[key] = str(number)
            numbers[key] = 0
    ustar = _ustar(name, kind, mode, numbers["size"], numbers["mtime"], linkname)
    if not pax:
        return ustar
    records = _pax_records(pax)
    return _ustar("././@PaxHeader", _PAX, 0, len(records), 0, "") + _padded(records) + ustar


def _padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % BLOCK)


class TarWriter:
    """Members appended to ``out`` in order; ``close()`` ends the archive (not ``out``)."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.offset = 0

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def add(
        self,
        name: str,
        kind: bytes,
        mode: int,
        mtime: int,
        size: int = 0,
        linkname: str = "",
        data: Readable | None = None,
    ) -> None:
        """One member; a regular file's ``size`` bytes are read from ``data`` (fewer is an
        OSError, as with ``tarfile``)."""
        self._write(header(name, kind, mode, mtime, size, linkname))
        if data is None:
            return
        left = size
        while left:
            chunk = data.read(min(left, 1 << 20))
            if not chunk:
                raise OSError("unexpected end of data")
            self._write(chunk)
            left -= len(chunk)
        self._write(bytes(-size % BLOCK))

    def add_bytes(self, name: str, content: bytes, mtime: int, mode: int = 0o644) -> None:
        self._write(header(name, REGULAR, mode, mtime, len(content)))
        self._write(_padded(content))

    def close(self) -> None:
        self._write(bytes(2 * BLOCK))
        self._write(bytes(-self.offset % RECORD))
