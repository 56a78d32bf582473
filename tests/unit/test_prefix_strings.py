"""Prefix strings that install-time replacement would corrupt, found on synthetic bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like.abi.prefix_strings import (
    Segment,
    Stretch,
    absolute_pointers,
    code_targets,
    hazards,
    stretches,
    to_vaddr,
)
from conda_forge_like.relocate import replace_binary

PREFIX = b"/opt/h_env_placehold_placehold"
# One loaded segment: file offset 0x100 lives at 0x401100.
SEGMENTS = (Segment(offset=0x100, vaddr=0x401100, size=0x1000),)


def rodata(*strings: bytes) -> tuple[bytes, list[int]]:
    """Bytes with ``strings`` laid out from offset 0x100, and each string's offset."""
    data = bytearray(b"\x7fELF" + b"\0" * 0xFC)
    offsets = []
    for text in strings:
        offsets.append(len(data))
        data += text
    return bytes(data + b"\0" * 64), offsets


def test_c_strings_are_terminated_stretches() -> None:
    data, (first, second) = rodata(PREFIX + b"/share/data\0", b"-L" + PREFIX + b"/lib\0")
    assert stretches(data, PREFIX) == [
        Stretch(first, first + len(PREFIX) + 11, True),
        Stretch(second + 2, second + len(PREFIX) + 6, True),
    ]


def test_occurrences_in_one_string_make_one_stretch() -> None:
    data, (start,) = rodata(PREFIX + b"/lib:" + PREFIX + b"/lib64\0")
    assert [s.start for s in stretches(data, PREFIX)] == [start]


def test_format_strings_and_messages_are_terminated() -> None:
    data, _ = rodata(b"cannot open " + PREFIX + b"/etc/x.conf: %s\n\0")
    assert all(s.terminated for s in stretches(data, PREFIX))


def test_packed_length_delimited_strings_are_not_terminated() -> None:
    # Rust/Go: the literal is followed by other data, the next NUL belongs to something else.
    data, _ = rodata(PREFIX + b"/share/data\x03\x00\x00\x00\x10\x11")
    found = hazards(data, PREFIX, SEGMENTS, [])
    assert [h.code for h in found] == ["prefix-not-terminated"]


def test_no_nul_within_reach_is_not_terminated() -> None:
    data, _ = rodata(PREFIX + b"/share/data" + b"more text " * 500)
    assert [s.terminated for s in stretches(data, PREFIX)] == [False]


def test_a_reference_into_the_tail_is_a_merged_string() -> None:
    data, (start,) = rodata(PREFIX + b"/share/data\0")
    tail = to_vaddr(start + len(PREFIX) + 7, SEGMENTS)  # "data", the merged literal
    head = to_vaddr(start, SEGMENTS)
    assert tail is not None
    assert head is not None
    found = hazards(data, PREFIX, SEGMENTS, [head, tail, head + 0x2000])
    assert [(h.code, h.offset, h.references) for h in found] == [
        ("merged-string-tail", start, (tail,))
    ]
    # What goes wrong: after replacement the merged pointer reads padding, not "data".
    replaced = replace_binary(data, PREFIX, b"/q")
    assert replaced[start + len(PREFIX) + 7 : start + len(PREFIX) + 11] != b"data"


def test_references_to_the_start_or_the_nul_are_safe() -> None:
    data, (start,) = rodata(PREFIX + b"/share/data\0")
    head = to_vaddr(start, SEGMENTS)
    assert head is not None
    nul = head + len(PREFIX) + 11
    assert hazards(data, PREFIX, SEGMENTS, [head, nul]) == []


def test_strings_outside_loaded_segments_cannot_be_referenced() -> None:
    data, (start,) = rodata(PREFIX + b"/share/data\0")
    segments = (Segment(offset=0x2000, vaddr=0x402000, size=0x100),)
    assert hazards(data, PREFIX, segments, [0x401100 + start + 5]) == []


def test_absolute_pointers_in_data() -> None:
    data, (start,) = rodata(PREFIX + b"/share/data\0")
    padding = b"\0" * (-len(data) % 8)
    inside = 0x401100 + (start - 0x100) + 5
    data += padding + inside.to_bytes(8, "little") + (inside + 0x10000).to_bytes(8, "little")
    segments = (Segment(offset=0x100, vaddr=0x401000, size=len(data)),)
    assert absolute_pointers(data, segments, inside - 5, inside + 20) == {inside}


def test_objdump_target_comments() -> None:
    lines = [
        "  1161:\tlea    0xeed(%rip),%rax        # 2055 <_IO_stdin_used+0x55>",
        "  1150:      \tleaq\t0xefe(%rip), %rax          # 0x2055 <name+0x5>",
        "  1170:\tcall   1030 <puts@plt>",
        "  1180:\tmov    $0x23,%eax",
        "  1190:\tmovups 0xe71(%rip),%xmm0        # 2065 <_IO_stdin_used+0x65>",
    ]
    assert code_targets(lines) == {0x2055}


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/bin/true", True), ("/usr/aarch64-linux-gnu/lib/libc.so.6", False)],
)
def test_code_targets_are_read_only_from_x86_64_code(path: str, expected: bool) -> None:
    """An aarch64 library (a linux-aarch64 python) is never given to the host's objdump, which
    cannot disassemble it ("can't disassemble for architecture UNKNOWN")."""
    from conda_forge_like.abi.prefix_check import _x86_64

    if not Path(path).is_file():
        pytest.skip(f"{path} is not installed (libc6-arm64-cross)")
    assert _x86_64(Path(path).read_bytes()[:64]) is expected
