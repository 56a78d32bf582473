"""``policy.yaml`` -> ``Policy``; every mistake in the file is reported together, at its line.

``load(Path("prod.yaml"))`` / ``parse(text, "prod.yaml")`` -> ``Policy``. The file::

    license:
      allow: [MIT, BSD-3-Clause, Apache-2.0]     # SPDX ids, expressions or globs
      deny: ["GPL-*", "AGPL-3.0-only OR AGPL-3.0-or-later"]
      deny_family: [GPL, AGPL]                   # index.json's license_family
    packages:
      allow: ["*"]                               # name globs (optional: default all)
      deny:
        - "*-nightly"
        - openssl <3                              # a name glob, then a conda version spec
        - {name: python, version: "<3.9"}
    require: [license, license_family, home]     # metadata fields that must be set
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import CflError, Location, raise_collected
from ..yamlio import YDict, line_of
from ..yamlio import load as load_yaml
from .policy import REQUIRABLE, LicenseRule, PackageRule, Policy, license_choices

_TOP = ("license", "packages", "require")
_LICENSE = ("allow", "deny", "deny_family")
_PACKAGES = ("allow", "deny")


LABEL_POLICIES = "policies"
"""``<channel>/policies/<label>.yaml``: the policy a label keeps whoever promotes into it."""


def label_policy(channel: Path, label: str) -> Policy | None:
    """The policy stored for ``label`` in the channel, or None when it has none."""
    path = channel / LABEL_POLICIES / f"{label}.yaml"
    return load(path) if path.is_file() else None


class PolicyError(CflError):
    """policy.yaml is wrong (YAML, unknown key, not an SPDX expression, bad version spec)."""

    exit_code = 2


def load(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(
            f"cannot read policy file {path}: {exc.strerror}", Location(str(path)),
            hint="check the --policy path",
        ) from exc  # fmt: skip
    return parse(text, str(path))


def parse(text: str, filename: str) -> Policy:
    """The policy in ``text``; raises every problem at once (``CflErrorGroup``)."""
    try:
        tree = load_yaml(text, filename)
    except CflError as exc:
        raise PolicyError(exc.message, exc.location, exc.hint) from exc
    if tree is None:
        tree = YDict()
    reader = _Reader(filename)
    policy = reader.policy(tree)
    raise_collected(reader.errors)
    return policy


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[CflError] = []

    def error(self, message: str, line: int | None, hint: str | None = None) -> None:
        self.errors.append(PolicyError(message, Location(self.filename, line), hint))

    def policy(self, tree: Any) -> Policy:
        if not self.mapping(tree, "the policy", _TOP, 1):
            return Policy(source=self.filename)
        lic = tree.get("license") or {}
        pkgs = tree.get("packages") or {}
        lic_ok = self.mapping(lic, "license", _LICENSE, line_of(tree, "license"))
        pkgs_ok = self.mapping(pkgs, "packages", _PACKAGES, line_of(tree, "packages"))
        lic, pkgs = (lic if lic_ok else {}), (pkgs if pkgs_ok else {})
        rule = LicenseRule(
            allow=self.strings(lic, "allow", self.license_entry),
            deny=self.strings(lic, "deny", self.license_entry),
            deny_family=self.strings(lic, "deny_family", None),
        )
        return Policy(
            license=rule,
            allow_packages=self.package_rules(pkgs, "allow"),
            deny_packages=self.package_rules(pkgs, "deny"),
            require=self.strings(tree, "require", self.required_field),
            source=self.filename,
        )

    def mapping(self, value: Any, what: str, keys: tuple[str, ...], line: int | None) -> bool:
        if not isinstance(value, dict):
            self.error(f"{what} must be a mapping (of {', '.join(keys)})", line)
            return False
        for key in value:
            if key not in keys:
                self.error(
                    f"unknown key {key!r} in {what}", line_of(value, key),
                    hint=f"known keys: {', '.join(keys)}",
                )  # fmt: skip
        return True

    def items(self, tree: Any, key: str) -> list[tuple[Any, int | None]]:
        value = tree.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(f"{key} must be a list", line_of(tree, key))
            return []
        return [(item, line_of(value, i) or line_of(tree, key)) for i, item in enumerate(value)]

    def strings(
        self, tree: Any, key: str, check: Callable[[str, int | None], bool] | None
    ) -> tuple[str, ...]:
        found: list[str] = []
        for item, line in self.items(tree, key):
            if not isinstance(item, str) or not item.strip():
                self.error(f"{key}: {item!r} must be a non-empty string", line)
            elif check is None or check(item.strip(), line):
                found.append(item.strip())
        return tuple(found)

    def license_entry(self, entry: str, line: int | None) -> bool:
        if any(c in entry for c in "*?[") or license_choices(entry) is not None:
            return True
        self.error(
            f"{entry!r} is neither an SPDX license expression nor a glob", line,
            hint="e.g. MIT, 'GPL-2.0-only OR GPL-3.0-only', 'GPL-*'",
        )  # fmt: skip
        return False

    def required_field(self, key: str, line: int | None) -> bool:
        if key in REQUIRABLE:
            return True
        self.error(f"require: unknown metadata field {key!r}", line,
                   hint=f"known fields: {', '.join(REQUIRABLE)}")  # fmt: skip
        return False

    def package_rules(self, tree: Any, key: str) -> tuple[PackageRule, ...]:
        rules: list[PackageRule] = []
        for item, line in self.items(tree, key):
            rule = self.package_rule(item, f"packages.{key}", line)
            if rule is not None:
                rules.append(rule)
        return tuple(rules)

    def package_rule(self, item: Any, where: str, line: int | None) -> PackageRule | None:
        if isinstance(item, str) and item.strip():
            name, _, version = item.strip().partition(" ")
            return self.checked(PackageRule(name, version.strip() or None), where, line)
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            unknown = sorted(set(item) - {"name", "version"})
            if unknown:
                self.error(f"{where}: unknown key(s) {', '.join(unknown)}", line,
                           hint="a rule has name (a glob) and version (a conda spec)")  # fmt: skip
            given = item.get("version")
            text = None if given is None else str(given)
            return self.checked(PackageRule(item["name"], text), where, line)
        self.error(f"{where}: {item!r} must be 'NAME-GLOB [VERSION-SPEC]' or {{name, version}}",
                   line)  # fmt: skip
        return None

    def checked(self, rule: PackageRule, where: str, line: int | None) -> PackageRule | None:
        if rule.version is None:
            return rule
        import rattler

        try:
            rattler.VersionSpec(rule.version)
        except Exception:  # noqa: BLE001 - rattler's parse errors have their own classes
            self.error(f"{where}: {rule.version!r} is not a conda version spec", line,
                       hint="e.g. <3, >=1.2,<2, 1.*")  # fmt: skip
            return None
        return rule
