"""ABI stage: a package's files + what it promises -> findings (overlinking, overdepending,
glibc floor, ISA level, build-path leaks, ABI breaks against the previous build).

``check(root, files, CheckContext(subdir="linux-64", package_files=frozenset(files),
run_depends=("zlib >=1.3",), dependency_files={"zlib": frozenset({"lib/libz.so.1"})},
microarch_level=1, leak_strings=("/home/ci/work",)))`` ->
``[Finding("error", "isa-level", "bin/tool", "needs x86-64-v4 ...", "compile for ...")]``.
Only ``lief_binary.py`` imports lief (Mach-O, PE); ``diff_symbols`` and the allow-list are pure.
The names below load their module on first use, so importing the package costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import lazy

if TYPE_CHECKING:
    from .allowlist import is_system_library, system_patterns
    from .checks import check, exported_symbols, spec_name
    from .inspect import inspect_package, max_versions
    from .isa import IsaCounts, count_instructions
    from .model import (
        CODES,
        DEFAULT_SEVERITIES,
        AbiCheckError,
        AbiCheckFailed,
        CheckContext,
        Finding,
        is_failure,
        raise_for_findings,
        severity_of,
        validate_severities,
    )
    from .symbols import above_floor, diff_symbols

__getattr__ = lazy.exports(
    __name__,
    {
        "is_system_library": ".allowlist",
        "system_patterns": ".allowlist",
        "check": ".checks",
        "exported_symbols": ".checks",
        "spec_name": ".checks",
        "inspect_package": ".inspect",
        "max_versions": ".inspect",
        "IsaCounts": ".isa",
        "count_instructions": ".isa",
        "CODES": ".model",
        "DEFAULT_SEVERITIES": ".model",
        "AbiCheckError": ".model",
        "AbiCheckFailed": ".model",
        "CheckContext": ".model",
        "Finding": ".model",
        "is_failure": ".model",
        "raise_for_findings": ".model",
        "severity_of": ".model",
        "validate_severities": ".model",
        "above_floor": ".symbols",
        "diff_symbols": ".symbols",
    },
)

__all__ = [
    "CODES",
    "DEFAULT_SEVERITIES",
    "AbiCheckError",
    "AbiCheckFailed",
    "CheckContext",
    "Finding",
    "IsaCounts",
    "above_floor",
    "check",
    "count_instructions",
    "diff_symbols",
    "exported_symbols",
    "inspect_package",
    "is_failure",
    "is_system_library",
    "max_versions",
    "raise_for_findings",
    "severity_of",
    "spec_name",
    "system_patterns",
    "validate_severities",
]
