"""CycloneDX 1.6 JSON SBOMs, written with the standard library.

``document(facts)`` -> the bytes of a package's ``info/sbom.cdx.json``: the package itself
(``metadata.component``, purl ``pkg:conda/<name>@<version>?build=..&subdir=..``), its sources
(type ``file``: url, sha256), the base plate's tools (``cfl:role`` = ``baseplate-tool``), the
packages of its build and host environments (``cfl:environment``) and its run dependencies
(``cfl:match_spec``, what the package's root component depends on). The timestamp is
SOURCE_DATE_EPOCH's and the serial number a uuid5 of the facts it is made from, so identical
builds give identical bytes. ``environment_document(name, records)`` describes an installed
environment (``conda-meta/*.json``) the same way.

Every build writes one, so this module builds the JSON itself: cyclonedx-python-lib's object
model costs about a tenth of a second to import, more than a whole trivial build does. The tests
validate these documents with that library's schema validator and compare them with what its
model serializes for the same facts (``tests/unit/test_govern_sbom.py``). Arrays are in a fixed
order: components by (type, name, version, bom-ref), their hashes by algorithm, properties by
name and value, dependencies by ref.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .. import digests
from ..records import asdict
from .buildfacts import BuildFacts, EnvPackage, SourceFact, Tool

SPEC_VERSION = "1.6"
_SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"
_NAMESPACE = bytes.fromhex("6b7c2f1e2d435e2a9a5763666c2d7362")  # cfl's uuid5 namespace: fixed
Component = dict[str, Any]


def document(facts: BuildFacts) -> bytes:
    """The SBOM of one build (see the module docstring)."""
    root = _package(facts.name, facts.version, facts.build, facts.subdir, "pkg", facts.license)
    metadata = {
        "component": root,
        "timestamp": _timestamp(facts.source_date_epoch),
        "tools": {"components": [_tool(Tool("cfl", facts.builder_version, "cfl"))]},
        "properties": [_property("cfl:baseplate_fingerprint", facts.plate_fingerprint)],
    }
    parts = [
        *(_source(index, source) for index, source in enumerate(facts.sources)),
        *(_tool(tool) for tool in facts.tools),
        *(_env_package(pkg) for pkg in facts.environment),
        *(_run_dependency(index, spec) for index, spec in enumerate(facts.run)),
    ]
    # Everything listed went into the build: the root depends on all of it (``scope`` tells
    # what the package needs at run time: ``required``; only to build it: ``excluded``).
    return _serialized(metadata, parts, _digest(asdict(facts)))


def environment_document(
    prefix_name: str, records: Sequence[Mapping[str, Any]], epoch: int = 0
) -> bytes:
    """The SBOM of an installed environment: one component per ``conda-meta`` record."""
    root = {"type": "application", "name": prefix_name, "bom-ref": "environment"}
    metadata = {"component": root, "timestamp": _timestamp(epoch)}
    members = [_installed(r) for r in records]
    digest = _digest({"name": prefix_name, "records": [dict(r) for r in records], "epoch": epoch})
    return _serialized(metadata, members, digest)


def _digest(content: Any) -> str:
    """What the document is made from, hashed: the same facts, the same serial number."""
    text = json.dumps(content, sort_keys=True, default=str)
    return digests.sha256(text.encode()).hexdigest()


def uuid5(namespace: bytes, name: str) -> str:
    """RFC 4122 version-5 UUID text (SHA-1 of namespace and name, version and variant set)."""
    raw = bytearray(digests.sha1(namespace + name.encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _order(component: Component) -> tuple[str, str, str, str]:
    return (component["type"], component["name"], component.get("version", ""),
            component["bom-ref"])  # fmt: skip


def _serialized(metadata: dict[str, Any], parts: list[Component], digest: str) -> bytes:
    """The whole document, with a serial number derived from what it describes."""
    root_ref = metadata["component"]["bom-ref"]
    refs = sorted(part["bom-ref"] for part in parts)
    dependencies = [{"ref": ref} for ref in refs]
    dependencies.append({"ref": root_ref, "dependsOn": refs} if refs else {"ref": root_ref})
    bom: dict[str, Any] = {
        "$schema": _SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid5(_NAMESPACE, digest)}",
        "version": 1,
        "metadata": metadata,
        "dependencies": sorted(dependencies, key=lambda d: d["ref"]),
    }
    if parts:
        bom["components"] = sorted(parts, key=_order)
    return json.dumps(bom, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def _timestamp(epoch: int) -> str:
    from ..package.metadata import DEFAULT_EPOCH

    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(epoch or DEFAULT_EPOCH))


def _property(name: str, value: str) -> dict[str, str]:
    return {"name": name, "value": value}


def _component(kind: str, name: str, ref: str, **fields: Any) -> Component:
    """One component; empty fields are left out, arrays put in the module's order."""
    made: Component = {"type": kind, "name": name, "bom-ref": ref}
    for key, value in fields.items():
        if value in (None, "", []):
            continue
        if key == "properties":
            value = sorted(value, key=lambda p: (p["name"], p["value"]))
        elif key == "hashes":
            value = sorted(value, key=lambda h: (h["alg"], h["content"]))
        made[key] = value
    return made


