"""The reference for ``conda_forge_like.govern.sbom``: the same SBOMs built with
cyclonedx-python-lib's object model and serializer (cfl's writer until the import cost of that
model moved it to the standard library). ``test_govern_sbom.py`` compares the two.

What the documents hold:

``document(facts)`` -> the bytes of a package's ``info/sbom.cdx.json``: the package itself
(``metadata.component``, purl ``pkg:conda/<name>@<version>?build=..&subdir=..``), its sources
(type ``file``: url, sha256), the base plate's tools (``cfl:role`` = ``baseplate-tool``), the
packages of its build and host environments (``cfl:environment``) and its run dependencies
(``cfl:match_spec``, what the package's root component depends on). The timestamp is
SOURCE_DATE_EPOCH's and the serial number a uuid5 of the facts it is made from, so identical
builds give identical bytes. ``environment_document(name, records)`` describes an installed
environment (``conda-meta/*.json``) the same way.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from conda_forge_like.govern.buildfacts import BuildFacts, EnvPackage, SourceFact, Tool
from conda_forge_like.govern.policy import license_choices
from conda_forge_like.records import asdict

SPEC_VERSION = "1.6"
_NAMESPACE = uuid.UUID("6b7c2f1e-2d43-5e2a-9a57-63666c2d7362")  # cfl's: fixed forever


def document(facts: BuildFacts) -> bytes:
    """The SBOM of one build (see the module docstring)."""
    from cyclonedx.model.bom import Bom

    root = _package(facts.name, facts.version, facts.build, facts.subdir, "pkg", facts.license)
    bom = Bom()
    bom.metadata.component = root
    bom.metadata.timestamp = _timestamp(facts.source_date_epoch)
    bom.metadata.tools.components.add(_tool(Tool("cfl", facts.builder_version, "cfl")))
    bom.metadata.properties.add(_property("cfl:baseplate_fingerprint", facts.plate_fingerprint))
    parts = [
        *(_source(index, source) for index, source in enumerate(facts.sources)),
        *(_tool(tool) for tool in facts.tools),
        *(_env_package(pkg) for pkg in facts.environment),
        *(_run_dependency(index, spec) for index, spec in enumerate(facts.run)),
    ]
    for component in parts:
        bom.components.add(component)
    # Everything listed went into the build: the root depends on all of it (``scope`` tells
    # what the package needs at run time: ``required``; only to build it: ``excluded``).
    bom.register_dependency(root, parts)
    return _serialized(bom, _digest(asdict(facts)))


def environment_document(
    prefix_name: str, records: Sequence[Mapping[str, Any]], epoch: int = 0
) -> bytes:
    """The SBOM of an installed environment: one component per ``conda-meta`` record."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType

    root = Component(type=ComponentType.APPLICATION, name=prefix_name, bom_ref="environment")
    bom = Bom()
    bom.metadata.component = root
    bom.metadata.timestamp = _timestamp(epoch)
    members = [_installed(r) for r in sorted(records, key=lambda r: str(r.get("name")))]
    for component in members:
        bom.components.add(component)
    bom.register_dependency(root, members)
    digest = _digest({"name": prefix_name, "records": [dict(r) for r in records], "epoch": epoch})
    if not members:  # an empty environment: the library warns that the graph is incomplete
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return _serialized(bom, digest)
    return _serialized(bom, digest)


