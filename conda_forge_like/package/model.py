"""What the package stage takes: one ``PathRecord`` per packaged path and ``PackageMetadata``.

``PathRecord("bin/greet", "hardlink", "ab12...", 1432, "/opt/_placehold", "text")`` is one entry
of ``info/paths.json``; ``PackageMetadata`` holds everything that goes into the other ``info/``
files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

from ..records import dataclass, field

PathType = Literal["hardlink", "softlink", "directory"]
FileMode = Literal["text", "binary"]
PackageFormat = Literal["conda", "tar.bz2"]
PATH_TYPES: tuple[str, ...] = get_args(PathType)
FILE_MODES: tuple[str, ...] = get_args(FileMode)
PACKAGE_FORMATS: tuple[str, ...] = get_args(PackageFormat)
# zstd levels of conda packages, named as rattler-build names them; its default, 15, is cfl's
# (conda-package-handling's 19 compresses 3-4 times slower for 1-5% less; decompression speed
# does not depend on the level). zstd's fast levels are negative.
ZSTD_LEVELS = {"min": -7, "default": 15, "max": 22}
CONDA_LEVELS = range(ZSTD_LEVELS["min"], ZSTD_LEVELS["max"] + 1)


@dataclass(frozen=True)
class PathRecord:
    """One entry of ``info/paths.json``; ``path`` is relative with forward slashes."""

    path: str
    path_type: str
    sha256: str
    size: int
    prefix_placeholder: str | None = None
    file_mode: str | None = None
    """``text`` or ``binary``; only set together with ``prefix_placeholder``."""
    no_link: bool = False


def _empty() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class PackageMetadata:
    """Everything in ``info/`` except paths.json and files, which come from the records."""

    name: str
    version: str
    build: str
    build_number: int
    subdir: str
    depends: tuple[str, ...] = ()
    constrains: tuple[str, ...] = ()
    noarch: str | None = None
    license: str | None = None
    license_family: str | None = None
    timestamp: int = 0
    """Milliseconds since the epoch; 0 takes SOURCE_DATE_EPOCH, else a fixed constant."""
    about: Mapping[str, Any] = field(default_factory=_empty)
    """Written to ``info/about.json``."""
    run_exports: Mapping[str, list[str]] = field(default_factory=_empty)
    """Written to ``info/run_exports.json``; no file when empty."""
    hash_input: Mapping[str, Any] = field(default_factory=_empty)
    """Written to ``info/hash_input.json``."""
    recipe_files: Mapping[str, bytes] = field(default_factory=_empty)
    """``info/recipe/<path>`` -> content (the rendered recipe, build scripts, variant files)."""
    test_files: Mapping[str, bytes] = field(default_factory=_empty)
    """``info/test/<path>`` -> content (run_test.sh, tests.yaml, test sources)."""
    extra_info: Mapping[str, Any] = field(default_factory=_empty)
    """Written to ``info/cfl.json`` (e.g. the base plate fingerprint); no file when empty."""
    license_files: Mapping[str, bytes] = field(default_factory=_empty)
    """``info/licenses/<path>`` -> content, as conda-build ships license files."""
    link: Mapping[str, Any] = field(default_factory=_empty)
    """Written to ``info/link.json`` (a ``noarch: python`` package's entry points); no file
    when empty."""
    attestations: Mapping[str, bytes] = field(default_factory=_empty)
    """``info/<name>`` -> content: the SBOM (``sbom.cdx.json``) and ``provenance.json``."""

    @property
    def dist(self) -> str:
        """``name-version-build``: the archive's file name without extension."""
        return f"{self.name}-{self.version}-{self.build}"
