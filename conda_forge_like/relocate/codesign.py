"""Ad-hoc code signatures of thin Mach-O files (pure: bytes in, bytes out).

macOS on Apple silicon kills a binary whose signature does not match its pages, and rewriting
load commands changes the first page; ``adhoc_sign(data, "libx.dylib")`` returns the file with
a fresh signature in the space ``LC_CODE_SIGNATURE`` points at: a SuperBlob holding a
CodeDirectory (SHA-256 of every 4096-byte page up to the signature, identifier = file name,
flag adhoc) and an empty requirements set. ``verify(data)`` lists what does not match.

All signature structures are big-endian; the Mach-O headers around them are little-endian.
"""

from __future__ import annotations

import struct

from .. import digests
from ..records import dataclass
from .model import RelocationError

_MH_MAGIC_64 = 0xFEEDFACF
_MH_MAGIC = 0xFEEDFACE
_MH_EXECUTE = 2
_CPU_ARM64 = 0x0100000C
_LC_SEGMENT = 0x1
_LC_SEGMENT_64 = 0x19
_LC_CODE_SIGNATURE = 0x1D

_SUPERBLOB = 0xFADE0CC0
_CODEDIRECTORY = 0xFADE0C02
_REQUIREMENTS = 0xFADE0C01
_SLOT_CODEDIRECTORY = 0
_SLOT_REQUIREMENTS = 2
_CD_VERSION = 0x20400  # the version with the executable-segment fields
_CD_HEADER = struct.Struct(">IIIIIIIIIBBBBIIIIQQQQ")  # 88 bytes, fields as in cs_blobs.h
_CS_ADHOC = 0x2
_CS_EXECSEG_MAIN_BINARY = 0x1
_HASH_SHA256 = 2
_HASH_SIZE = 32
_SPECIAL_SLOTS = 2  # -1 Info.plist (none: zeros), -2 requirements
PAGE_SIZE = 4096
_EMPTY_REQUIREMENTS = struct.pack(">III", _REQUIREMENTS, 12, 0)


@dataclass(frozen=True)
class _Layout:
    """Where the signature and the segments around it sit in one thin Mach-O file."""

    is_64: bool
    filetype: int
    cputype: int
    signature_cmd: int  # file offset of LC_CODE_SIGNATURE
    dataoff: int
    datasize: int
    linkedit_cmd: int  # file offset of the __LINKEDIT segment command
    linkedit_fileoff: int
    linkedit_vmsize: int
    text_fileoff: int
    text_filesize: int


def is_signed(data: bytes) -> bool:
    """Whether a thin Mach-O file has an ``LC_CODE_SIGNATURE``."""
    return _layout(data, require_signature=False) is not None


