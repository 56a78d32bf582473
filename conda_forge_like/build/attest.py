"""A build's attestations: ``info/sbom.cdx.json`` and ``info/provenance.json``.

``attach(meta, rendered, recipe_dir, plate, envs, run, records)`` -> ``meta`` with both files
added; ``facts(...)`` collects the ``BuildFacts`` they are made from (the only file reading is
hashing ``path:`` sources). Both are byte-identical for identical builds.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__, baseplate, package
from ..govern import buildfacts, provenance, sbom
from ..govern.buildfacts import BuildFacts, EnvPackage, SourceFact, Tool
from ..package.records import sha256_file
from ..records import replace
from ..render.model import RenderedRecipe
from .environments import Installed

if TYPE_CHECKING:
    from .. import source

SBOM_FILE = "sbom.cdx.json"
PROVENANCE_FILE = "provenance.json"


def attach(
    meta: package.PackageMetadata,
    rendered: RenderedRecipe,
    recipe_dir: Path,
    plate: baseplate.BasePlate,
    envs: tuple[Sequence[Installed], Sequence[Installed]],
    run: Sequence[str],
    records: Sequence[package.PathRecord],
) -> package.PackageMetadata:
    found = facts(meta, rendered, recipe_dir, plate, envs, run)
    payload = buildfacts.tree_sha256(
        {r.path: r.sha256 for r in records if r.path_type != "directory"}
    )
    files = {
        SBOM_FILE: sbom.document(found),
        PROVENANCE_FILE: provenance.dumps(provenance.statement(found, payload)),
    }
    return replace(meta, attestations={**meta.attestations, **files})


def facts(
    meta: package.PackageMetadata,
    rendered: RenderedRecipe,
    recipe_dir: Path,
    plate: baseplate.BasePlate,
    envs: tuple[Sequence[Installed], Sequence[Installed]],
    run: Sequence[str],
) -> BuildFacts:
    raw = rendered.meta.get("source")
    specs = []
    if raw:
        from .. import source  # only a recipe with sources needs their parser

        specs = source.parse_sources(raw, rendered.recipe_path)
    environment = tuple(
        EnvPackage(str(p.name), str(p.version), str(p.build), kind)
        for kind, env in zip(("build", "host"), envs, strict=True)
        for p in sorted(env, key=lambda p: str(p.name))
    )
    return BuildFacts(
        name=meta.name, version=meta.version, build=meta.build, subdir=meta.subdir,
        license=meta.license, recipe_file=Path(rendered.recipe_path).name,
        recipe_sha256=buildfacts.contents_sha256(meta.recipe_files),
        variant=dict(rendered.variant), plate_fingerprint=plate.fingerprint,
        plate=plate.describe(), tools=plate_tools(plate),
        sources=tuple(_source_fact(s, recipe_dir) for s in specs),
        environment=environment, run=tuple(sorted(run)), builder_version=__version__,
        source_date_epoch=package.metadata.source_date_epoch(os.environ),
    )  # fmt: skip


def plate_tools(plate: baseplate.BasePlate) -> tuple[Tool, ...]:
    """The compiler of the plate and every build tool it provided, with their versions."""
    provided = tuple(Tool(t.name, t.version, t.provider) for t in plate.build_tools)
    return (Tool(plate.toolchain, plate.version, "baseplate"), *provided)


def _source_fact(spec: source.SourceSpec, recipe_dir: Path) -> SourceFact:
    sha256 = spec.sha256
    if spec.kind == "path":
        sha256 = path_sha256(recipe_dir / spec.location)
    return SourceFact(spec.kind, spec.location, sha256, spec.md5, spec.git_rev)


def path_sha256(path: Path) -> str | None:
    """A local source's digest: the file's sha256, or ``tree_sha256`` of a folder's files."""
    if path.is_file():
        return sha256_file(path)
    if not path.is_dir():
        return None
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return buildfacts.tree_sha256({p.relative_to(path).as_posix(): sha256_file(p) for p in files})
