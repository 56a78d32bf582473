"""Relocation planning as data: RPATH plans, the clients' binary replacement, format magic."""

from __future__ import annotations

import pytest

from conda_forge_like.errors import CflError
from conda_forge_like.relocate import binary_format, plan_rpaths, replace_binary

PREFIX = "/work/h_env_placehold_placehold"


def new(rpaths: list[str], binary: str, prefix: str = PREFIX) -> tuple[str, ...]:
    return plan_rpaths(rpaths, binary, prefix).new


@pytest.mark.parametrize(
    ("rpaths", "binary", "expected"),
    [
        ([f"{PREFIX}/lib"], "lib/libgreet.so", ("$ORIGIN",)),
        ([f"{PREFIX}/lib"], "bin/greet", ("$ORIGIN/../lib",)),
        ([f"{PREFIX}/lib"], "lib/python3.12/site-packages/pkg/_ext.so", ("$ORIGIN/../../..",)),
        ([f"{PREFIX}/lib/R/lib"], "lib/R/library/x/libs/x.so", ("$ORIGIN/../../../lib",)),
        ([f"{PREFIX}/lib64"], "bin/greet", ("$ORIGIN/../lib64",)),
        ([PREFIX], "bin/greet", ("$ORIGIN/..",)),
        ([f"{PREFIX}/bin"], "bin/greet", ("$ORIGIN",)),
        ([f"{PREFIX}/lib/../lib/./"], "bin/greet", ("$ORIGIN/../lib",)),
        ([f"{PREFIX}//lib/"], "./bin/greet", ("$ORIGIN/../lib",)),
    ],
)
def test_entries_inside_the_prefix_become_origin_relative(
    rpaths: list[str], binary: str, expected: tuple[str, ...]
) -> None:
    assert new(rpaths, binary) == expected


def test_a_trailing_slash_on_the_prefix_does_not_matter() -> None:
    assert new([f"{PREFIX}/lib"], "bin/greet", prefix=PREFIX + "/") == ("$ORIGIN/../lib",)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("$ORIGIN", "$ORIGIN"),
        ("$ORIGIN/../lib", "$ORIGIN/../lib"),
        ("$ORIGIN/../lib/", "$ORIGIN/../lib"),
        ("$ORIGIN/.", "$ORIGIN"),
        ("${ORIGIN}/../lib", "$ORIGIN/../lib"),
    ],
)
def test_origin_entries_are_kept(entry: str, expected: str) -> None:
    plan = plan_rpaths([entry], "bin/greet", PREFIX)
    assert plan.new == (expected,)
    assert plan.removed == ()


@pytest.mark.parametrize(
    "entry",
    [
        "/usr/local/lib",
        "/home/builder/conda-bld/work/_build",  # the build machine's work dir
        "/work/_build_env/lib",  # the build prefix
        PREFIX + "_other/lib",  # shares the prefix's text but is not under it
        "/opt/intel/lib",
    ],
)
def test_entries_outside_the_prefix_are_removed_with_a_reason(entry: str) -> None:
    plan = plan_rpaths([f"{PREFIX}/lib", entry], "bin/greet", PREFIX)
    assert plan.new == ("$ORIGIN/../lib",)
    [removed] = plan.removed
    assert (removed.binary, removed.entry) == ("bin/greet", entry)
    assert "outside the prefix" in removed.reason
    assert str(removed).startswith(f"bin/greet: removed RPATH entry {entry!r}")


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("/usr/lib", "system directory"),
        ("/lib64/", "system directory"),
        ("", "working directory"),
        ("lib", "working directory"),
        ("../lib", "working directory"),
        ("$LIB/foo", "loader token"),
        ("$ORIGINAL/lib", "loader token"),  # not $ORIGIN
    ],
)
def test_system_empty_and_relative_entries_are_removed(entry: str, reason: str) -> None:
    plan = plan_rpaths([entry], "bin/greet", PREFIX)
    assert plan.new == ()
    assert reason in plan.removed[0].reason


def test_duplicates_collapse_keeping_first_order() -> None:
    rpaths = [f"{PREFIX}/lib", "$ORIGIN/../lib", f"{PREFIX}/lib/", f"{PREFIX}/lib64", "$ORIGIN"]
    assert new(rpaths, "bin/greet") == ("$ORIGIN/../lib", "$ORIGIN/../lib64", "$ORIGIN")


def test_colon_joined_entries_are_split() -> None:
    plan = plan_rpaths([f"{PREFIX}/lib:/usr/local/lib"], "bin/greet", PREFIX)
    assert plan.original == (f"{PREFIX}/lib", "/usr/local/lib")
    assert plan.new == ("$ORIGIN/../lib",)