def adhoc_sign(data: bytes, identifier: str, page_size: int = PAGE_SIZE) -> bytes:
    """``data`` with its signature replaced by an ad-hoc one over everything before it.

    The signature keeps its offset; ``LC_CODE_SIGNATURE``'s size and ``__LINKEDIT``'s sizes are
    set to the new blob's (both sit in the first page, so they are set before hashing).
    """
    layout = _layout(data, require_signature=True)
    assert layout is not None
    limit = layout.dataoff
    pages = -(-limit // page_size)
    ident = identifier.encode() + b"\0"
    cd_size = _CD_HEADER.size + len(ident) + (_SPECIAL_SLOTS + pages) * _HASH_SIZE
    blob_size = 12 + 2 * 8 + cd_size + len(_EMPTY_REQUIREMENTS)
    datasize = -(-blob_size // 16) * 16
    head = bytearray(data[:limit])
    _set_sizes(head, layout, datasize)
    hash_offset = _CD_HEADER.size + len(ident) + _SPECIAL_SLOTS * _HASH_SIZE
    flags = _CS_EXECSEG_MAIN_BINARY if layout.filetype == _MH_EXECUTE else 0
    header = _CD_HEADER.pack(
        _CODEDIRECTORY, cd_size, _CD_VERSION, _CS_ADHOC, hash_offset, _CD_HEADER.size,
        _SPECIAL_SLOTS, pages, limit, _HASH_SIZE, _HASH_SHA256, 0, page_size.bit_length() - 1,
        0, 0, 0, 0, 0, layout.text_fileoff, layout.text_filesize, flags,
    )  # fmt: skip
    special = digests.sha256(_EMPTY_REQUIREMENTS).digest() + bytes(_HASH_SIZE)  # slots -2, -1
    code = b"".join(_page_hashes(head, page_size))
    directory = header + ident + special + code
    index = struct.pack(">IIIIIII", _SUPERBLOB, blob_size, 2, _SLOT_CODEDIRECTORY, 28,
                        _SLOT_REQUIREMENTS, 28 + cd_size)  # fmt: skip
    blob = index + directory + _EMPTY_REQUIREMENTS
    return bytes(head) + blob + bytes(datasize - blob_size)


def verify(data: bytes) -> list[str]:
    """What in a thin Mach-O file's signature does not match its contents; [] when it does."""
    layout = _layout(data, require_signature=True)
    assert layout is not None
    blob = data[layout.dataoff : layout.dataoff + layout.datasize]
    magic, _length, count = struct.unpack_from(">III", blob)
    if magic != _SUPERBLOB:
        return [f"signature magic {magic:#x}, expected {_SUPERBLOB:#x}"]
    slots = dict(struct.unpack_from(">II", blob, 12 + 8 * i) for i in range(count))
    if _SLOT_CODEDIRECTORY not in slots:
        return ["no CodeDirectory in the signature"]
    return _check_directory(data, blob, slots, layout.dataoff)


def _check_directory(data: bytes, blob: bytes, slots: dict[int, int], limit: int) -> list[str]:
    start = slots[_SLOT_CODEDIRECTORY]
    fields = struct.unpack_from(">IIIIIIIIIBBBB", blob, start)
    magic, length, _v, _f, hash_offset, _i, n_special, n_code, code_limit = fields[:9]
    hash_size, hash_type, _platform, page_shift = fields[9:]
    if magic != _CODEDIRECTORY or hash_type != _HASH_SHA256 or hash_size != _HASH_SIZE:
        return ["not a SHA-256 CodeDirectory"]
    problems = [] if code_limit == limit else [f"code limit {code_limit} != signature {limit}"]
    hashes = blob[start + hash_offset : start + length]
    expected = list(_page_hashes(data[:code_limit], 1 << page_shift))
    if len(expected) != n_code:
        problems.append(f"{n_code} page hashes for {len(expected)} pages")
    for page, digest in enumerate(expected[:n_code]):
        if hashes[page * _HASH_SIZE : (page + 1) * _HASH_SIZE] != digest:
            problems.append(f"page {page}: hash does not match")
    if _SLOT_REQUIREMENTS in slots and n_special >= _SLOT_REQUIREMENTS:
        at = slots[_SLOT_REQUIREMENTS]
        size = struct.unpack_from(">I", blob, at + 4)[0]
        slot = start + hash_offset - _SLOT_REQUIREMENTS * _HASH_SIZE
        if blob[slot : slot + _HASH_SIZE] != digests.sha256(blob[at : at + size]).digest():
            problems.append("requirements hash does not match")
    return problems


def _page_hashes(data: bytes | bytearray, page_size: int) -> list[bytes]:
    view = memoryview(data)
    return [
        digests.sha256(view[at : at + page_size]).digest() for at in range(0, len(data), page_size)
    ]


def _set_sizes(head: bytearray, layout: _Layout, datasize: int) -> None:
    struct.pack_into("<I", head, layout.signature_cmd + 12, datasize)
    filesize = layout.dataoff + datasize - layout.linkedit_fileoff
    segment_page = 0x4000 if layout.cputype == _CPU_ARM64 else 0x1000
    vmsize = max(layout.linkedit_vmsize, -(-filesize // segment_page) * segment_page)
    if layout.is_64:  # segment_command_64: vmaddr, vmsize, fileoff, filesize after the name
        struct.pack_into("<Q", head, layout.linkedit_cmd + 32, vmsize)
        struct.pack_into("<Q", head, layout.linkedit_cmd + 48, filesize)
    else:
        struct.pack_into("<I", head, layout.linkedit_cmd + 28, vmsize)
        struct.pack_into("<I", head, layout.linkedit_cmd + 36, filesize)


def _layout(data: bytes, *, require_signature: bool) -> _Layout | None:
    """The offsets ``adhoc_sign`` needs; None (or an error if required) without a signature."""
    if len(data) < 28:
        raise RelocationError("not a Mach-O file: too short")
    magic, cputype, _sub, filetype, ncmds, _size, _flags = struct.unpack_from("<7I", data)
    if magic not in (_MH_MAGIC, _MH_MAGIC_64):
        raise RelocationError(f"not a thin little-endian Mach-O file (magic {magic:#x})")
    is_64 = magic == _MH_MAGIC_64
    found: dict[str, tuple[int, ...]] = {}
    at = 32 if is_64 else 28
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, at)
        if cmd == _LC_CODE_SIGNATURE:
            found["sig"] = (at, *struct.unpack_from("<II", data, at + 8))
        elif cmd in (_LC_SEGMENT, _LC_SEGMENT_64):
            name = data[at + 8 : at + 24].rstrip(b"\0")
            values = struct.unpack_from("<4Q" if is_64 else "<4I", data, at + 24)
            found[name.decode("latin-1")] = (at, *values)  # vmaddr, vmsize, fileoff, filesize
        at += size
    if "sig" not in found:
        if require_signature:
            raise RelocationError("the Mach-O file has no LC_CODE_SIGNATURE")
        return None
    if "__LINKEDIT" not in found or "__TEXT" not in found:
        raise RelocationError("a signed Mach-O file without __TEXT or __LINKEDIT segment")
    sig_cmd, dataoff, datasize = found["sig"]
    linkedit, text = found["__LINKEDIT"], found["__TEXT"]
    return _Layout(
        is_64, filetype, cputype, sig_cmd, dataoff, datasize,
        linkedit[0], linkedit[3], linkedit[2], text[3], text[4],
    )  # fmt: skip
