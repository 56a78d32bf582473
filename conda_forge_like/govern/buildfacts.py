"""What a build knows about itself, for its SBOM and provenance statement (pure data).

``build/attest.py`` collects a ``BuildFacts`` from a finished build; ``sbom.document(facts)``
and ``provenance.statement(facts)`` turn it into ``info/sbom.cdx.json`` and
``info/provenance.json``. Nothing here varies between identical builds: no clock, no host name,
no absolute path (a source's ``location`` is what the recipe says).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import digests
from ..records import dataclass


@dataclass(frozen=True)
class SourceFact:
    """One ``source:`` entry: ``url`` sources carry the recipe's checksum; ``path`` and
    ``git`` sources the sha256 of their files as placed (``tree_sha256``)."""

    kind: str
    location: str
    sha256: str | None = None
    md5: str | None = None
    git_rev: str | None = None


@dataclass(frozen=True)
class EnvPackage:
    """A package installed into the build or host environment."""

    name: str
    version: str
    build: str
    environment: str  # build | host


@dataclass(frozen=True)
class Tool:
    """A tool of the base plate: its compiler, or a build tool it provided."""

    name: str
    version: str
    provider: str = "baseplate"


@dataclass(frozen=True)
class BuildFacts:
    name: str
    version: str
    build: str
    subdir: str
    license: str | None
    recipe_file: str
    """The recipe's file name inside info/recipe/ (``recipe.yaml``, ``meta.yaml``)."""
    recipe_sha256: str
    variant: Mapping[str, Any]
    plate_fingerprint: str
    plate: Mapping[str, Any]
    tools: tuple[Tool, ...] = ()
    sources: tuple[SourceFact, ...] = ()
    environment: tuple[EnvPackage, ...] = ()
    run: tuple[str, ...] = ()
    builder_version: str = ""
    source_date_epoch: int = 0

    @property
    def filename_stem(self) -> str:
        return f"{self.name}-{self.version}-{self.build}"


def tree_sha256(files: Mapping[str, str]) -> str:
    """One digest over files named by path -> sha256 hex: sha256 of ``<path>\\0<sha256>\\n``
    lines in path order (the recipe hash, and a ``path:`` source's digest)."""
    digest = digests.sha256()
    for path in sorted(files):
        digest.update(f"{path}\0{files[path]}\n".encode())
    return digest.hexdigest()


def contents_sha256(files: Mapping[str, bytes]) -> str:
    """``tree_sha256`` of contents held in memory (the files of info/recipe/)."""
    return tree_sha256({path: digests.sha256(data).hexdigest() for path, data in files.items()})