def test_everything_removed_gives_an_empty_plan() -> None:
    plan = plan_rpaths(["/usr/local/lib", "/build/lib"], "lib/libx.so", PREFIX)
    assert plan.new == ()
    assert [r.entry for r in plan.removed] == ["/usr/local/lib", "/build/lib"]
    assert plan.changed


def test_no_entries_is_an_unchanged_empty_plan() -> None:
    plan = plan_rpaths([], "lib/libx.so", PREFIX)
    assert (plan.original, plan.new, plan.removed, plan.changed) == ((), (), (), False)


def test_an_already_relocated_binary_is_unchanged() -> None:
    assert not plan_rpaths(["$ORIGIN/../lib"], "bin/greet", PREFIX).changed


def test_mach_o_spelling_plans_loader_path_entries() -> None:
    rpaths = [f"{PREFIX}/lib", "@loader_path/../lib", "@executable_path/x", "/usr/local/lib"]
    plan = plan_rpaths(rpaths, "bin/greet", PREFIX, origin="@loader_path")
    assert plan.new == ("@loader_path/../lib", "@executable_path/x")
    assert [r.entry for r in plan.removed] == ["/usr/local/lib"]


# -- replace_binary: the conda clients' rule for files with file_mode "binary" --------------

OLD = b"/opt/placehold_placehold"


@pytest.mark.parametrize(
    ("data", "new_prefix", "expected"),
    [
        (b"A" + OLD + b"/share\0B", b"/usr", b"A/usr/share\0" + b"\0" * 20 + b"B"),
        (OLD + b"\0", b"/usr", b"/usr\0" + b"\0" * 20),
        (  # two occurrences in one C string: both replaced, padding for both
            b"-I" + OLD + b"/inc:" + OLD + b"/lib\0tail",
            b"/x",
            b"-I/x/inc:/x/lib\0" + b"\0" * 44 + b"tail",
        ),
        (  # one occurrence in each of two strings: each padded behind its own NUL
            OLD + b"\0" + OLD + b"/lib\0",
            b"/xyz",
            b"/xyz\0" + b"\0" * 20 + b"/xyz/lib\0" + b"\0" * 20,
        ),
        (OLD + b"\0", OLD, OLD + b"\0"),  # same length: nothing to pad
        (b"no prefix here\0", b"/x", b"no prefix here\0"),
        (b"unterminated " + OLD, b"/x", b"unterminated " + OLD),  # clients leave it alone
    ],
)
def test_replace_binary_keeps_length_and_pads_each_string(
    data: bytes, new_prefix: bytes, expected: bytes
) -> None:
    result = replace_binary(data, OLD, new_prefix)
    assert result == expected
    assert len(result) == len(data)


def test_replace_binary_leaves_bytes_after_the_string_in_place() -> None:
    data = b"\x01\x02" + OLD + b"/etc\0" + b"\xff" * 8
    result = replace_binary(data, OLD, b"/p")
    assert result.index(b"\xff") == data.index(b"\xff")
    assert result.split(b"\0")[0] == b"\x01\x02/p/etc"


def test_replace_binary_refuses_a_longer_prefix() -> None:
    with pytest.raises(CflError, match="cannot replace") as info:
        replace_binary(OLD + b"\0", OLD, OLD + b"/longer")
    assert info.value.hint


def test_replace_binary_refuses_an_empty_placeholder() -> None:
    with pytest.raises(ValueError, match="empty"):
        replace_binary(b"data\0", b"", b"")


# -- binary_format: magic numbers ---------------------------------------------------------


def _pe(offset: int = 0x80) -> bytes:
    head = bytearray(b"MZ" + b"\0" * (offset + 8))
    head[60:64] = offset.to_bytes(4, "little")
    head[offset : offset + 4] = b"PE\0\0"
    return bytes(head)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x7fELF\x02\x01\x01\0", "elf"),
        (b"\xcf\xfa\xed\xfe\x07\0\0\x01", "macho"),
        (b"\xce\xfa\xed\xfe\x07\0\0\0", "macho"),
        (b"\xca\xfe\xba\xbe\0\0\0\x02", "macho"),  # universal binary, two slices
        (b"\xca\xfe\xba\xbe\0\0\0\x34", None),  # a Java class file
        (_pe(), "pe"),
        (b"MZ just text that happens to start like a DOS header" + b" " * 64, None),
        (b"#!/bin/sh\n", None),
        (b"!<arch>\n", None),  # static archive: nothing to relink
        (b"", None),
    ],
)
def test_binary_format(head: bytes, expected: str | None) -> None:
    assert binary_format(head) == expected
