"""Mach-O and symlink relocation planned as data, and ad-hoc signing of a hand-made Mach-O."""

from __future__ import annotations

import hashlib
import struct

import pytest

from conda_forge_like.relocate import (
    MachoLinks,
    RelocationError,
    SymlinkFix,
    adhoc_sign,
    plan_macho,
    plan_symlinks,
    verify,
)
from conda_forge_like.relocate.codesign import is_signed

PREFIX = "/work/h_env_placehold_placehold"
SYSTEM = "/usr/lib/libSystem.B.dylib"


def test_a_dylib_id_in_the_prefix_becomes_rpath_relative() -> None:
    links = MachoLinks(f"{PREFIX}/lib/libx.1.dylib", (SYSTEM,), (f"{PREFIX}/lib",))
    plan = plan_macho(links, "lib/libx.1.dylib", PREFIX)
    assert plan.new == MachoLinks("@rpath/libx.1.dylib", (SYSTEM,), ("@loader_path",))
    assert plan.changed


def test_prefix_libraries_become_rpath_and_outside_rpaths_are_removed() -> None:
    links = MachoLinks(
        None, (SYSTEM, f"{PREFIX}/lib/libx.dylib", "@rpath/liby.dylib"),
        (f"{PREFIX}/lib", "/usr/local/lib", "$ORIGIN/../lib"),
    )  # fmt: skip
    plan = plan_macho(links, "bin/tool", PREFIX)
    assert plan.new.dylibs == (SYSTEM, "@rpath/libx.dylib", "@rpath/liby.dylib")
    assert plan.new.rpaths == ("@loader_path/../lib",)
    assert [(r.binary, r.entry) for r in plan.removed] == [
        ("bin/tool", "/usr/local/lib"),
        ("bin/tool", "$ORIGIN/../lib"),
    ]


def test_rpath_users_without_a_usable_rpath_get_one_pointing_at_lib() -> None:
    links = MachoLinks(None, (f"{PREFIX}/lib/libx.dylib",), ("/usr/local/lib",))
    plan = plan_macho(links, "libexec/x/tool", PREFIX)
    assert plan.new.rpaths == ("@loader_path/../../lib",)
    in_lib = plan_macho(MachoLinks(None, ("@rpath/liby.dylib",), ()), "lib/libz.dylib", PREFIX)
    assert in_lib.new.rpaths == ("@loader_path",)


def test_a_binary_without_rpath_libraries_gets_no_rpath() -> None:
    plan = plan_macho(MachoLinks(None, (SYSTEM,), ("/usr/local/lib",)), "bin/tool", PREFIX)
    assert plan.new.rpaths == ()


def test_relative_entries_and_other_names_are_kept() -> None:
    links = MachoLinks(
        "@rpath/libx.dylib", ("@loader_path/liby.dylib", "/opt/other/libz.dylib"),
        ("@loader_path/../lib", "@executable_path/../lib"), signed=True,
    )  # fmt: skip
    plan = plan_macho(links, "lib/libx.dylib", PREFIX)
    assert plan.new == links
    assert not plan.changed


def test_the_prefix_must_match_whole_path_components() -> None:
    links = MachoLinks(f"{PREFIX}2/lib/libx.dylib", (), ())
    assert plan_macho(links, "lib/libx.dylib", PREFIX).new.install_name == links.install_name


# -- symlinks ---------------------------------------------------------------------------------


def test_absolute_links_into_the_prefix_become_relative() -> None:
    fixes = plan_symlinks(
        {
            "lib/libx.so": f"{PREFIX}/lib/libx.so.1",
            "bin/tool": f"{PREFIX}/libexec/x/tool",
            "share/x/data": f"{PREFIX}/share/data/",
            "lib/libx.so.1": "libx.so.1.2",
        },
        PREFIX,
    )
    assert fixes == [
        SymlinkFix("bin/tool", f"{PREFIX}/libexec/x/tool", "../libexec/x/tool"),
        SymlinkFix("lib/libx.so", f"{PREFIX}/lib/libx.so.1", "libx.so.1"),
        SymlinkFix("share/x/data", f"{PREFIX}/share/data/", "../data"),
    ]


def test_relative_links_inside_the_prefix_are_kept() -> None:
    links = {"lib/a": "../share/b", "a": "lib/../b", "lib/c/d": "../../x"}
    assert plan_symlinks(links, PREFIX) == []


