"""SBOM (CycloneDX, validated with the library's own schema validator) and provenance
(in-toto Statement v1 / SLSA provenance v1) of a build described by hand: no files."""

from __future__ import annotations

import json

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from conda_forge_like.govern import provenance, sbom
from conda_forge_like.govern.buildfacts import (
    BuildFacts,
    EnvPackage,
    SourceFact,
    Tool,
    contents_sha256,
    tree_sha256,
)
from conda_forge_like.records import replace

FACTS = BuildFacts(
    name="greet", version="1.2", build="h1234567_0", subdir="linux-64", license="MIT OR Apache-2.0",
    recipe_file="recipe.yaml", recipe_sha256=contents_sha256({"recipe.yaml": b"package: {}\n"}),
    variant={"target_platform": "linux-64", "c_compiler": "zig"}, plate_fingerprint="a80aeaaa026e",
    plate={"toolchain": "zig"},
    tools=(Tool("zig", "0.17.1"), Tool("cmake", "3.30.2", "pypi")),
    sources=(SourceFact("url", "file:///srv/greet-1.2.tar.gz", "ab" * 32),
             SourceFact("path", "src", "cd" * 32)),
    environment=(EnvPackage("ninja", "1.11", "h0_0", "build"),
                 EnvPackage("zlib", "1.3", "h0_0", "host")),
    run=("libzlib >=1.3,<2.0a0",), builder_version="0.1.0", source_date_epoch=1_700_000_000,
)  # fmt: skip


