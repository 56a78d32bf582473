"""Sources: a recipe's ``source:`` section -> a filled ``work/src`` directory.

``parse_sources(rendered.meta["source"], "recipes/zlib/meta.yaml")`` -> ``[SourceSpec(...)]``
is pure; ``prepare(specs, recipe_dir, work_dir, cache_dir)`` fetches, verifies, extracts and
patches every source into ``work_dir/"src"`` (or its folder) and returns that directory.

The four kinds, with meta.yaml (v0) and recipe.yaml (v1) spellings:

``path``  ``path: src``: a folder (its contents are copied) or a file (an archive is
          extracted unless ``file_name`` is set, as rattler-build does), relative to the recipe.
``url``   ``url: https://.../x-1.0.tar.gz`` + ``sha256:`` (or ``md5:``); ``file://`` too; a list
          of URLs is a list of mirrors. Archives are extracted and a single top-level folder is
          stripped; ``file_name`` (v1) keeps the file as it is; v0 ``fn`` renames a non-archive.
``git``   v0 ``git_url`` + ``git_rev``; v1 ``git`` + one of ``rev``/``tag``/``branch``. A URL or
          a repository path relative to the recipe; cloned with the git CLI.
``pypi``  an sdist fetched with ``pip download`` through pip's configured index::

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

import hashlib
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CflError, SourceError, raise_collected
from . import archive
from .source_spec import SourceSpec, parse_sources, url_problem

__all__ = ["SourceSpec", "apply_patch", "parse_sources", "prepare", "url_problem"]


# --------------------------------------------------------------------------- preparing (I/O)

_TAIL_LINES = 15
_TIMEOUT_SECONDS = 120
_STRIP_LEVELS = (1, 0, 2)


@dataclass(frozen=True)
class _Context:
    recipe_dir: Path
    work_dir: Path
    cache_dir: Path
    env: dict[str, str]


def prepare(
    specs: Sequence[SourceSpec],
    recipe_dir: Path,
    work_dir: Path,
    cache_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Fill a fresh ``work_dir/"src"`` from ``specs`` in order and return it.

    Downloads are kept in ``cache_dir``. ``env`` (default: this process's environment) is
    what git and pip run with, so pip's configuration (``PIP_INDEX_URL``, ``PIP_NO_INDEX``,
    ``PIP_FIND_LINKS``) applies to pypi sources.
    """
    ctx = _Context(
        recipe_dir.absolute(),
        work_dir.absolute(),
        cache_dir.absolute(),
        dict(os.environ if env is None else env),
    )
    raise_collected(_missing_inputs(specs, ctx))
    src = ctx.work_dir / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    ctx.cache_dir.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        target = src / spec.folder if spec.folder else src
        target.mkdir(parents=True, exist_ok=True)
        _FETCHERS[spec.kind](spec, target, ctx)
        for patch in spec.patches:
            apply_patch(ctx.recipe_dir / patch, target, ctx.env)
    return src


def _missing_inputs(specs: Sequence[SourceSpec], ctx: _Context) -> list[CflError]:
    """Local paths that do not exist, all at once, before anything is fetched."""
    where = f"relative to the recipe folder {ctx.recipe_dir}"
    errors: list[CflError] = []
    for spec in specs:
        if spec.kind not in _FETCHERS:
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