def test_every_link_leaving_the_prefix_is_named_in_one_error() -> None:
    links = {
        "lib/libz.so": "/usr/lib/libz.so",
        "bin/up": "../../outside",
        "ok": "lib/libx.so",
        "lib/sibling": f"{PREFIX}2/lib/x",
    }
    with pytest.raises(RelocationError) as info:
        plan_symlinks(links, PREFIX)
    message = str(info.value)
    assert "lib/libz.so -> /usr/lib/libz.so: an absolute path outside the prefix" in message
    assert "bin/up -> ../../outside: leaves the prefix" in message
    assert f"lib/sibling -> {PREFIX}2/lib/x" in message
    assert "ok ->" not in message
    assert info.value.hint is not None
    assert "relative target" in info.value.hint


# -- ad-hoc signatures --------------------------------------------------------------------------


def tiny_macho(filetype: int = 2, signature_at: int = 8192) -> bytes:
    """A 64-bit arm64 Mach-O: __TEXT, __LINKEDIT and LC_CODE_SIGNATURE with a dummy blob."""

    def segment(name: bytes, fileoff: int, filesize: int) -> bytes:
        return struct.pack("<II16sQQQQIIII", 0x19, 72, name, fileoff, filesize, fileoff,
                           filesize, 5, 5, 0, 0)  # fmt: skip

    commands = (
        segment(b"__TEXT", 0, 4096)
        + segment(b"__LINKEDIT", 4096, signature_at + 16 - 4096)
        + struct.pack("<IIII", 0x1D, 16, signature_at, 16)
    )
    header = struct.pack("<8I", 0xFEEDFACF, 0x0100000C, 0, filetype, 3, len(commands), 0, 0)
    body = (header + commands).ljust(signature_at, b"\x90")
    return body + b"\xfa\xde\x0c\xc0" + bytes(12)


def test_an_adhoc_signature_hashes_every_page_before_it() -> None:
    data = tiny_macho(signature_at=8200)  # two full pages and a partial one
    signed = adhoc_sign(data, "tool")
    assert is_signed(signed)
    assert verify(signed) == []
    blob = signed[8200:]
    magic, length, count = struct.unpack_from(">III", blob)
    assert (magic, count) == (0xFADE0CC0, 2)
    assert len(blob) % 16 == 0
    assert len(blob) >= length
    cd = struct.unpack_from(">II", blob, 12)[1]
    fields = struct.unpack_from(">IIIIIIIIIBBBB", blob, cd)
    assert fields[0] == 0xFADE0C02
    assert fields[3] == 0x2  # flags: adhoc
    assert (fields[6], fields[7], fields[8]) == (2, 3, 8200)  # special slots, pages, code limit
    assert fields[12] == 12  # log2 of the 4096-byte page
    ident = blob[cd + fields[5] : cd + fields[5] + 5]
    assert ident == b"tool\0"
    page1 = hashlib.sha256(signed[4096:8192]).digest()
    assert blob[cd + fields[4] + 32 : cd + fields[4] + 64] == page1


def test_signing_updates_the_signature_and_linkedit_sizes() -> None:
    signed = adhoc_sign(tiny_macho(), "tool")
    sig_size = struct.unpack_from("<I", signed, 32 + 72 + 72 + 12)[0]
    assert len(signed) == 8192 + sig_size
    linkedit_vmsize, _off, linkedit_filesize = struct.unpack_from("<QQQ", signed, 32 + 72 + 32)
    assert linkedit_filesize == 8192 + sig_size - 4096
    assert linkedit_vmsize % 0x4000 == 0
    assert linkedit_vmsize >= linkedit_filesize


def test_verify_finds_a_changed_page() -> None:
    signed = bytearray(adhoc_sign(tiny_macho(), "tool"))
    signed[5000] ^= 1
    assert verify(bytes(signed)) == ["page 1: hash does not match"]


def test_an_unsigned_or_foreign_file_is_refused() -> None:
    assert not is_signed(tiny_macho()[:32] + bytes(100))
    with pytest.raises(RelocationError, match="not a thin little-endian Mach-O"):
        adhoc_sign(b"\xca\xfe\xba\xbe" + bytes(100), "x")
