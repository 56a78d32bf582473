"""Prefix strings that install-time replacement would corrupt (bytes + references -> hazards).

Conda clients rewrite a binary file's prefix from each occurrence to the next NUL, shifting the
rest of that C string left and padding with NULs. Two layouts break under that rule:

- a string the linker merged into the tail of the prefix string (``PREFIX "/share/data"`` and
  a separate ``"data"``): a pointer into the middle of the prefix string reads garbage after
  the rewrite (``merged-string-tail``);
- a prefix that is not part of a NUL-terminated C string (Rust and Go keep string literals
  length-delimited and packed): the rewrite runs into the neighbouring data, or never happens
  (``prefix-not-terminated``).

``stretches(b"x/p/share\\0/p\\x01\\x02", b"/p")`` -> ``[Stretch(1, 9, True), Stretch(10, -1,
False)]``; ``hazards(data, b"/p", segments, [0x1005])`` names the references inside a stretch.
Pure: ``binary.read_layout`` gives the segments and relocation targets, ``references`` the
code's RIP-relative targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .. import lazy
from ..records import dataclass

# A C string that holds a path is short; a run longer than this without a NUL is packed data.
MAX_STRING = 4096
# Bytes no text string (path, message, format string) holds: controls other than \t \n \r.
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13)) + b"\x7f"
# objdump's target comments: GNU "# 2055 <sym+0x5>", LLVM "# 0x2055 <sym>".
_TARGET = lazy.regex(r"#\s*(?:0x)?([0-9a-f]+)(?:\s|$)")
# Only address computations take a pointer; loads from inside a string are inlined copies.
_LEA = lazy.regex(r"^\s*[0-9a-f]+:\s+lea[lq]?\s")


@dataclass(frozen=True)
class Segment:
    """A loaded part of the file: bytes ``[offset, offset + size)`` live at ``vaddr``."""

    offset: int
    vaddr: int
    size: int


@dataclass(frozen=True)
class Stretch:
    """What one install-time rewrite touches: from a prefix occurrence to its NUL.

    ``end`` is the NUL's offset (-1 when there is none within ``MAX_STRING`` bytes);
    ``terminated`` says whether the stretch is a plain text C string.
    """

    start: int
    end: int
    terminated: bool


@dataclass(frozen=True)
class Hazard:
    """One stretch that replacement would corrupt, and why."""

    code: str  # "merged-string-tail" | "prefix-not-terminated"
    offset: int  # file offset of the prefix occurrence
    text: str  # the stretch (shortened), for the message
    references: tuple[int, ...] = ()  # virtual addresses pointing into the stretch


def stretches(data: bytes, needle: bytes) -> list[Stretch]:
    """Every stretch a conda client would rewrite (occurrences within one string count once)."""
    found: list[Stretch] = []
    position = 0
    while (start := data.find(needle, position)) != -1:
        end = data.find(b"\0", start + len(needle), start + MAX_STRING)
        if end == -1:
            found.append(Stretch(start, -1, False))
            position = start + len(needle)
            continue
        found.append(Stretch(start, end, _is_text(data[start:end])))
        position = end
    return found


def _is_text(chunk: bytes) -> bool:
    if chunk.translate(None, _CONTROL) != chunk:
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def to_vaddr(offset: int, segments: Sequence[Segment]) -> int | None:
    """The virtual address of file ``offset``, None when no loaded segment holds it."""
    for segment in segments:
        if segment.offset <= offset < segment.offset + segment.size:
            return segment.vaddr + offset - segment.offset
    return None


def hazards(
    data: bytes, needle: bytes, segments: Sequence[Segment], references: Iterable[int]
) -> list[Hazard]:
    """The stretches of ``data`` that replacing ``needle`` would corrupt.

    ``references`` are virtual addresses the code or data points at (RIP-relative targets,
    relocation targets); one landing after a stretch's first byte and before its NUL means
    another string lives in the prefix string's tail.
    """
    targets = sorted(set(references))
    found: list[Hazard] = []
    for stretch in stretches(data, needle):
        text = _shown(data, stretch)
        if not stretch.terminated:
            found.append(Hazard("prefix-not-terminated", stretch.start, text))
            continue
        inside = _inside(stretch, segments, targets)
        if inside:
            found.append(Hazard("merged-string-tail", stretch.start, text, inside))
    return found


def _inside(stretch: Stretch, segments: Sequence[Segment], targets: list[int]) -> tuple[int, ...]:
    span = vaddr_range(stretch, segments)
    if span is None:
        return ()  # not loaded (debug info, comments): nothing points at it at run time
    return tuple(t for t in targets if span[0] < t < span[1])


def _shown(data: bytes, stretch: Stretch, head: int = 40, tail: int = 60) -> str:
    """The stretch for a message: its start and its end (where a merged string sits)."""
    end = stretch.end if stretch.end != -1 else stretch.start + head + tail
    chunk = data[stretch.start : end]
    if len(chunk) > head + tail:
        chunk = chunk[:head] + b"..." + chunk[-tail:]
    return chunk.decode("utf-8", errors="backslashreplace")


def code_targets(lines: Iterable[str]) -> set[int]:
    """The addresses ``lea`` instructions take in ``objdump -d --no-show-raw-insn`` output
    (``lea 0x..(%rip),%rdi  # 4010 <..>``); loads such as an inlined ``memcpy`` of the prefix
    string read inside it without keeping a pointer, and are not references."""
    found: set[int] = set()
    for line in lines:
        hash_at = line.find("#")
        if hash_at != -1 and _LEA.match(line) and (match := _TARGET.match(line, hash_at)):
            found.add(int(match.group(1), 16))
    return found


def absolute_pointers(data: bytes, segments: Sequence[Segment], low: int, high: int) -> set[int]:
    """8-byte aligned little-endian words of loaded bytes with a value in ``(low, high)``.

    A position-dependent executable stores pointers in its data as plain addresses, with no
    relocation to find them by; words whose upper six bytes match the range are checked.
    """
    found: set[int] = set()
    for top in range(low >> 16, (high >> 16) + 1):
        pattern = top.to_bytes(6, "little")
        position = data.find(pattern, 2)
        while position != -1:
            start = position - 2
            value = int.from_bytes(data[start : start + 8], "little")
            if start % 8 == 0 and low < value < high and to_vaddr(start, segments) is not None:
                found.add(value)
            position = data.find(pattern, position + 1)
    return found


def vaddr_range(stretch: Stretch, segments: Sequence[Segment]) -> tuple[int, int] | None:
    """The virtual addresses of a stretch's first byte and of its NUL, if both are loaded."""
    first = to_vaddr(stretch.start, segments)
    nul = to_vaddr(stretch.end, segments) if stretch.end != -1 else None
    return None if first is None or nul is None else (first, nul)