def _fetch_path(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    source = (ctx.recipe_dir / spec.location).absolute()
    try:
        if source.is_dir():
            _copy_tree(source, target, ctx.work_dir)
        elif spec.file_name is None and archive.archive_kind(source) is not None:
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


def _fetch_url(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    downloaded = _download(spec, ctx.cache_dir / "url")
    name = spec.file_name or _url_file_name(spec.location)
    if spec.file_name is None and archive.archive_kind(downloaded, name) is not None:
        archive.extract(downloaded, target, ctx.work_dir, name)
    else:
        shutil.copy2(downloaded, target / name)


def _url_file_name(url: str) -> str:
    name = posixpath.basename(urllib.parse.unquote(urllib.parse.urlparse(url).path))
    return re.sub(r"[^A-Za-z0-9._+-]", "_", name) or "download"


def _download(spec: SourceSpec, cache: Path) -> Path:
    """The verified file for ``spec`` in ``cache``, downloaded unless a verified copy is there."""
    checksum = spec.sha256 or spec.md5
    key = checksum or hashlib.sha256(spec.location.encode()).hexdigest()
    cached = cache / f"{key[:16]}-{_url_file_name(spec.location)}"
    if checksum and cached.is_file() and not _mismatches(cached, spec):
        return cached
    cache.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for url in (spec.location, *spec.mirrors):
        try:
            part = _fetch_to(url, cache)
        except SourceError as exc:
            failures.append(exc.message)
            continue
        _verify(part, spec, url)
        os.replace(part, cached)
        return cached
    raise SourceError(
        "\n".join(failures),
        hint="check the URL and your network; for file:// the path must exist",
    )


def _fetch_to(url: str, directory: Path) -> Path:
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


def _digests(path: Path) -> dict[str, str]:
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha256.update(block)
            md5.update(block)
    return {"sha256": sha256.hexdigest(), "md5": md5.hexdigest()}


def _mismatches(path: Path, spec: SourceSpec) -> list[tuple[str, str, str]]:
    actual = _digests(path)
    expected = {"sha256": spec.sha256, "md5": spec.md5}
    return [(k, v, actual[k]) for k, v in expected.items() if v and v != actual[k]]


def _verify(path: Path, spec: SourceSpec, what: str) -> None:
    """Delete ``path`` and refuse when it does not match the recipe's checksums."""
    wrong = _mismatches(path, spec)
    if not wrong:
        return
    path.unlink(missing_ok=True)
    algo, expected, actual = wrong[0]
    raise SourceError(
        f"{algo} mismatch for {what}:\n"
        f"  expected (recipe)   {expected}\n  actual (downloaded) {actual}",
        hint=f"nothing was extracted. If upstream changed the file on purpose, set `{algo}: "
        f"{actual}` in the recipe; otherwise the download is damaged or was tampered with",
    )


def _fetch_git(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    url = spec.location
    if _is_local_git(url):
        url = str((ctx.recipe_dir / url).absolute())
    env = {**ctx.env, "GIT_TERMINAL_PROMPT": "0"}  # fail instead of waiting for a password
    scratch = Path(tempfile.mkdtemp(prefix=".git-", dir=ctx.work_dir))
    clone = scratch / "repo"
    try:
        _run_checked(
            ["git", "clone", "--quiet", url, str(clone)], scratch, env, f"cannot clone {url}"
        )
        git = ["git", "-c", "advice.detachedHead=false", "-C", str(clone)]
        if spec.git_rev:
            _run_checked(
                [*git, "checkout", "--quiet", spec.git_rev],
                clone,
                env,
                f"cannot check out {spec.git_rev!r} of {url}",
                hint="check that the rev, tag or branch exists in the repository",
            )
        if (clone / ".gitmodules").exists():
            cmd = [*git, "submodule", "update", "--init", "--recursive", "--quiet"]
            _run_checked(cmd, clone, env, f"cannot fetch the submodules of {url}")
        archive.merge_into(clone, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _is_local_git(location: str) -> bool:
    is_url = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", location)
    is_scp = re.match(r"^[^/\s]+@[^/\s]+:", location)  # git@github.com:org/repo.git
    return not (is_url or is_scp)


def _fetch_pypi(spec: SourceSpec, target: Path, ctx: _Context) -> None:
    sdist = _download_sdist(spec, ctx)
    archive.extract(sdist, target, ctx.work_dir)


def _download_sdist(spec: SourceSpec, ctx: _Context) -> Path:
    """The verified sdist of ``name==version``; pip finds it through its configured index."""
    requirement = f"{spec.location}=={spec.version}"
    canonical = re.sub(r"[-_.]+", "-", spec.location).lower()
    entry = ctx.cache_dir / "pypi" / f"{canonical}-{spec.version}"
    cached = [p for p in entry.iterdir() if p.is_file()] if entry.is_dir() else []
    if spec.sha256 and len(cached) == 1 and not _mismatches(cached[0], spec):
        return cached[0]
    staging = Path(tempfile.mkdtemp(prefix=".pip-", dir=ctx.cache_dir))
    try:
        _run_checked(_pip_download(spec, requirement, staging), ctx.work_dir, ctx.env,
                     f"pip cannot download the sdist of {requirement}",
                     hint="check the name and version on the index pip is configured for "
                     "(`pip config list`); the project must publish an sdist")  # fmt: skip
        files = [p for p in staging.iterdir() if p.is_file()]
        if len(files) != 1:
            names = ", ".join(p.name for p in files) or "nothing"
            raise SourceError(f"pip download of {requirement} saved {names}, not one sdist")
        _verify(files[0], spec, f"the sdist of {requirement} ({files[0].name})")
        shutil.rmtree(entry, ignore_errors=True)
        entry.mkdir(parents=True)
        return Path(shutil.move(files[0], entry / files[0].name))
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


_FETCHERS: dict[str, Callable[[SourceSpec, Path, _Context], None]] = {
    "path": _fetch_path,
    "url": _fetch_url,
    "git": _fetch_git,
    "pypi": _fetch_pypi,
}


# --------------------------------------------------------------------------- patches


def apply_patch(patch: Path, target: Path, env: Mapping[str, str]) -> None:
    """Apply ``patch`` inside ``target``, finding its strip level (-p1, -p0, -p2) by dry runs.

    ``git apply`` is tried first at each level (exact, handles binary and renames), then GNU
    ``patch`` (tolerates fuzz). Git never looks above ``target`` for a repository: the work
    dir may sit inside someone's checkout, and git would then apply paths relative to it.
    """
    tools = [tool for tool in ("git", "patch") if shutil.which(tool, path=env.get("PATH"))]
    if not tools:
        raise SourceError(
            f"cannot apply {patch}: neither `git` nor `patch` is on PATH",
            hint="install git or patch (Debian/Ubuntu: apt-get install git patch)",
        )
    env = {**env, "GIT_CEILING_DIRECTORIES": str(target.parent)}
    attempts: list[str] = []
    for level in _STRIP_LEVELS:
        for tool in tools:
            check, apply = _patch_commands(tool, patch.absolute(), level)
            result = _run(check, target, env)
            if result.returncode == 0:
                _run_checked(
                    apply, target, env, f"patch {patch.name} passed its dry run but failed"
                )
                return
            attempts.append(_failure(check, result, lines=6))
    raise SourceError(
        f"patch {patch} does not apply in {target} at -p1, -p0 or -p2:\n" + "\n".join(attempts),
        hint="the patch was made for another version of the source or other paths; remake it "
        "with `git diff` (or `diff -ru`) in the unpacked source",
    )


def _patch_commands(tool: str, patch: Path, level: int) -> tuple[list[str], list[str]]:
    if tool == "git":
        apply = ["git", "apply", f"-p{level}", "--whitespace=nowarn", str(patch)]
        return [*apply[:2], "--check", *apply[2:]], apply
    # --forward: a patch that is already applied is a failure, not something to reverse.
    apply = ["patch", "--batch", "--forward", "--no-backup-if-mismatch", f"-p{level}",
             "-i", str(patch)]  # fmt: skip
    return [*apply, "--dry-run"], apply


# --------------------------------------------------------------------------- subprocesses


def _run(cmd: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            cmd,
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise SourceError(
            f"cannot run `{shlex.join(cmd)}`: {exc}", hint=f"install `{cmd[0]}` or put it on PATH"
        ) from exc


def _run_checked(
    cmd: list[str], cwd: Path, env: Mapping[str, str], what: str, hint: str | None = None
) -> None:
    result = _run(cmd, cwd, env)
    if result.returncode:
        raise SourceError(
            f"{what}:\n{_failure(cmd, result, lines=_TAIL_LINES)}",
            hint=hint or "the output above is the end of the tool's output",
        )


def _failure(cmd: list[str], result: subprocess.CompletedProcess[str], lines: int) -> str:
    tail = result.stdout.strip().splitlines()[-lines:]
    shown = "".join(f"\n    {line}" for line in tail)
    return f"  `{shlex.join(cmd)}` exited with {result.returncode}{shown}"
