"""Telling executable formats apart by their first bytes (pure).

``binary_format(b"\\x7fELF\\x02...")`` -> ``"elf"``; text files and archives give ``None``.
"""

from __future__ import annotations

from .model import BinaryFormat

HEAD_SIZE = 4096  # enough to reach the PE signature behind the DOS stub

_MACHO_MAGICS = (
    b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe",  # 32-bit, big and little endian
    b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",  # 64-bit
)  # fmt: skip
_FAT_MAGIC = b"\xca\xfe\xba\xbe"
# Java class files share the fat Mach-O magic; their next word (the class file version) is
# at least 45, while a universal binary holds only a handful of architectures.
_MAX_FAT_ARCHES = 30


def binary_format(head: bytes) -> BinaryFormat | None:
    """The format of a file starting with ``head`` (at least ``HEAD_SIZE`` bytes if it has them)."""
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head[:4] in _MACHO_MAGICS:
        return "macho"
    if head.startswith(_FAT_MAGIC) and len(head) >= 8:
        return "macho" if int.from_bytes(head[4:8], "big") < _MAX_FAT_ARCHES else None
    if head.startswith(b"MZ") and len(head) >= 64:
        offset = int.from_bytes(head[60:64], "little")  # e_lfanew: where "PE\0\0" sits
        return "pe" if head[offset : offset + 4] == b"PE\0\0" else None
    return None
