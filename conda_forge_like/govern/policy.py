"""A channel policy as data, and what it says about one package (pure).

``evaluate(Policy(license=LicenseRule(deny=("GPL-3.0-only",))), facts)`` -> the
``Violation``s of one ``PackageFacts`` (empty when the package may be in the channel).

License expressions are SPDX expressions read with the ``license-expression`` library. An
expression passes when *some choice* it offers passes: ``MIT OR GPL-3.0-only`` is fine under a
policy denying GPL (the user may take MIT), ``MIT AND GPL-3.0-only`` is not (both apply). A
choice passes when each of its licenses is allowed (the allow list is empty, or names it) and
none is denied. ``GPL-2.0-only WITH Classpath-exception-2.0`` is matched by its whole text and
by its license alone, so denying ``GPL-2.0-only`` denies it unless the allow list names the
whole ``WITH`` text. List entries are SPDX expressions (all their license ids count) or globs
(``GPL-*``, ``*-or-later``); ids compare case-insensitively.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ..records import dataclass, field

REQUIRABLE = ("license", "license_family", "home", "summary", "description", "dev_url", "doc_url")
"""Metadata fields a policy may require: index.json's license fields and about.json's."""


# recipe.yaml (v1) spells three about.json fields its own way.
_V1_ABOUT = {"home": "homepage", "dev_url": "repository", "doc_url": "documentation"}


@dataclass(frozen=True)
class LicenseRule:
    allow: tuple[str, ...] = ()
    """License ids or globs a package may use; empty allows every license not denied."""
    deny: tuple[str, ...] = ()
    deny_family: tuple[str, ...] = ()
    """``license_family`` values refused (``GPL``, ``AGPL``), compared case-insensitively."""


@dataclass(frozen=True)
class PackageRule:
    """``name`` is a glob over package names; ``version`` an optional conda version spec."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return f"{self.name} {self.version}" if self.version else self.name


@dataclass(frozen=True)
class Policy:
    license: LicenseRule = field(default_factory=LicenseRule)
    allow_packages: tuple[PackageRule, ...] = ()
    """When given, only packages matching one of these may be in the channel."""
    deny_packages: tuple[PackageRule, ...] = ()
    require: tuple[str, ...] = ()
    source: str = "<policy>"
    """The file the policy came from, named in every violation."""


@dataclass(frozen=True)
class PackageFacts:
    """What a policy looks at: index.json fields, and about.json when it is at hand."""

    filename: str
    name: str
    version: str
    build: str = ""
    license: str | None = None
    license_family: str | None = None
    about: Mapping[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_record(
        filename: str, record: Mapping[str, Any], about: Mapping[str, Any] | None = None
    ) -> PackageFacts:
        """A repodata record (or index.json) and the package's about.json, if read."""
        return PackageFacts(
            filename,
            str(record.get("name", "")),
            str(record.get("version", "")),
            str(record.get("build", "")),
            _text(record.get("license")),
            _text(record.get("license_family")),
            dict(about or {}),
        )

    def field_value(self, key: str) -> str | None:
        if key in ("license", "license_family"):
            return getattr(self, key) or _text(self.about.get(key))
        alias = _V1_ABOUT.get(key)
        return _text(self.about.get(key)) or (_text(self.about.get(alias)) if alias else None)


@dataclass(frozen=True)
class Violation:
    """One rule one package breaks: ``zlib-1.3-h0_0.conda: license.deny: ...``."""

    package: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.package}: {self.rule}: {self.message}"


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def evaluate(policy: Policy, facts: PackageFacts) -> tuple[Violation, ...]:
    """Every rule of ``policy`` that the package breaks, in a fixed order."""
    found = [
        *_required(policy, facts),
        *_license(policy.license, facts),
        *_packages(policy, facts),
    ]
    return tuple(Violation(facts.filename, rule, message) for rule, message in found)


def _required(policy: Policy, facts: PackageFacts) -> Iterable[tuple[str, str]]:
    for key in policy.require:
        if facts.field_value(key) is None:
            yield "require", f"metadata field {key!r} is missing or empty"


def _license(rule: LicenseRule, facts: PackageFacts) -> Iterable[tuple[str, str]]:
    family = (facts.license_family or "").lower()
    if family and family in {f.lower() for f in rule.deny_family}:
        yield "license.deny_family", f"license family {facts.license_family} is refused"
    if not (rule.allow or rule.deny):
        return
    if facts.license is None:
        yield "license", "the package names no license"
        return
    choices = license_choices(facts.license)
    if choices is None:
        yield "license", f"{facts.license!r} is not an SPDX license expression"
        return
    if not any(_choice_passes(rule, choice) for choice in choices):
        yield _license_rule_name(rule, choices), _license_message(rule, facts.license, choices)


