"""Getting ``url`` and ``pypi`` sources into the source cache; cloning ``git`` sources.

``fetch(spec, SourceCache(root), scratch=work_dir, env=os.environ)`` ->
``Fetched(path=<root>/<sha256>, status="cached")``: a file already in the cache is verified and
used without any network access; otherwise every URL of the source (the first, then its
mirrors) is tried in turn, or pip downloads the sdist, and the verified file is stored under
its sha256. When the cache cannot be written, the download is kept in ``scratch`` instead.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from ..errors import SourceError
from ..records import dataclass
from . import archive, proc
from .cache import ENV_VAR, SourceCache, describe, digests, mismatches
from .spec import SourceSpec, url_problem

_TIMEOUT_SECONDS = 120

FetchStatus = Literal["cached", "downloaded"]


@dataclass(frozen=True)
class Fetched:
    """The verified file of one source and whether it came from the cache."""

    path: Path
    status: FetchStatus


def fetch(
    spec: SourceSpec, cache: SourceCache, scratch: Path | None, env: Mapping[str, str]
) -> Fetched:
    """The verified file of a ``url`` or ``pypi`` source, from the cache or downloaded into it.

    ``scratch`` holds the download when the cache is read-only; None makes that an error.
    """
    found = cache.find(spec)
    if found is not None:
        return Fetched(found, "cached")
    staging = cache.staging_dir() or scratch
    if staging is None:
        raise SourceError(
            f"{_what(spec)} is not in the source cache {cache.root}, which cannot be written",
            hint=f"choose a writable folder with --source-cache or ${ENV_VAR}",
        )
    staging.mkdir(parents=True, exist_ok=True)
    part = (
        _download_url(spec, staging) if spec.kind == "url" else _download_sdist(spec, staging, env)
    )
    actual = digests(part)
    _verify(part, actual, spec)
    if staging == cache.root:
        return Fetched(cache.store(part, actual), "downloaded")
    return Fetched(part, "downloaded")


def _what(spec: SourceSpec) -> str:
    if spec.kind == "pypi":
        return f"the sdist of {spec.location}=={spec.version} ({describe(spec)})"
    return f"{spec.location} ({describe(spec)})"


def _download_url(spec: SourceSpec, directory: Path) -> Path:
    failures: list[str] = []
    urls = (spec.location, *spec.mirrors)
    for url in urls:
        try:
            return download(url, directory)
        except SourceError as exc:
            failures.append(exc.message)
    raise SourceError(
        f"no copy of the source with {describe(spec)} could be had: it is not in the source "
        "cache and\n  " + "\n  ".join(failures),
        hint=_offline_hint(spec),
    )


def _offline_hint(spec: SourceSpec) -> str:
    name = spec.sha256 or "<its sha256>"
    return (
        f"check the URL and your network (for file:// the path must exist); offline, put the "
        f"file into the source cache named {name}, or run `cfl fetch-sources RECIPE "
        f"--source-cache DIR` on a connected machine and use that DIR (--source-cache or "
        f"${ENV_VAR})"
    )


def download(url: str, directory: Path) -> Path:
    """Save ``url`` (http, https or file) as a new ``.part-*`` file in ``directory``."""
    import urllib.error  # imported on use: http.client, ssl and email cost every build
    import urllib.request

    problem = url_problem(url)
    if problem:
        raise SourceError(problem)
    fd, name = tempfile.mkstemp(prefix=".part-", dir=directory)
    part = Path(name)
    try:
        # The scheme was checked above: only http(s) and file:// reach urlopen.
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=_TIMEOUT_SECONDS) as response,  # noqa: S310
        ):
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"cannot download {url}: {reason}") from exc
    return part


def _verify(path: Path, actual: Mapping[str, str], spec: SourceSpec) -> None:
    """Delete ``path`` and refuse when it does not match the recipe's checksums."""
    wrong = mismatches(actual, spec)
    if not wrong:
        return
    path.unlink(missing_ok=True)
    algo, expected, got = wrong[0]
    raise SourceError(
        f"{algo} mismatch for {_what(spec)}:\n"
        f"  expected (recipe)   {expected}\n  actual (downloaded) {got}",
        hint=f"nothing was extracted or cached. If upstream changed the file on purpose, set "
        f"`{algo}: {got}` in the recipe; otherwise the download is damaged or was tampered with",
    )


def _download_sdist(spec: SourceSpec, directory: Path, env: Mapping[str, str]) -> Path:
    """The sdist of ``name==version`` (no version: the newest) as a ``.part-*`` file; pip
    finds it through its index."""
    requirement = f"{spec.location}=={spec.version}" if spec.version else spec.location
    staging = Path(tempfile.mkdtemp(prefix=".pip-", dir=directory))
    try:
        proc.run_checked(_pip_download(spec, requirement, staging), staging, env,
                         f"pip cannot download the sdist of {requirement}",
                         hint="check the name and version on the index pip is configured for "
                         "(`pip config list`); the project must publish an sdist")  # fmt: skip
        files = [p for p in staging.iterdir() if p.is_file()]
        if len(files) != 1:
            names = ", ".join(p.name for p in files) or "nothing"
            raise SourceError(f"pip download of {requirement} saved {names}, not one sdist")
        fd, name = tempfile.mkstemp(prefix=".part-", dir=directory)
        os.close(fd)
        return Path(shutil.move(files[0], name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pip_download(spec: SourceSpec, requirement: str, dest: Path) -> list[str]:
    # `--no-binary NAME` rather than `:all:`: pip passes the format control on to the isolated
    # build environment it makes to read the sdist's metadata, and `:all:` would build the
    # build backend itself (setuptools, hatchling, maturin with Rust ...) from source.
    return [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", spec.location,
        "--disable-pip-version-check", "--progress-bar", "off", "-d", str(dest), requirement,
    ]  # fmt: skip


# --------------------------------------------------------------------------- git


def clone(
    spec: SourceSpec, recipe_dir: Path, target: Path, scratch: Path, env: Mapping[str, str]
) -> None:
    """Clone a ``git`` source at its rev (with submodules) and move its files into ``target``."""
    url = spec.location
    if is_local_git(url):
        url = str((recipe_dir / url).absolute())
    env = {**env, "GIT_TERMINAL_PROMPT": "0"}  # fail instead of waiting for a password
    work = Path(tempfile.mkdtemp(prefix=".git-", dir=scratch))
    repo = work / "repo"
    try:
        proc.run_checked(["git", "clone", "--quiet", url, str(repo)], work, env,
                         f"cannot clone {url}")  # fmt: skip
        git = ["git", "-c", "advice.detachedHead=false", "-C", str(repo)]
        if spec.git_rev:
            proc.run_checked(
                [*git, "checkout", "--quiet", spec.git_rev],
                repo,
                env,
                f"cannot check out {spec.git_rev!r} of {url}",
                hint="check that the rev, tag or branch exists in the repository",
            )
        if (repo / ".gitmodules").exists():
            cmd = [*git, "submodule", "update", "--init", "--recursive", "--quiet"]
            proc.run_checked(cmd, repo, env, f"cannot fetch the submodules of {url}")
        archive.merge_into(repo, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def is_local_git(location: str) -> bool:
    """Whether a git location is a path (relative to the recipe) rather than a URL (pure)."""
    is_url = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", location)
    is_scp = re.match(r"^[^/\s]+@[^/\s]+:", location)  # git@github.com:org/repo.git
    return not (is_url or is_scp)
