"""The microarch-marker check: code above x86-64-v1 needs `_x86_64-microarch-level >=N`."""

from __future__ import annotations

import pytest

from conda_forge_like.abi import CODES, DEFAULT_SEVERITIES, CheckContext
from conda_forge_like.abi.isa import IsaCounts
from conda_forge_like.abi.marker import marker_finding, needed_level, promised_level

AVX512 = IsaCounts(avx2=3, avx512=9, level2=0, cpuid=0)
AVX2 = IsaCounts(avx2=5, avx512=0, level2=0, cpuid=0)
BASELINE = IsaCounts(avx2=0, avx512=0, level2=0, cpuid=0)


def ctx(*run_depends: str, **severities: str) -> CheckContext:
    return CheckContext("linux-64", frozenset(), run_depends, {}, severities=severities)


@pytest.mark.parametrize(
    ("depends", "level"),
    [
        ((), 1),
        (("libc",), 1),
        (("_x86_64-microarch-level >=3",), 3),
        (("_x86_64-microarch-level >=2", "_x86_64-microarch-level >=4"), 4),
        (("_x86_64-microarch-level 4",), 4),
        (("_x86_64-microarch-level ==3",), 3),
        (("conda-forge::_x86_64-microarch-level >=2,<5",), 2),
        (("x86_64-microarch-level >=4",), 1),  # the build-time marker promises nothing
        (("_x86_64-microarch-level",), 1),
    ],
)
def test_promised_level(depends: tuple[str, ...], level: int) -> None:
    assert promised_level(depends) == level


def test_needed_level_from_instructions_note_dispatch_and_hwcaps() -> None:
    assert needed_level("lib/libk.so", AVX512, 0, ()) == 4
    assert needed_level("lib/libk.so", BASELINE, 3, ()) == 3
    assert needed_level("lib/libk.so", AVX512, 0, ("__builtin_cpu_supports",)) == 1
    assert needed_level("lib/libk.so", AVX512, 2, ("__builtin_cpu_supports",)) == 2
    assert needed_level("lib/glibc-hwcaps/x86-64-v4/libk.so.1", AVX512, 4, ()) == 1
    assert needed_level("lib/glibc-hwcaps/x86-64-v3/libk.so.1", AVX512, 0, ()) == 4


def test_wide_code_without_the_marker_is_an_error() -> None:
    found = marker_finding("bin/tool", AVX512, 4, (), ctx())
    assert found is not None
    assert (found.severity, found.code, found.path) == ("error", "microarch-marker", "bin/tool")
    assert "x86-64-v4" in found.message
    assert "x86_64-microarch-level 4" in found.hint


def test_a_lower_marker_is_not_enough() -> None:
    found = marker_finding("bin/tool", AVX512, 0, (), ctx("_x86_64-microarch-level >=3"))
    assert found is not None
    assert "_x86_64-microarch-level >=3" in found.message


def test_marker_at_or_above_the_level_passes() -> None:
    assert marker_finding("bin/tool", AVX2, 3, (), ctx("_x86_64-microarch-level >=3")) is None
    assert marker_finding("bin/tool", AVX2, 0, (), ctx("_x86_64-microarch-level >=4")) is None
    assert marker_finding("bin/tool", BASELINE, 0, (), ctx()) is None


def test_severity_is_configurable() -> None:
    assert "microarch-marker" in CODES
    assert DEFAULT_SEVERITIES["microarch-marker"] == "error"
    found = marker_finding("bin/tool", AVX2, 0, (), ctx(**{"microarch-marker": "warning"}))
    assert found is not None
    assert found.severity == "warning"
    assert marker_finding("bin/tool", AVX2, 0, (), ctx(**{"microarch-marker": "ignore"})) is None
