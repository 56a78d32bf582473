"""What flows through the ABI checks: the context a build passes in and the findings out.

``Finding("error", "glibc-floor", "bin/tool", "needs GLIBC_2.34 ...", "build against ...")``;
``CheckContext(subdir="linux-64", package_files=frozenset({"bin/tool"}), run_depends=(),
dependency_files={})`` checks with the default severities.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from .. import lazy
from ..baseplate.targets import GLIBC_FLOOR
from ..errors import CflError
from ..records import dataclass, field

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[str, ...] = ("error", "warning", "info", "ignore")
CODES: tuple[str, ...] = (
    "overlinking", "overdepending", "glibc-floor", "isa-level", "leak", "abi-break", "abi-added",
    "merged-string-tail", "microarch-marker", "prefix-not-terminated", "win-layout",
)  # fmt: skip

# Breaking the promise of the package's metadata is an error; hygiene problems are warnings.
DEFAULT_SEVERITIES: Mapping[str, str] = MappingProxyType(
    {
        "overlinking": "warning",
        "overdepending": "warning",
        "glibc-floor": "error",
        "isa-level": "error",
        # code above x86-64-v1 without a `_x86_64-microarch-level >=N` run dependency
        "microarch-marker": "error",
        "leak": "error",
        "abi-break": "error",
        "abi-added": "info",
        # Either one corrupts the package the moment a client installs it elsewhere.
        "merged-string-tail": "error",
        "prefix-not-terminated": "error",
        # bin/, lib/, include/ at the root of a win package instead of Library/
        "win-layout": "warning",
    }
)
NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})


class AbiCheckError(CflError):
    """A recipe's ``abi_check`` settings are wrong, or a binary cannot be inspected."""

    exit_code = 5


@dataclass(frozen=True)
class Finding:
    """One problem in one file of a package, with what to change."""

    severity: str  # "error" | "warning" | "info"
    code: str  # one of CODES
    path: str  # file inside the package (relative)
    message: str
    hint: str

    def __str__(self) -> str:
        return f"{self.severity}: [{self.code}] {self.path}: {self.message}"


@dataclass(frozen=True)
class CheckContext:
    """Everything ``check`` knows about the package besides its files."""

    subdir: str
    package_files: frozenset[str]  # relative paths in the package
    run_depends: tuple[str, ...]  # match specs
    dependency_files: Mapping[str, frozenset[str]]  # installed dep name -> its files
    host_run_exporters: tuple[str, ...] = ()  # host deps with run_exports
    # exporter -> the packages its run_exports name (zlib -> libzlib: the split library)
    export_targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    glibc_floor: str = GLIBC_FLOOR
    microarch_level: int | None = None
    leak_strings: tuple[str, ...] = ()  # build prefix, work dir, src dir
    # Regular expressions of any build's paths (another build's work dir, a shared cache a
    # path leaked into), searched after the host prefix is taken out.
    leak_patterns: tuple[str, ...] = ()
    severities: Mapping[str, str] = field(default_factory=dict)  # recipe overrides
    prefix: str = ""  # the (padded) host prefix clients replace at install time; "" = no check


def validate_severities(overrides: Mapping[str, str]) -> list[CflError]:
    """Every problem in a recipe's ``abi_check`` mapping (unknown code or severity)."""
    errors: list[CflError] = []
    for code, level in overrides.items():
        if code not in CODES:
            errors.append(AbiCheckError(
                f"abi_check: unknown check {code!r}", hint=f"known checks: {', '.join(CODES)}"
            ))  # fmt: skip
        elif level not in SEVERITIES:
            errors.append(AbiCheckError(
                f"abi_check: {code}: unknown severity {level!r}",
                hint=f"use one of {', '.join(SEVERITIES)}",
            ))  # fmt: skip
    return errors


def severity_of(code: str, overrides: Mapping[str, str]) -> str:
    """The severity a finding of ``code`` gets: the recipe's override, else the default."""
    return overrides.get(code, DEFAULT_SEVERITIES.get(code, "warning"))


def finding(ctx_severities: Mapping[str, str], code: str, path: str, message: str, hint: str
            ) -> Finding | None:  # fmt: skip
    """A finding with its configured severity, or None when the recipe ignores ``code``."""
    level = severity_of(code, ctx_severities)
    return None if level == "ignore" else Finding(level, code, path, message, hint)


def is_failure(findings: list[Finding]) -> bool:
    """Whether the build must fail: any finding of severity ``error``."""
    return any(f.severity == "error" for f in findings)


class AbiCheckFailed(CflError):
    """A package has error-level findings: the build fails and the package is not indexed."""

    exit_code = 5

    def __init__(self, package: str, findings: list[Finding]):
        errors = [f for f in findings if f.severity == "error"]
        lines = [f"{package}: {len(errors)} ABI check error(s)"] + [f"  {f}" for f in errors]
        hints = sorted({f"{f.code}: {f.hint}" for f in errors})
        super().__init__("\n".join(lines), hint="\n".join(hints))
        self.findings = findings


def raise_for_findings(package: str, findings: list[Finding]) -> None:
    """Raise ``AbiCheckFailed`` when any finding is an error; warnings are the caller's to log."""
    if is_failure(findings):
        raise AbiCheckFailed(package, findings)


_SPEC_NAME = lazy.regex(r"^[^\s=<>!~\[]+")


def spec_name(spec: str) -> str:
    """``"zlib >=1.3,<2"`` -> ``"zlib"``; ``"conda-forge::zlib 1.3"`` -> ``"zlib"``."""
    match = _SPEC_NAME.match(spec.strip().split("::")[-1])
    return match.group(0) if match else spec.strip()
