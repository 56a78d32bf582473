"""A governed channel end to end: two noarch packages (MIT, GPL-3.0-or-later) built into a
channel, promoted main -> dev -> prod through policies, served by ``cfl serve`` in a
subprocess, solved and installed by py-rattler from ``/label/prod``; ``cfl verify`` rebuilds
the MIT one byte for byte, and fails naming the source cache file after one byte changed."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from conda_forge_like import api, api_govern
from conda_forge_like.cli import main
from conda_forge_like.govern.verify import VerifyFailed

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent.parent

MIT_RECIPE = """\
package:
  name: gov-mit
  version: "1.0.0"
source:
  url: {url}
  sha256: {sha256}
  file_name: hello.txt
build:
  noarch: generic
  script:
    - mkdir -p $PREFIX/share/gov-mit
    - cp hello.txt $PREFIX/share/gov-mit/hello.txt
about:
  license: MIT
  license_family: MIT
  homepage: https://example.org/gov-mit
"""
GPL_RECIPE = ROOT / "tests" / "data" / "recipes" / "license-gpl-noarch"
PROD = "license:\n  deny: ['GPL-*', 'AGPL-*']\nrequire: [license, license_family]\n"
DEV = "license:\n  allow: ['*']\nrequire: [license]\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("governed")
    source = root / "upstream" / "hello.txt"
    source.parent.mkdir()
    source.write_bytes(b"hello from a governed channel\n")
    recipe = root / "gov-mit" / "recipe.yaml"
    recipe.parent.mkdir()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    recipe.write_text(MIT_RECIPE.format(url=source.as_uri(), sha256=digest))
    channel, cache = root / "channel", root / "cache"
    results = api.build(
        [recipe.parent, GPL_RECIPE], output_dir=channel, source_cache=cache, test=False
    )
    packages = {r.name: r.package for r in results if r.package}
    for name, text in (("prod.yaml", PROD), ("dev.yaml", DEV)):
        (root / name).write_text(text)
    return {
        "root": root, "channel": channel, "cache": cache, "source_sha256": Path(digest),
        "mit": packages["gov-mit"], "gpl": packages["gov-gpl"],
    }  # fmt: skip


def cfl(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def test_promotion_follows_each_labels_policy(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    ch, root = built["channel"], built["root"]
    assert cfl("promote", "gov-mit", "gov-gpl", "--channel", ch, "--from", "main", "--to",
               "dev", "--policy", root / "dev.yaml") == 0  # fmt: skip
    assert cfl("promote", "gov-mit", "--channel", ch, "--from", "dev", "--to", "prod",
               "--policy", root / "prod.yaml") == 0  # fmt: skip
    capsys.readouterr()
    assert cfl("promote", "gov-gpl", "--channel", ch, "--from", "dev", "--to", "prod",
               "--policy", root / "prod.yaml") == 5  # fmt: skip
    err = capsys.readouterr().err
    assert "gov-gpl-1.0.0" in err
    assert "license.deny" in err
    prod = json.loads((ch / "label" / "prod" / "noarch" / "repodata.json").read_text())
    assert [r["name"] for r in prod["packages.conda"].values()] == ["gov-mit"]
    assert cfl("policy", "check", ch, "--policy", root / "prod.yaml") == 1
    assert "gov-gpl" in capsys.readouterr().out


@pytest.fixture
def server(built: dict[str, Path]) -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "conda_forge_like.cli", "serve", str(built["channel"]),
               "--port", "0", "--policy", str(built["root"] / "prod.yaml")]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert process.stdout is not None
    with process.stdout:
        try:
            line = process.stdout.readline()
            assert "http://127.0.0.1:" in line, line
            yield line.split()[-1].rstrip("/")
        finally:
            process.terminate()
            process.wait(timeout=30)


def solve(url: str, spec: str) -> list[object]:
    import rattler
    from rattler.platform import Subdir

    return list(asyncio.run(rattler.solve(
        [rattler.Channel(url)], [spec], platforms=[Subdir("linux-64"), Subdir("noarch")],
        timestamp_policy="allow-missing",
    )))  # fmt: skip


def test_rattler_installs_from_the_served_prod_label_only_what_it_allows(
    built: dict[str, Path], server: str, tmp_path: Path
) -> None:
    import rattler

    ch, root = built["channel"], built["root"]
    api_govern.promote(["gov-mit", "gov-gpl"], ch, "main", "dev", root / "dev.yaml")
    api_govern.promote(["gov-mit"], ch, "dev", "prod", root / "prod.yaml")
    records = solve(f"{server}/label/prod", "gov-mit")
    assert [r.name.normalized for r in records] == ["gov-mit"]  # type: ignore[attr-defined]
    prefix = tmp_path / "env"
    asyncio.run(rattler.install(records, target_prefix=prefix, show_progress=False))
    hello = prefix / "share" / "gov-mit" / "hello.txt"
    assert hello.read_text() == "hello from a governed channel\n"
    with pytest.raises(Exception, match="gov-gpl"):
        solve(f"{server}/label/prod", "gov-gpl")
    sbom = api_govern.sbom(prefix).decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(sbom) is None
    assert '"gov-mit"' in sbom


def test_built_packages_carry_a_valid_sbom_and_provenance(
    built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from conda_forge_like import package

    capsys.readouterr()
    assert cfl("sbom", built["mit"]) == 0
    assert cfl("policy", "check", built["mit"], "--policy", built["root"] / "prod.yaml") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("{")
    assert '"bomFormat": "CycloneDX"' in printed

    text = (package.read_info(built["mit"], "sbom.cdx.json") or b"").decode()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    hashes = [h["content"] for c in doc["components"] for h in c.get("hashes", [])]
    assert str(built["source_sha256"]) in hashes
    statement = json.loads(package.read_info(built["mit"], "provenance.json") or b"{}")
    assert statement["subject"][0]["name"] == built["mit"].name.removesuffix(".conda")


def test_index_and_mirror_through_a_policy_leave_refused_packages_out(
    built: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(built["channel"], copy, symlinks=True, ignore=shutil.ignore_patterns("work"))
    assert cfl("index", copy, "--policy", built["root"] / "prod.yaml") == 0
    assert "refused: noarch/gov-gpl-1.0.0" in capsys.readouterr().out
    listed = json.loads((copy / "noarch" / "repodata.json").read_text())
    assert [r["name"] for r in listed["packages.conda"].values()] == ["gov-mit"]
    refused = json.loads((copy / "noarch" / "refused.json").read_text())
    assert list(refused["refused"]) == [built["gpl"].name]
    assert (copy / "noarch" / built["gpl"].name).is_file()  # refused, not deleted
    assert cfl("index", copy) == 0  # a plain index lists it again: no refusal left
    assert not (copy / "noarch" / "refused.json").exists()
    needs_home = tmp_path / "home.yaml"
    needs_home.write_text("require: [home]\n")  # read from about.json (v1: homepage)
    report = api_govern.mirror(built["channel"], tmp_path / "mirror", needs_home)
    assert report.copied == (f"noarch/{built['mit'].name}",)
    assert [v.rule for v in report.refused] == ["require"]


def test_mirror_reads_a_channel_py_rattler_indexed(built: dict[str, Path], tmp_path: Path) -> None:
    import shutil

    from rattler.index import index_fs

    foreign = tmp_path / "foreign"
    (foreign / "noarch").mkdir(parents=True)
    for name in ("mit", "gpl"):
        shutil.copy2(built[name], foreign / "noarch")
    asyncio.run(index_fs(foreign, write_zst=False, write_shards=False))
    report = api_govern.mirror(foreign, tmp_path / "ours", built["root"] / "prod.yaml")
    assert report.copied == (f"noarch/{built['mit'].name}",)
    assert [v.package for v in report.refused] == [f"noarch/{built['gpl'].name}"]
    assert [r.name.normalized for r in solve((tmp_path / "ours").as_uri(), "gov-mit")] == [
        "gov-mit"
    ]  # type: ignore[attr-defined]


def test_verify_rebuilds_identically_and_names_a_tampered_source(built: dict[str, Path]) -> None:
    done = api_govern.verify(built["mit"], built["cache"])
    assert done.sha256 == hashlib.sha256(built["mit"].read_bytes()).hexdigest()
    assert done.sources_checked == 1
    cached = built["cache"] / str(built["source_sha256"])
    data = bytearray(cached.read_bytes())
    data[0] ^= 0x01
    cached.write_bytes(bytes(data))
    with pytest.raises(VerifyFailed) as info:
        api_govern.verify(built["mit"], built["cache"])
    assert str(cached) in info.value.message