def _purl_part(text: str) -> str:
    return quote(text, safe="/:")  # what the purl spec leaves readable, as packageurl-python


def purl(name: str, version: str, build: str | None = None, subdir: str | None = None) -> str:
    """``pkg:conda/<name>@<version>?build=..&subdir=..`` (purl spec: percent-encoded parts,
    qualifiers sorted by key, empty ones left out)."""
    text = f"pkg:conda/{_purl_part(name)}"
    if version:
        text += f"@{_purl_part(version)}"
    qualifiers = [(k, v) for k, v in (("build", build), ("subdir", subdir)) if v]
    if qualifiers:
        text += "?" + "&".join(f"{k}={_purl_part(v)}" for k, v in sorted(qualifiers))
    return text


def _licenses(text: str | None) -> list[dict[str, Any]]:
    if not text:
        return []
    from .policy import license_choices  # the SPDX parser: only for a package with a license

    if license_choices(text) is not None:
        return [{"expression": text}]
    return [{"license": {"name": text}}]


def _package(
    name: str, version: str, build: str, subdir: str, ref: str, license_text: str | None
) -> Component:
    return _component(
        "library", name, ref, version=version, purl=purl(name, version, build, subdir),
        licenses=_licenses(license_text),
    )  # fmt: skip


def _source(index: int, source: SourceFact) -> Component:
    hashes = [{"alg": "SHA-256", "content": source.sha256}] if source.sha256 else []
    if source.md5:
        hashes.append({"alg": "MD5", "content": source.md5})
    refs = []
    if source.kind in ("url", "git") and "://" in source.location:
        kind = "vcs" if source.kind == "git" else "distribution"
        refs.append({"type": kind, "url": source.location})
    props = [_property("cfl:role", "source"), _property("cfl:source_kind", source.kind),
             _property("cfl:location", source.location)]  # fmt: skip
    if source.git_rev:
        props.append(_property("cfl:git_rev", source.git_rev))
    name = source.location.rstrip("/").rsplit("/", 1)[-1] or source.location
    return _component(
        "file", name, f"source:{index}", hashes=hashes, externalReferences=refs, properties=props
    )


def _scope(environment: str) -> str | None:
    return "excluded" if environment == "build" else None


def _tool(tool: Tool) -> Component:
    return _component(
        "application", tool.name, f"tool:{tool.name}", version=tool.version,
        scope=_scope("build"),
        properties=[
            _property("cfl:role", "baseplate-tool"), _property("cfl:provider", tool.provider),
        ],
    )  # fmt: skip


def _env_package(pkg: EnvPackage) -> Component:
    return _component(
        "library", pkg.name, f"{pkg.environment}:{pkg.name}", version=pkg.version,
        purl=purl(pkg.name, pkg.version, pkg.build), scope=_scope(pkg.environment),
        properties=[_property("cfl:environment", pkg.environment)],
    )  # fmt: skip


def _run_dependency(index: int, spec: str) -> Component:
    name = spec.split()[0] if spec.split() else spec
    return _component(
        "library", name, f"run:{index}:{name}", scope="required",
        properties=[_property("cfl:environment", "run"), _property("cfl:match_spec", spec)],
    )  # fmt: skip


def _installed(record: Mapping[str, Any]) -> Component:
    name, version = str(record.get("name", "")), str(record.get("version", ""))
    sha = record.get("sha256")
    return _component(
        "library", name, f"installed:{name}", version=version,
        purl=purl(name, version, str(record.get("build", "")), str(record.get("subdir", ""))),
        licenses=_licenses(record.get("license")),
        hashes=[{"alg": "SHA-256", "content": str(sha)}] if sha else [],
    )  # fmt: skip
