"""The source stage: a recipe's ``source:`` section -> a filled ``work/src`` directory.

``parse_sources(rendered.meta["source"], "recipes/zlib/meta.yaml")`` -> ``[SourceSpec(...)]``
is pure; ``prepare(specs, recipe_dir, work_dir, SourceCache(Path("~/.cache/cfl/sources")))``
fetches, verifies, extracts and patches every source into ``work_dir/"src"`` (or its folder)
and returns a ``Prepared(src, warnings)``. ``fetch_all(specs, cache)`` only fills the cache
(``cfl fetch-sources``). Nothing here imports a later stage.

Modules: ``spec`` (parsing, pure), ``cache`` (the content-addressed source cache), ``fetch``
(downloads into the cache, pip, git), ``archive`` (safe extraction), ``patch`` (patches as
conda-build applies them), ``proc`` (running those tools).

The four kinds, with meta.yaml (v0) and recipe.yaml (v1) spellings:

``path``  ``path: src``: a folder (its contents are copied) or a file (an archive is
          extracted unless ``file_name`` is set, as rattler-build does), relative to the recipe.
``url``   ``url: https://.../x-1.0.tar.gz`` + ``sha256:`` (or ``md5:``); ``file://`` too; a list
          of URLs is a list of mirrors. Archives are extracted and a single top-level folder is
          stripped; ``file_name`` (v1) keeps the file as it is; v0 ``fn`` renames a non-archive.
          A file already in the source cache is used without network access.
``git``   v0 ``git_url`` + ``git_rev``; v1 ``git`` + one of ``rev``/``tag``/``branch``. A URL or
          a repository path relative to the recipe; cloned with the git CLI.
``pypi``  an sdist fetched with ``pip download`` through pip's configured index (and kept in
          the source cache by its sha256)::

              source:
                pypi:
                  name: foo
                  version: "1.2"
                  sha256: 0123...

          (``sha256`` may also sit next to ``pypi:`` like a url source's.)

Every kind takes ``folder`` (v0) / ``target_directory`` (v1) and ``patches`` (applied in order
inside that folder). ``url`` and ``pypi`` sources must carry a checksum.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .. import lazy
from ..errors import CflError, SourceError, raise_collected
from ..records import dataclass
from .cache import SourceCache, describe, resolve_dir
from .spec import SourceSpec, parse_sources, url_problem

# Downloads, git and patches load when a recipe has such a source (most local builds do not).
if TYPE_CHECKING:
    from .fetch import FetchStatus
    from .patch import apply_patch

__getattr__ = lazy.exports(__name__, {"apply_patch": ".patch"})

__all__ = [
    "FetchReport",
    "Prepared",
    "SourceCache",
    "SourceSpec",
    "apply_patch",
    "fetch_all",
    "parse_sources",
    "prepare",
    "resolve_dir",
    "unique_downloads",
    "url_problem",
]


@dataclass(frozen=True)
class Prepared:
    """The filled source folder and what the user should know (patches needing wide fuzz)."""

    src: Path
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Context:
    recipe_dir: Path
    work_dir: Path
    cache: SourceCache
    env: dict[str, str]


def prepare(
    specs: Sequence[SourceSpec],
    recipe_dir: Path,
    work_dir: Path,
    cache: SourceCache,
    *,
    env: Mapping[str, str] | None = None,
) -> Prepared:
    """Fill a fresh ``work_dir/"src"`` from ``specs`` in order.

    Downloads are kept in ``cache`` (or in ``work_dir`` when it cannot be written). ``env``
    (default: this process's environment) is what git, patch and pip run with, so pip's
    configuration (``PIP_INDEX_URL``, ``PIP_NO_INDEX``, ``PIP_FIND_LINKS``) applies.
    """
    ctx = _Context(
        recipe_dir.absolute(),
        work_dir.absolute(),
        SourceCache(cache.root.absolute()),
        dict(os.environ if env is None else env),
    )
    raise_collected(_missing_inputs(specs, ctx))
    src = ctx.work_dir / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    warnings: list[str] = []
    for spec in specs:
        target = src / spec.folder if spec.folder else src
        target.mkdir(parents=True, exist_ok=True)
        _PLACERS[spec.kind](spec, target, ctx)
        for patch in spec.patches:
            from .patch import apply_patch

            warning = apply_patch(ctx.recipe_dir / patch, target, ctx.env)
            if warning:
                warnings.append(warning)
    return Prepared(src, tuple(warnings))


@dataclass(frozen=True)
class FetchReport:
    """What ``fetch_all`` did for one source: ``status`` is cached, downloaded or failed."""

    source: str  # the URL or ``name==version``
    checksum: str  # "sha256 <hex>" or "md5 <hex>"
    status: FetchStatus | Literal["failed"]
    reason: str | None = None
    path: Path | None = None


def fetch_all(
    specs: Sequence[SourceSpec], cache: SourceCache, env: Mapping[str, str] | None = None
) -> list[FetchReport]:
    """Put every ``url`` and ``pypi`` source of ``specs`` into ``cache`` (each once).

    A failure is reported, not raised, so one run shows every missing source.
    """
    from . import fetch

    environ = dict(os.environ if env is None else env)
    reports: list[FetchReport] = []
    for spec in unique_downloads(specs):
        label = spec.location if spec.kind == "url" else f"{spec.location}=={spec.version}"
        try:
            got = fetch.fetch(spec, cache, None, environ)
        except SourceError as exc:
            reports.append(FetchReport(label, describe(spec), "failed", exc.message))
            continue
        reports.append(FetchReport(label, describe(spec), got.status, None, got.path))
    return reports


def unique_downloads(specs: Sequence[SourceSpec]) -> list[SourceSpec]:
    """The ``url`` and ``pypi`` sources of ``specs``, each file once, in order (pure)."""
    seen: set[tuple[str | None, ...]] = set()
    unique: list[SourceSpec] = []
    for spec in specs:
        if spec.kind not in ("url", "pypi"):
            continue
        key = (spec.kind, spec.sha256 or spec.md5, spec.location, spec.version)
        if key not in seen:
            seen.add(key)
            unique.append(spec)
    return unique


def _missing_inputs(specs: Sequence[SourceSpec], ctx: _Context) -> list[CflError]:
    """Local paths that do not exist, all at once, before anything is fetched."""
    where = f"relative to the recipe folder {ctx.recipe_dir}"
    errors: list[CflError] = []
    for spec in specs:
        if spec.kind not in _PLACERS:
            errors.append(SourceError(f"unknown source kind {spec.kind!r}"))
        local = spec.location if spec.kind == "path" else None
        if spec.kind == "git" and _is_local_git(spec.location):
            local = spec.location
        if local is not None and not (ctx.recipe_dir / local).exists():
            what = "git repository" if spec.kind == "git" else "source path"
            hint = f"`{'git' if spec.kind == 'git' else 'path'}:` is {where}"
            errors.append(SourceError(f"{what} not found: {ctx.recipe_dir / local}", hint=hint))
        for patch in spec.patches:
            if not (ctx.recipe_dir / patch).is_file():
                errors.append(
                    SourceError(
                        f"patch not found: {ctx.recipe_dir / patch}",
                        hint=f"`patches:` are {where}",
                    )
                )
    return errors


def _is_local_git(location: str) -> bool:
    from . import fetch

    return fetch.is_local_git(location)


def _place_path(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    source = (ctx.recipe_dir / spec.location).absolute()
    try:
        if source.is_dir():
            _copy_tree(source, target, ctx.work_dir)
            return
        from . import archive  # tarfile, zipfile and zstandard: only for a file

        if spec.file_name is None and archive.archive_kind(source) is not None:
            archive.extract(source, target, ctx.work_dir)
        else:
            shutil.copy2(source, target / (spec.file_name or source.name))
    except (OSError, shutil.Error) as exc:
        raise SourceError(
            f"cannot copy the source path {source} to {target}: {exc}",
            hint="check the permissions of the source folder",
        ) from exc


def _copy_tree(source: Path, target: Path, work_dir: Path) -> None:
    # `path: .` next to a work dir inside the recipe folder must not copy the work dir into itself.
    skip = os.path.realpath(work_dir)

    def ignore(directory: str, names: list[str]) -> list[str]:
        return [n for n in names if os.path.realpath(os.path.join(directory, n)) == skip]

    inside = skip.startswith(os.path.realpath(source) + os.sep)
    shutil.copytree(
        source, target, symlinks=True, dirs_exist_ok=True, ignore=ignore if inside else None
    )


def _place_url(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    from . import archive, fetch

    downloaded = fetch.fetch(spec, ctx.cache, ctx.work_dir, ctx.env).path
    name = spec.file_name or _url_file_name(spec.location)
    try:
        if spec.file_name is None and archive.archive_kind(downloaded, name) is not None:
            archive.extract(downloaded, target, ctx.work_dir, name)
        else:
            shutil.copyfile(downloaded, target / name)
    finally:
        _drop_scratch(downloaded, ctx)


def _place_pypi(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    from . import archive, fetch

    sdist = fetch.fetch(spec, ctx.cache, ctx.work_dir, ctx.env).path
    try:
        archive.extract(sdist, target, ctx.work_dir)  # named by its sha256: the content decides
    finally:
        _drop_scratch(sdist, ctx)


def _drop_scratch(path: Path, ctx: _Context) -> None:
    """A download kept in the work dir (read-only cache) is not left among the build files."""
    if path.parent == ctx.work_dir:
        path.unlink(missing_ok=True)


def _url_file_name(url: str) -> str:
    name = posixpath.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path))
    return re.sub(r"[^A-Za-z0-9._+-]", "_", name) or "download"


def _place_git(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    from . import fetch

    fetch.clone(spec, ctx.recipe_dir, target, ctx.work_dir, ctx.env)


_PLACERS: dict[str, Callable[[SourceSpec, Path, _Context], None]] = {
    "path": _place_path,
    "url": _place_url,
    "git": _place_git,
    "pypi": _place_pypi,
}
