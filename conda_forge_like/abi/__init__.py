"""ABI stage: a package's files + what it promises -> findings (overlinking, overdepending,
glibc floor, ISA level, build-path leaks, ABI breaks against the previous build).

``check(root, files, CheckContext(subdir="linux-64", package_files=frozenset(files),
run_depends=("zlib >=1.3",), dependency_files={"zlib": frozenset({"lib/libz.so.1"})},
microarch_level=1, leak_strings=("/home/ci/work",)))`` ->
``[Finding("error", "isa-level", "bin/tool", "needs x86-64-v4 ...", "compile for ...")]``.
Only ``binary.py`` imports lief; ``diff_symbols`` and the allow-list are pure.
"""

from __future__ import annotations

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