def components(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    return {str(c["bom-ref"]): c for c in doc["components"]}  # type: ignore[attr-defined]


def props(component: dict[str, object]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in component.get("properties", [])}  # type: ignore[attr-defined]


def test_the_sbom_is_valid_cyclonedx_1_6() -> None:
    text = sbom.document(FACTS).decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None


def test_the_sbom_lists_sources_tools_environments_and_run_dependencies() -> None:
    doc = json.loads(sbom.document(FACTS))
    root = doc["metadata"]["component"]
    assert root["purl"] == "pkg:conda/greet@1.2?build=h1234567_0&subdir=linux-64"
    assert root["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    found = components(doc)
    source = found["source:0"]
    assert source["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert source["externalReferences"][0]["url"] == "file:///srv/greet-1.2.tar.gz"
    assert found["tool:cmake"]["version"] == "3.30.2"
    assert props(found["tool:zig"])["cfl:role"] == "baseplate-tool"
    assert props(found["build:ninja"])["cfl:environment"] == "build"
    assert found["host:zlib"]["purl"] == "pkg:conda/zlib@1.3?build=h0_0"
    run = found["run:0:libzlib"]
    assert run["scope"] == "required"
    assert props(run)["cfl:match_spec"] == "libzlib >=1.3,<2.0a0"
    assert doc["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")
    assert doc["metadata"]["tools"]["components"][0]["name"] == "cfl"


def test_the_sbom_is_deterministic_and_its_serial_follows_the_content() -> None:
    first, second = sbom.document(FACTS), sbom.document(FACTS)
    assert first == second
    other = BuildFacts(**{**FACTS.__dict__, "version": "1.3"})
    serial = json.loads(first)["serialNumber"]
    assert serial.startswith("urn:uuid:")
    assert json.loads(sbom.document(other))["serialNumber"] != serial


def test_a_license_that_is_no_spdx_expression_is_named() -> None:
    facts = BuildFacts(**{**FACTS.__dict__, "license": "Custom (see LICENSE)"})
    doc = json.loads(sbom.document(facts))
    assert doc["metadata"]["component"]["licenses"] == [
        {"license": {"name": "Custom (see LICENSE)"}}
    ]
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc)) is None


def test_an_environment_sbom_lists_its_conda_meta_records() -> None:
    records = [
        {"name": "zlib", "version": "1.3", "build": "h0_0", "subdir": "linux-64",
         "sha256": "0" * 64},
        {"name": "greet", "version": "1.2", "build": "h1_0", "license": "MIT"},
    ]  # fmt: skip
    text = sbom.environment_document("env", records).decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    assert sorted(components(json.loads(text))) == ["installed:greet", "installed:zlib"]
    empty = sbom.environment_document("empty", []).decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(empty) is None


def test_the_provenance_statement_has_the_in_toto_and_slsa_shape() -> None:
    payload = tree_sha256({"bin/greet": "ef" * 32})
    data = provenance.statement(FACTS, payload)
    assert data["_type"] == "https://in-toto.io/Statement/v1"
    assert data["predicateType"] == "https://slsa.dev/provenance/v1"
    assert data["subject"] == [
        {"name": "greet-1.2-h1234567_0", "digest": {"sha256": payload},
         "annotations": {"subdir": "linux-64", "digest_of": "info/paths.json"}},
    ]  # fmt: skip
    build = data["predicate"]["buildDefinition"]
    assert set(build) == {"buildType", "externalParameters", "internalParameters",
                          "resolvedDependencies"}  # fmt: skip
    assert build["externalParameters"]["recipe"] == {
        "file": "recipe.yaml", "sha256": FACTS.recipe_sha256,
    }  # fmt: skip
    assert build["externalParameters"]["variant"]["c_compiler"] == "zig"
    assert build["internalParameters"]["baseplate_fingerprint"] == "a80aeaaa026e"
    sources = provenance.sources_of(data)
    assert [s["digest"] for s in sources] == [{"sha256": "ab" * 32}, {"sha256": "cd" * 32}]
    assert sources[0]["uri"] == "file:///srv/greet-1.2.tar.gz"
    assert data["predicate"]["runDetails"]["builder"] == {
        "id": "urn:conda-forge-like:cfl", "version": {"cfl": "0.1.0"},
    }  # fmt: skip
    assert provenance.dumps(data) == provenance.dumps(provenance.statement(FACTS, payload))


def test_tree_digests_depend_on_paths_and_contents() -> None:
    base = contents_sha256({"a": b"1", "b": b"2"})
    assert base == contents_sha256({"b": b"2", "a": b"1"})
    assert base != contents_sha256({"a": b"1", "b": b"3"})
    assert base != contents_sha256({"a": b"1", "c": b"2"})


# cfl writes the JSON itself; cyclonedx-python-lib's model, which it used before, is the
# reference: the same facts must give the same bytes.
VARIED = [
    FACTS,
    replace(FACTS, license="Custom thing", sources=(
        SourceFact("git", "https://example.invalid/y.git", "ee" * 32, "ff" * 16, "v1.0"),)),
    replace(FACTS, license=None, version="1.0+a!b*", tools=(), sources=(), environment=(),
            run=(), source_date_epoch=0),
    replace(FACTS, license="GPL-2.0-or-later WITH Classpath-exception-2.0",
            run=("a_b.c >=1", "py-x", "zlib"),
            environment=(EnvPackage("a.b-c_d", "2!1.0+x", "h_1", "host"),
                         EnvPackage("a.b-c_d", "2!1.0+x", "h_1", "build"))),
]  # fmt: skip


@pytest.mark.parametrize("facts", VARIED, ids=range(len(VARIED)))
def test_the_sbom_is_what_cyclonedx_python_lib_writes_for_the_same_facts(facts) -> None:
    import sbom_reference

    assert sbom.document(facts) == sbom_reference.document(facts)


def test_an_environment_sbom_is_what_cyclonedx_python_lib_writes() -> None:
    import sbom_reference

    records = [
        {"name": "zlib", "version": "1.3", "build": "h0", "subdir": "linux-64",
         "sha256": "aa" * 32, "license": "Zlib"},
        {"name": "abc", "version": "1+x!", "build": "py_0", "subdir": "noarch"},
        {"name": "lic", "version": "2", "license": "some text, not SPDX (c)"},
    ]  # fmt: skip
    for name, items, epoch in (("env", records, 5), ("empty", [], 0)):
        assert sbom.environment_document(name, items, epoch) == (
            sbom_reference.environment_document(name, items, epoch)
        )


@pytest.mark.parametrize(
    ("name", "version", "build", "subdir"),
    [("zlib", "1.3", "h0_0", "linux-64"), ("a.b-c_d", "2!1.0+x*", "py_0", None),
     ("x", "", "", ""), ("x", "1 2/3:4?5#6&7=8%9@", "a/b:c&d=e f", "noarch"),
     ("UPPER", "1.0", None, "osx-arm64"), ("a:b/c", "1", None, None),
     ("ü-name", "1.0~rc", "h~1", "win-64")],
)  # fmt: skip
def test_purls_are_those_of_packageurl_python(name, version, build, subdir) -> None:
    import sbom_reference

    assert sbom.purl(name, version, build, subdir) == str(
        sbom_reference.purl(name, version, build, subdir)
    )


def test_uuid5_is_the_standard_librarys() -> None:
    import uuid

    namespace = uuid.UUID("6b7c2f1e-2d43-5e2a-9a57-63666c2d7362")
    for name in ("", "a", "x" * 100, "ü"):
        assert sbom.uuid5(namespace.bytes, name) == str(uuid.uuid5(namespace, name))
