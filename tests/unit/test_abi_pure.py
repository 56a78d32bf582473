"""The pure parts of the ABI checks: symbol diffs, severities, allow-lists, ISA counting."""

from __future__ import annotations

import pytest

from conda_forge_like.abi import (
    DEFAULT_SEVERITIES,
    AbiCheckFailed,
    above_floor,
    count_instructions,
    diff_symbols,
    is_failure,
    is_system_library,
    max_versions,
    raise_for_findings,
    severity_of,
    spec_name,
    validate_severities,
)
from conda_forge_like.abi.binary import parse_isa_note
from conda_forge_like.abi.isa import classify_instruction
from conda_forge_like.abi.model import Finding, finding

OBJDUMP_GNU = """
bin/tool:     file format elf64-x86-64


Disassembly of section .text:

0000000000001040 <main>:
    1040:\tc5 fd 6f 04 07       \tvmovdqa (%rdi,%rax,1),%ymm0
    1045:\t62 f1 7d 48 fe c1    \tvpaddd %zmm1,%zmm0,%zmm0
    104b:\t62 f3 75 48 25 c2 96 \tvpternlogd $0x96,%zmm2,%zmm1,%zmm0
    1052:\t00 00 00 00
    1056:\tf3 0f b8 c7          \tpopcnt %edi,%eax
    105a:\t0f a2                \tcpuid
    105c:\t48 01 d0             \tadd    %rdx,%rax
    105f:\tc3                   \tret
"""
OBJDUMP_LLVM = """
0000000000001010 <f>:
    1010:      \tvpaddd\t%ymm1, %ymm0, %ymm0
    1014:      \tvpaddd\t%xmm1, %xmm0, %xmm0 {%k1}
    101a:      \tretq
"""


def test_diff_symbols_removed_symbol_is_an_abi_break() -> None:
    old = {"libfoo.so.1": {"foo@FOO_1", "bar@FOO_1"}}
    new = {"libfoo.so.1": {"foo@FOO_1", "baz@FOO_2"}}
    findings = diff_symbols(old, new)
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("error", "abi-break", "libfoo.so.1"),
        ("info", "abi-added", "libfoo.so.1"),
    ]
    assert "bar@FOO_1" in findings[0].message
    assert "baz@FOO_2" in findings[1].message


def test_diff_symbols_soname_bump_is_not_a_break() -> None:
    findings = diff_symbols({"libfoo.so.1": {"foo", "bar"}}, {"libfoo.so.2": {"foo"}})
    assert findings == []


def test_diff_symbols_dropped_library_without_successor_is_a_break() -> None:
    findings = diff_symbols({"libfoo.so.1": {"foo"}, "libz.so.1": {"z"}}, {"libz.so.1": {"z"}})
    assert [(f.code, f.path) for f in findings] == [("abi-break", "libfoo.so.1")]


def test_diff_symbols_identical_and_overridden() -> None:
    assert diff_symbols({"a.so.1": {"x"}}, {"a.so.1": {"x"}}) == []
    findings = diff_symbols({"a.so.1": {"x"}}, {"a.so.1": set()}, {"abi-break": "warning"})
    assert [f.severity for f in findings] == ["warning"]


def test_default_severities() -> None:
    for code in ("glibc-floor", "isa-level", "leak", "abi-break"):
        assert DEFAULT_SEVERITIES[code] == "error"
    for code in ("overlinking", "overdepending"):
        assert DEFAULT_SEVERITIES[code] == "warning"


def test_recipe_overrides_severity_and_can_ignore() -> None:
    assert severity_of("overlinking", {"overlinking": "error"}) == "error"
    assert severity_of("leak", {"overlinking": "error"}) == "error"
    assert finding({"leak": "ignore"}, "leak", "a", "m", "h") is None
    made = finding({"overlinking": "error"}, "overlinking", "bin/x", "m", "h")
    assert made == Finding("error", "overlinking", "bin/x", "m", "h")
    assert is_failure([made])
    assert not is_failure([Finding("warning", "overlinking", "bin/x", "m", "h")])


def test_invalid_severity_config_reports_every_problem() -> None:
    errors = validate_severities({"overlinking": "fatal", "nonsense": "error", "leak": "info"})
    assert len(errors) == 2
    assert "fatal" in errors[0].message
    assert "nonsense" in errors[1].message
    assert errors[1].hint is not None


@pytest.mark.parametrize(
    ("needed", "subdir", "allowed"),
    [
        ("libc.so.6", "linux-64", True),
        ("libpthread.so.0", "linux-aarch64", True),
        ("ld-linux-x86-64.so.2", "linux-64", True),
        ("ld-linux-aarch64.so.1", "linux-aarch64", True),
        ("libgcc_s.so.1", "linux-64", True),
        ("libz.so.1", "linux-64", False),
        ("libssl.so.3", "linux-64", False),
        ("/usr/lib/libSystem.B.dylib", "osx-arm64", True),
        ("/usr/lib/libc++.1.dylib", "osx-64", True),
        ("@rpath/libz.1.dylib", "osx-64", False),
        ("libc.so.6", "osx-64", False),
        ("KERNEL32.dll", "win-64", True),
        ("api-ms-win-crt-runtime-l1-1-0.dll", "win-64", True),
        ("zlib.dll", "win-64", False),
    ],
)
def test_system_library_allow_list(needed: str, subdir: str, allowed: bool) -> None:
    assert is_system_library(needed, subdir) is allowed


