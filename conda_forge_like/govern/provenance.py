"""``info/provenance.json``: an in-toto Statement v1 with an SLSA Provenance v1 predicate.

``statement(facts, payload_sha256)`` -> the statement as data; ``dumps`` gives its bytes. The
subject is the package (``name-version-build``) with the sha256 of its payload (``tree_sha256``
over the (path, sha256) pairs of ``info/paths.json``: the package file itself cannot name its
own digest). ``buildDefinition`` holds the recipe's hash, the variant and target, the base
plate's fingerprint, SOURCE_DATE_EPOCH and every resolved dependency (sources with their
digests, build and host packages); ``runDetails.builder`` names cfl and its version. No clock
or host name is recorded, so identical builds give identical bytes. ``cfl verify`` reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .buildfacts import BuildFacts, EnvPackage, SourceFact

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "urn:conda-forge-like:build:v1"
BUILDER_ID = "urn:conda-forge-like:cfl"


def statement(facts: BuildFacts, payload_sha256: str) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": facts.filename_stem, "digest": {"sha256": payload_sha256},
                     "annotations": {"subdir": facts.subdir, "digest_of": "info/paths.json"}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "recipe": {"file": facts.recipe_file, "sha256": facts.recipe_sha256},
                    "variant": dict(facts.variant),
                    "target_platform": facts.subdir,
                },
                "internalParameters": {
                    "baseplate_fingerprint": facts.plate_fingerprint,
                    "source_date_epoch": facts.source_date_epoch,
                },
                "resolvedDependencies": [
                    *(_source(s) for s in facts.sources),
                    *(_package(p) for p in facts.environment),
                ],
            },
            "runDetails": {
                "builder": {"id": BUILDER_ID, "version": {"cfl": facts.builder_version}},
                "metadata": {},
            },
        },
    }  # fmt: skip


def _source(source: SourceFact) -> dict[str, Any]:
    digest = {k: v for k, v in (("sha256", source.sha256), ("md5", source.md5)) if v}
    entry: dict[str, Any] = {
        "name": source.location,
        "digest": digest,
        "annotations": {"cfl_role": "source", "kind": source.kind},
    }
    if "://" in source.location:
        entry["uri"] = source.location
    if source.git_rev:
        entry["annotations"]["git_rev"] = source.git_rev
    return entry


def _package(pkg: EnvPackage) -> dict[str, Any]:
    return {
        "name": f"{pkg.name}-{pkg.version}-{pkg.build}",
        "uri": f"pkg:conda/{pkg.name}@{pkg.version}?build={pkg.build}",
        "annotations": {"cfl_role": "environment", "environment": pkg.environment},
    }


def dumps(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def sources_of(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The source entries of a statement (``cfl verify`` checks their digests)."""
    deps = data.get("predicate", {}).get("buildDefinition", {}).get("resolvedDependencies", [])
    return [d for d in deps if isinstance(d, dict) and d.get("annotations", {}).get("cfl_role")
            == "source"]  # fmt: skip