def _digest(content: Any) -> str:
    """What the document is made from, hashed: the same facts, the same serial number."""
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _serialized(bom: Any, digest: str) -> bytes:
    """JSON with a serial number derived from what it describes (uuid5 of ``digest``)."""
    from cyclonedx.output.json import JsonV1Dot6

    bom.serial_number = uuid.uuid5(_NAMESPACE, digest)
    data = json.loads(JsonV1Dot6(bom).output_as_string())
    return json.dumps(data, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _timestamp(epoch: int) -> datetime.datetime:
    from conda_forge_like.package.metadata import DEFAULT_EPOCH

    return datetime.datetime.fromtimestamp(epoch or DEFAULT_EPOCH, datetime.UTC)


def _property(name: str, value: str) -> Any:
    from cyclonedx.model import Property

    return Property(name=name, value=value)


def purl(name: str, version: str, build: str | None = None, subdir: str | None = None) -> Any:
    from packageurl import PackageURL

    qualifiers = {k: v for k, v in (("build", build), ("subdir", subdir)) if v}
    return PackageURL("conda", None, name, version or None, qualifiers or None)


def _licenses(text: str | None) -> list[Any]:
    from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression

    if not text:
        return []
    if license_choices(text) is not None:
        return [LicenseExpression(text)]
    return [DisjunctiveLicense(name=text)]


def _package(
    name: str, version: str, build: str, subdir: str, ref: str, license_text: str | None
) -> Any:
    from cyclonedx.model.component import Component, ComponentType

    return Component(
        type=ComponentType.LIBRARY, name=name, version=version, bom_ref=ref,
        purl=purl(name, version, build, subdir), licenses=_licenses(license_text),
    )  # fmt: skip


def _source(index: int, source: SourceFact) -> Any:
    from cyclonedx.model import (
        ExternalReference,
        ExternalReferenceType,
        HashAlgorithm,
        HashType,
        XsUri,
    )
    from cyclonedx.model.component import Component, ComponentType

    hashes = [HashType(alg=HashAlgorithm.SHA_256, content=source.sha256)] if source.sha256 else []
    if source.md5:
        hashes.append(HashType(alg=HashAlgorithm.MD5, content=source.md5))
    refs = []
    if source.kind in ("url", "git") and "://" in source.location:
        kind = (
            ExternalReferenceType.VCS
            if source.kind == "git"
            else ExternalReferenceType.DISTRIBUTION
        )
        refs.append(ExternalReference(type=kind, url=XsUri(source.location)))
    props = [_property("cfl:role", "source"), _property("cfl:source_kind", source.kind),
             _property("cfl:location", source.location)]  # fmt: skip
    if source.git_rev:
        props.append(_property("cfl:git_rev", source.git_rev))
    name = source.location.rstrip("/").rsplit("/", 1)[-1] or source.location
    return Component(
        type=ComponentType.FILE, name=name, bom_ref=f"source:{index}", hashes=hashes,
        external_references=refs, properties=props,
    )  # fmt: skip


def _scope(environment: str) -> Any:
    from cyclonedx.model.component import ComponentScope

    return ComponentScope.EXCLUDED if environment == "build" else None


def _tool(tool: Tool) -> Any:
    from cyclonedx.model.component import Component, ComponentType

    return Component(
        type=ComponentType.APPLICATION, name=tool.name, version=tool.version or None,
        bom_ref=f"tool:{tool.name}", scope=_scope("build"),
        properties=[
            _property("cfl:role", "baseplate-tool"), _property("cfl:provider", tool.provider),
        ],
    )  # fmt: skip


def _env_package(pkg: EnvPackage) -> Any:
    from cyclonedx.model.component import Component, ComponentType

    return Component(
        type=ComponentType.LIBRARY, name=pkg.name, version=pkg.version,
        bom_ref=f"{pkg.environment}:{pkg.name}", purl=purl(pkg.name, pkg.version, pkg.build),
        scope=_scope(pkg.environment),
        properties=[_property("cfl:environment", pkg.environment)],
    )  # fmt: skip


def _run_dependency(index: int, spec: str) -> Any:
    from cyclonedx.model.component import Component, ComponentScope, ComponentType

    name = spec.split()[0] if spec.split() else spec
    return Component(
        type=ComponentType.LIBRARY, name=name, bom_ref=f"run:{index}:{name}",
        scope=ComponentScope.REQUIRED,
        properties=[_property("cfl:environment", "run"), _property("cfl:match_spec", spec)],
    )  # fmt: skip


def _installed(record: Mapping[str, Any]) -> Any:
    from cyclonedx.model import HashAlgorithm, HashType
    from cyclonedx.model.component import Component, ComponentType

    name, version = str(record.get("name", "")), str(record.get("version", ""))
    sha = record.get("sha256")
    return Component(
        type=ComponentType.LIBRARY, name=name, version=version, bom_ref=f"installed:{name}",
        purl=purl(name, version, str(record.get("build", "")), str(record.get("subdir", ""))),
        licenses=_licenses(record.get("license")),
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=str(sha))] if sha else [],
    )  # fmt: skip