def test_spec_name() -> None:
    assert spec_name("zlib >=1.3,<2") == "zlib"
    assert spec_name("conda-forge::libpng 1.6.*") == "libpng"
    assert spec_name("openssl>=3") == "openssl"
    assert spec_name("python") == "python"


def test_above_floor_compares_numerically() -> None:
    imports = [
        ("memcpy", "GLIBC_2.14"),
        ("gettid", "GLIBC_2.30"),
        ("printf", "GLIBC_2.2.5"),
        ("x", "GLIBCXX_3.4.30"),
        ("y", "CXXABI_1.3.7"),
    ]
    assert above_floor(imports, "2.17") == [("gettid", "GLIBC_2.30")]
    families = ("GLIBC", "GLIBCXX", "CXXABI")
    assert above_floor(imports, "2.17", families) == [
        ("gettid", "GLIBC_2.30"),
        ("x", "GLIBCXX_3.4.30"),
    ]
    assert above_floor(imports, "2.34", families) == [("x", "GLIBCXX_3.4.30")]


def test_max_versions() -> None:
    imports = (("a", "GLIBC_2.9"), ("b", "GLIBC_2.17"), ("c", "GLIBCXX_3.4.9"), ("d", "FOO_1"))
    assert max_versions(imports) == {"GLIBC": "GLIBC_2.17", "GLIBCXX": "GLIBCXX_3.4.9"}


def test_count_instructions_gnu_objdump() -> None:
    counts = count_instructions(OBJDUMP_GNU.splitlines())
    assert (counts.avx2, counts.avx512, counts.level2, counts.cpuid) == (1, 2, 1, 1)
    assert counts.level == 4


def test_count_instructions_llvm_objdump_and_mask_registers() -> None:
    counts = count_instructions(OBJDUMP_LLVM.splitlines())
    assert (counts.avx2, counts.avx512) == (1, 1)


def test_baseline_code_is_level_one() -> None:
    lines = ["  10:\t48 01 d0\tadd    %rdx,%rax", "  13:\t66 0f fe c1\tpaddd  %xmm1,%xmm0"]
    assert count_instructions(lines).level == 1


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("vaddps %xmm1,%xmm2,%xmm3", 3),
        ("vfmadd231ps %ymm1,%ymm2,%ymm3", 3),
        ("vaddps %zmm1,%zmm2,%zmm3", 4),
        ("kmovw %k1,%eax", 4),
        ("vpternlogd $0x96,%xmm2,%xmm1,%xmm0", 4),
        ("vpmovdb %xmm1,%xmm0", 4),  # AVX-512's truncations
        ("vpmovusqw %ymm1,%xmm0", 4),
        ("vpmovsxbd (%rdi),%ymm0", 3),  # AVX2's sign and zero extensions
        ("vpmovzxbq %xmm1,%ymm0", 3),
        ("vpmovmskb %ymm0,%eax", 3),
        ("pshufb %xmm1,%xmm0", 2),
        ("crc32b %al,%ecx", 1),  # suffixed forms are not matched: undercounting is safe here
        ("movdqa %xmm1,%xmm0", 1),
        ("cpuid", 0),
    ],
)
def test_classify_instruction(text: str, level: int) -> None:
    assert classify_instruction(text) == level


def _note(bits: int, kind: int = 0xC0008002) -> bytes:
    desc = kind.to_bytes(4, "little") + (4).to_bytes(4, "little") + bits.to_bytes(4, "little")
    desc += b"\0" * 4
    header = (4).to_bytes(4, "little") + len(desc).to_bytes(4, "little") + (5).to_bytes(4, "little")
    return header + b"GNU\0" + desc


def test_parse_isa_note() -> None:
    assert parse_isa_note(_note(1)) == 1
    assert parse_isa_note(_note(0b1001)) == 4
    assert parse_isa_note(_note(1, kind=0xC0000002)) == 1
    assert parse_isa_note(_note(1, kind=0xC0000001)) is None
    assert parse_isa_note(b"") is None


def test_raise_for_findings_lists_errors_and_hints() -> None:
    warning = Finding("warning", "overlinking", "bin/a", "links libz.so.1", "add zlib")
    raise_for_findings("pkg-1.0-0", [warning])
    error = Finding("error", "glibc-floor", "bin/b", "needs GLIBC_2.34", "use the sysroot")
    with pytest.raises(AbiCheckFailed) as caught:
        raise_for_findings("pkg-1.0-0", [warning, error])
    assert "bin/b" in caught.value.message
    assert "bin/a" not in caught.value.message
    assert caught.value.hint == "glibc-floor: use the sysroot"
    assert caught.value.findings == [warning, error]


def test_microarch_level_from_depends() -> None:
    from conda_forge_like.abi.inspect import microarch_level

    assert microarch_level(("libc", "_x86_64-microarch-level >=3")) == 3
    assert microarch_level(("zlib >=1.3",)) is None


def test_glibc_floor_from_depends() -> None:
    from conda_forge_like.abi.inspect import glibc_floor

    assert glibc_floor(("libc", "__glibc >=2.36,<3.0.a0")) == "2.36"
    assert glibc_floor(("__glibc >=2.28",)) == "2.28"
    assert glibc_floor(("zlib >=1.3",)) == "2.17"
