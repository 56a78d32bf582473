"""The content-addressed source cache: a folder of files each named by its sha256.

``SourceCache(Path("~/.cache/cfl/sources")).find(spec)`` -> the verified cached file of a
``url``/``pypi`` source, or None. Layout (the same as ``../shared/sources/``)::

    <cache>/<sha256 hex>          the file's bytes, no extension
    <cache>/md5/<md5 hex>         a text file holding the sha256 hex of the file with that md5

A recipe that gives only ``md5:`` finds its file through the ``md5/`` alias, which a download
writes next to the file. Files enter the cache only whole and verified: a download goes to a
``.part-*`` file in the cache folder and is renamed to its sha256 after its checksum matched,
so a mismatch leaves nothing behind. Reading needs no write access (a shared read-only mount
works); a cache that cannot be written is skipped for storing.

Which folder: ``--source-cache DIR`` > ``$CFL_SOURCE_CACHE`` > ``$XDG_CACHE_HOME/cfl/sources``
(``~/.cache/cfl/sources``) — see ``resolve_dir``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from .. import digests as checksums
from .. import lazy
from ..errors import SourceError
from ..fsutil import SOURCE_CACHE_VAR, make_temp, source_cache_dir
from ..records import dataclass
from .spec import SourceSpec

ENV_VAR = SOURCE_CACHE_VAR
resolve_dir = source_cache_dir  # the folder to use (fsutil: no need to load this stage for it)
_HEX = {"sha256": lazy.regex(r"^[0-9a-f]{64}$"), "md5": lazy.regex(r"^[0-9a-f]{32}$")}


def entry_name(sha256: str) -> str:
    """The file name of a cached file (pure): its lowercase sha256 hex digest."""
    name = sha256.lower()
    if not _HEX["sha256"].match(name):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return name


def md5_alias_name(md5: str) -> str:
    """The alias path of an md5 inside the cache (pure): ``md5/<md5 hex>``."""
    name = md5.lower()
    if not _HEX["md5"].match(name):
        raise ValueError(f"not an md5 hex digest: {md5!r}")
    return f"md5/{name}"


def digests(path: Path) -> dict[str, str]:
    """The sha256 and md5 hex digests of a file."""
    sha256, md5 = checksums.sha256(), checksums.md5()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha256.update(block)
            md5.update(block)
    return {"sha256": sha256.hexdigest(), "md5": md5.hexdigest()}


def mismatches(actual: Mapping[str, str], spec: SourceSpec) -> list[tuple[str, str, str]]:
    """(algorithm, expected, actual) for every checksum of ``spec`` that ``actual`` fails (pure)."""
    expected = {"sha256": spec.sha256, "md5": spec.md5}
    return [(k, v, actual[k]) for k, v in expected.items() if v and v != actual[k]]


def describe(spec: SourceSpec) -> str:
    """The checksum a source is looked up by, for messages (pure)."""
    if spec.sha256:
        return f"sha256 {spec.sha256}"
    return f"md5 {spec.md5}" if spec.md5 else "no checksum"


@dataclass(frozen=True)
class SourceCache:
    """One cache folder; it need not exist (then nothing is found) nor be writable."""

    root: Path

    def find(self, spec: SourceSpec) -> Path | None:
        """The cached file of ``spec``, verified against every checksum the recipe gives.

        A cache entry whose bytes do not match its name (or its md5 alias) is refused: it was
        damaged or replaced after it was stored, and using it would build something else.
        """
        path = self._lookup(spec)
        if path is None:
            return None
        wrong = mismatches(digests(path), spec)
        if wrong:
            algo, expected, actual = wrong[0]
            raise SourceError(
                f"the source cache entry {path} is damaged: its {algo} is {actual}, not {expected}",
                hint=f"delete {path} (and download it again, e.g. with `cfl fetch-sources`)",
            )
        return path

    def _lookup(self, spec: SourceSpec) -> Path | None:
        try:
            if spec.sha256:
                path = self.root / entry_name(spec.sha256)
                return path if path.is_file() else None
            if spec.md5:
                alias = self.root / md5_alias_name(spec.md5)
                if not alias.is_file():
                    return None
                path = self.root / entry_name(alias.read_text(encoding="ascii").strip())
                return path if path.is_file() else None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise SourceError(
                f"cannot read the source cache {self.root}: {exc}",
                hint=f"check the folder's permissions, or choose another with --source-cache "
                f"or ${ENV_VAR}",
            ) from exc
        return None

    def staging_dir(self) -> Path | None:
        """The cache folder when files can be stored in it, else None (read-only cache)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, name = make_temp(self.root, ".probe-")
        except OSError:
            return None
        os.close(fd)
        os.unlink(name)
        return self.root

    def store(self, part: Path, actual: Mapping[str, str]) -> Path:
        """Move the verified file ``part`` (in the cache folder) to its sha256 name.

        ``actual`` holds its digests. The md5 alias is written too, so a recipe that only
        gives md5 finds the file next time.
        """
        final = self.root / entry_name(actual["sha256"])
        try:
            os.replace(part, final)
            self._write_alias(actual)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise SourceError(f"cannot store {final} in the source cache: {exc}") from exc
        return final

    def _write_alias(self, actual: Mapping[str, str]) -> None:
        alias = self.root / md5_alias_name(actual["md5"])
        alias.parent.mkdir(exist_ok=True)
        fd, name = make_temp(alias.parent, ".part-")
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(actual["sha256"] + "\n")
        os.replace(name, alias)
