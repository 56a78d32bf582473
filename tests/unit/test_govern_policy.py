"""Channel policies: SPDX license choices, name/version rules, required fields, policy.yaml
errors at their line. Pure: no files."""

from __future__ import annotations

import pytest

from conda_forge_like.errors import CflErrorGroup
from conda_forge_like.govern.policy import (
    LicenseRule,
    PackageFacts,
    PackageRule,
    Policy,
    evaluate,
    license_choices,
)
from conda_forge_like.govern.policy_file import PolicyError, parse

NO_GPL = Policy(license=LicenseRule(deny=("GPL-2.0-only OR GPL-3.0-only OR GPL-3.0-or-later",)))


def facts(license: str | None = "MIT", name: str = "x", version: str = "1.0", **about: str):
    return PackageFacts(f"{name}-{version}-h0_0.conda", name, version, "h0_0", license, None, about)


def rules(policy: Policy, found: PackageFacts) -> list[str]:
    return [v.rule for v in evaluate(policy, found)]


@pytest.mark.parametrize(
    ("expression", "ok"),
    [
        ("MIT", True),
        ("MIT OR GPL-3.0-only", True),  # the user may take MIT
        ("GPL-3.0-only OR MIT", True),
        ("MIT AND GPL-3.0-only", False),  # both apply
        ("(MIT OR GPL-3.0-only) AND GPL-2.0-only", False),
        ("(MIT AND Apache-2.0) OR GPL-3.0-only", True),
        ("GPL-3.0-or-later", False),
        ("gpl-3.0-only", False),  # SPDX ids compare case-insensitively
    ],
)
def test_a_license_passes_when_some_choice_avoids_every_denied_id(expression, ok) -> None:
    assert (rules(NO_GPL, facts(expression)) == []) is ok


def test_deny_globs_cover_license_families() -> None:
    policy = Policy(license=LicenseRule(deny=("GPL-*", "AGPL-*")))
    assert rules(policy, facts("GPL-3.0-or-later")) == ["license.deny"]
    assert rules(policy, facts("LGPL-2.1-only")) == []
    assert rules(policy, facts("AGPL-3.0-only OR BSD-3-Clause")) == []


def test_an_allow_list_admits_only_what_it_names() -> None:
    policy = Policy(license=LicenseRule(allow=("MIT", "BSD-3-Clause")))
    assert rules(policy, facts("MIT")) == []
    assert rules(policy, facts("Apache-2.0")) == ["license.allow"]
    assert rules(policy, facts("Apache-2.0 OR BSD-3-Clause")) == []
    assert rules(policy, facts("Apache-2.0 AND BSD-3-Clause")) == ["license.allow"]


def test_an_exception_named_in_the_allow_list_overrides_a_denied_license() -> None:
    classpath = "GPL-2.0-only WITH Classpath-exception-2.0"
    policy = Policy(license=LicenseRule(allow=("MIT", classpath), deny=("GPL-2.0-only",)))
    assert rules(policy, facts(classpath)) == []
    assert rules(policy, facts("GPL-2.0-only")) == ["license.deny"]
    assert rules(NO_GPL, facts(classpath)) == ["license.deny"]


def test_a_missing_or_unparsable_license_is_a_violation_under_license_rules() -> None:
    assert rules(NO_GPL, facts(None)) == ["license"]
    assert rules(NO_GPL, facts("MIT OR (")) == ["license"]
    assert rules(Policy(), facts(None)) == []  # no license rule: nothing to say


def test_deny_family_reads_license_family() -> None:
    policy = Policy(license=LicenseRule(deny_family=("GPL",)))
    found = PackageFacts("x.conda", "x", "1", license="GPL-3.0-only", license_family="gpl")
    assert rules(policy, found) == ["license.deny_family"]


def test_package_rules_match_name_globs_and_version_specs() -> None:
    policy = Policy(
        deny_packages=(PackageRule("*-nightly"), PackageRule("openssl", "<3")),
    )
    assert rules(policy, facts(name="tool-nightly")) == ["packages.deny"]
    assert rules(policy, facts(name="openssl", version="1.1.1w")) == ["packages.deny"]
    assert rules(policy, facts(name="openssl", version="3.2.0")) == []
    allow_only = Policy(allow_packages=(PackageRule("lib*"),))
    assert rules(allow_only, facts(name="zlib")) == ["packages.allow"]
    assert rules(allow_only, facts(name="libgreet")) == []


def test_required_fields_come_from_index_and_about() -> None:
    policy = Policy(require=("license", "license_family", "home"))
    found = evaluate(policy, facts("MIT", home="https://example.org"))
    assert [v.message for v in found] == ["metadata field 'license_family' is missing or empty"]
    assert str(found[0]).startswith("x-1.0-h0_0.conda: require: ")


def test_license_choices_expand_to_disjunctive_normal_form() -> None:
    choices = license_choices("MIT OR (Apache-2.0 AND BSD-3-Clause)")
    assert choices is not None
    assert sorted(sorted(f for f, _ in c) for c in choices) == [
        ["Apache-2.0", "BSD-3-Clause"],
        ["MIT"],
    ]


POLICY_YAML = """\
license:
  allow: [MIT, BSD-3-Clause]
  deny: ["GPL-*", "AGPL-3.0-only OR AGPL-3.0-or-later"]
  deny_family: [GPL]
packages:
  deny:
    - "*-nightly"
    - openssl <3
    - {name: python, version: "<3.9"}
require: [license, home]
"""


def test_policy_yaml_reads_every_section() -> None:
    policy = parse(POLICY_YAML, "prod.yaml")
    assert policy.license.allow == ("MIT", "BSD-3-Clause")
    assert policy.license.deny_family == ("GPL",)
    assert [str(r) for r in policy.deny_packages] == ["*-nightly", "openssl <3", "python <3.9"]
    assert policy.require == ("license", "home")
    assert policy.source == "prod.yaml"


def test_policy_yaml_reports_every_mistake_at_its_line() -> None:
    text = (
        "license:\n"
        "  deny: ['MIT OR (']\n"  # 2
        "  forbid: [GPL]\n"  # 3
        "packages:\n"
        "  deny: ['openssl >>>3']\n"  # 5
        "require: [homepage]\n"  # 6
        "labels: {}\n"  # 7
    )
    with pytest.raises(CflErrorGroup) as info:
        parse(text, "bad.yaml")
    where = sorted(str(e.location) for e in info.value.errors)
    assert where == ["bad.yaml:2", "bad.yaml:3", "bad.yaml:5", "bad.yaml:6", "bad.yaml:7"]
    assert all(e.hint for e in info.value.errors)


def test_policy_yaml_syntax_errors_name_the_line() -> None:
    with pytest.raises(PolicyError) as info:
        parse("license:\n  deny: [MIT\n", "broken.yaml")
    assert str(info.value.location).startswith("broken.yaml:")


def test_an_empty_policy_allows_everything() -> None:
    assert evaluate(parse("", "empty.yaml"), facts(None)) == ()