def _choice_passes(rule: LicenseRule, choice: frozenset[tuple[str, str]]) -> bool:
    return all(
        _allowed(rule, full, base) and not _denied(rule, full, base) for full, base in choice
    )


def _allowed(rule: LicenseRule, full: str, base: str) -> bool:
    return not rule.allow or any(_matches(full, p) or _matches(base, p) for p in rule.allow)


def _denied(rule: LicenseRule, full: str, base: str) -> bool:
    if " WITH " in full and any(_matches(full, p) for p in rule.allow):
        return False  # the exception is allowed by name: it overrides a deny of its license
    return any(_matches(full, p) or _matches(base, p) for p in rule.deny)


def _license_rule_name(rule: LicenseRule, choices: list[frozenset[tuple[str, str]]]) -> str:
    denied = any(_denied(rule, f, b) for choice in choices for f, b in choice)
    return "license.deny" if denied else "license.allow"


def _license_message(
    rule: LicenseRule, expression: str, choices: list[frozenset[tuple[str, str]]]
) -> str:
    bad = sorted(
        {f for c in choices for f, b in c if _denied(rule, f, b) or not _allowed(rule, f, b)}
    )
    return f"license {expression!r}: no choice avoids {', '.join(bad)}"


def _matches(license_id: str, pattern: str) -> bool:
    """One id against one list entry: a glob, or an expression whose ids all count."""
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(license_id.lower(), pattern.lower())
    return license_id.lower() in pattern_ids(pattern)


@lru_cache(maxsize=256)
def pattern_ids(pattern: str) -> frozenset[str]:
    """The lower-cased ids of a list entry (``GPL-2.0-only OR GPL-3.0-only`` -> both); a
    ``WITH`` term counts as its whole text only."""
    choices = license_choices(pattern)
    if choices is None:
        return frozenset({pattern.strip().lower()})
    return frozenset(full.lower() for choice in choices for full, _ in choice)


@lru_cache(maxsize=1024)
def _cached_choices(expression: str) -> tuple[frozenset[tuple[str, str]], ...] | None:
    from license_expression import ExpressionError, get_spdx_licensing

    licensing = get_spdx_licensing()
    try:
        parsed = licensing.parse(expression, validate=False, simple=False)
    except ExpressionError:
        return None
    if parsed is None:
        return None
    dnf = licensing.dnf(parsed)
    terms = dnf.args if type(dnf).__name__ == "OR" else (dnf,)
    return tuple(frozenset(_ids(term)) for term in terms)


def license_choices(expression: str) -> list[frozenset[tuple[str, str]]] | None:
    """The alternatives of an SPDX expression, each the set of (full id, license id) pairs it
    needs; None when it is not an expression. ``MIT OR (A AND B)`` -> ``[{MIT}, {A, B}]``."""
    found = _cached_choices(expression.strip())
    return None if found is None else list(found)


def _ids(term: Any) -> Iterable[tuple[str, str]]:
    if type(term).__name__ == "AND":
        for arg in term.args:
            yield from _ids(arg)
        return
    license_symbol = getattr(term, "license_symbol", None)
    if license_symbol is not None:  # a WITH expression
        full = f"{license_symbol.key} WITH {term.exception_symbol.key}"
        yield full, str(license_symbol.key)
        return
    key = str(getattr(term, "key", term))
    yield key, key


def _packages(policy: Policy, facts: PackageFacts) -> Iterable[tuple[str, str]]:
    for rule in policy.deny_packages:
        if package_matches(rule, facts.name, facts.version):
            yield "packages.deny", f"{facts.name} {facts.version} matches {rule}"
    allowed = policy.allow_packages
    if allowed and not any(package_matches(r, facts.name, facts.version) for r in allowed):
        listed = ", ".join(str(r) for r in allowed)
        yield "packages.allow", f"{facts.name} {facts.version} matches none of {listed}"


def package_matches(rule: PackageRule, name: str, version: str) -> bool:
    if not fnmatch.fnmatchcase(name, rule.name):
        return False
    return rule.version is None or version_matches(rule.version, version)


def version_matches(spec: str, version: str) -> bool:
    """A conda version spec (``<3``, ``>=1.2,<2``, ``1.*``) against a version, via rattler."""
    import rattler

    try:
        return bool(rattler.VersionSpec(spec).matches(rattler.Version(version)))
    except Exception:  # noqa: BLE001 - rattler raises its own classes for unparsable text
        return False
