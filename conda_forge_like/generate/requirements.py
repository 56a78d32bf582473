"""PEP 508 requirements as conda match specs (pure).

``conda_spec("flit_core >=3.11,<5")`` -> ``"flit-core >=3.11,<5"``;
``conda_spec("foo~=1.4.2")`` -> ``"foo >=1.4.2,<1.5.0a0"``;
``run_requirements(["a", "b; python_version < '3.8'", "c; extra == 'test'"], "3.11")`` ->
``["a"]``. Markers are evaluated for one target (CPython ``python`` on linux-64); extras are
dropped, as a conda package has none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet

from ..errors import SourceError

# Lower bounds first, then upper bounds, so a spec reads ">=1.0,<2".
_ORDER = {">=": 0, ">": 1, "==": 2, "===": 2, "~=": 3, "!=": 4, "<=": 5, "<": 6}


def conda_name(name: str) -> str:
    """A PyPI name as conda-forge spells it: ``Flit_Core`` -> ``flit-core`` (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_spec(requirement: str | Requirement) -> str:
    """One requirement as a conda match spec; its marker and extras are not kept."""
    req = _parse(requirement) if isinstance(requirement, str) else requirement
    constraints = conda_constraints(req.specifier)
    return f"{conda_name(req.name)} {constraints}" if constraints else conda_name(req.name)


def conda_constraints(specifier: SpecifierSet) -> str:
    """A PEP 440 specifier set as a conda version constraint (``""`` for no constraint)."""
    ordered = sorted(specifier, key=lambda s: (_ORDER.get(s.operator, 9), s.version))
    parts = [_constraint(s) for s in ordered]
    return ",".join(part for part in parts if part)


def _constraint(spec: Specifier) -> str:
    operator, version = spec.operator, spec.version
    if operator == "~=":
        return f">={version},<{_compatible_upper(version)}"
    if operator in ("==", "==="):
        # conda's "1.2.*" is PEP 440's "==1.2.*"; an exact version stays "==1.2".
        return version if version.endswith(".*") else f"=={version}"
    return f"{operator}{version}"


def _compatible_upper(version: str) -> str:
    """``~=1.4.2`` allows ``<1.5``: drop the last release part, bump the one before it."""
    release = re.match(r"^(\d+(?:\.\d+)*)", version)
    parts = release.group(1).split(".") if release else [version]
    if len(parts) < 2:
        return f"{version}.0a0"  # "~=1" is invalid PEP 440; keep something usable
    head = [*parts[:-2], str(int(parts[-2]) + 1)]
    return ".".join(head) + ".0a0"


def _parse(requirement: str) -> Requirement:
    try:
        return Requirement(requirement)
    except InvalidRequirement as exc:
        raise SourceError(
            f"cannot read the requirement {requirement!r}: {exc}",
            hint="the sdist's metadata is not valid PEP 508; fix the recipe by hand",
        ) from exc


def target_environment(python: str) -> dict[str, str]:
    """The marker environment of CPython ``python`` (``"3.11"``) on linux-64."""
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_version": "",
        "extra": "",
    }


def applies(req: Requirement, python: str) -> bool:
    """Whether ``req`` is needed on the target: its marker holds without any extra."""
    if req.marker is None:
        return True
    try:
        return req.marker.evaluate(target_environment(python))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName):
        return False


def run_requirements(requires_dist: Iterable[str], python: str) -> list[str]:
    """The conda run specs of the Requires-Dist entries that apply to ``python``."""
    specs: list[str] = []
    for text in requires_dist:
        req = _parse(text)
        if applies(req, python):
            specs.append(conda_spec(req))
    return _unique(specs)


def build_requirements(requires: Iterable[str], python: str) -> list[str]:
    """``[build-system] requires`` as conda specs (the ones whose marker holds)."""
    return run_requirements(requires, python)


def _unique(specs: list[str]) -> list[str]:
    return list(dict.fromkeys(specs))


def python_floor(requires_python: str | None) -> str | None:
    """The lowest ``major.minor`` that ``Requires-Python`` allows: ``">=3.8,<4"`` -> ``"3.8"``."""
    if not requires_python:
        return None
    try:
        specifier = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    floors = [_minor(s.version) for s in specifier if s.operator in (">=", ">", "~=", "==")]
    valid = [f for f in floors if f is not None]
    return max(valid, key=_version_key) if valid else None


def python_allowed(requires_python: str | None, python: str) -> bool:
    """Whether Python ``python`` (``"3.11"``) satisfies ``Requires-Python``."""
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(f"{python}.0", prereleases=True)
    except InvalidSpecifier:
        return True


def _minor(version: str) -> str | None:
    match = re.match(r"^(\d+)(?:\.(\d+))?", version)
    if not match:
        return None
    return f"{match.group(1)}.{match.group(2) or 0}"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def newer(a: str, b: str) -> str:
    """The later of two ``major.minor`` versions."""
    return max(a, b, key=_version_key)
