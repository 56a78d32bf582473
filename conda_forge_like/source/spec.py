"""Parsing a recipe's ``source:`` section (pure): ``parse_sources(raw, "recipe.yaml")`` ->
``[SourceSpec(kind="url", location="https://...", sha256="...")]``. Both recipe formats'
spellings are read; every problem of every entry is reported together with its line.
See the ``source`` package docstring for the kinds and their keys.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

from .. import lazy
from ..errors import CflError, Location, RecipeError, raise_collected
from ..records import dataclass


@dataclass(frozen=True)
class SourceSpec:
    """One parsed ``source:`` entry; ``location`` is a path, URL, git URL or PyPI name."""

    kind: str  # "path" | "url" | "git" | "pypi"
    location: str
    sha256: str | None = None
    md5: str | None = None
    git_rev: str | None = None
    version: str | None = None  # pypi
    folder: str | None = None  # v0 `folder`, v1 `target_directory`
    patches: tuple[str, ...] = ()
    file_name: str | None = None  # url/path: keep the file unextracted under this name
    mirrors: tuple[str, ...] = ()  # url: further URLs tried in order when one fails


# --------------------------------------------------------------------------- parsing (pure)

_KIND_KEYS = {"path": ("path",), "url": ("url",), "git": ("git_url", "git"), "pypi": ("pypi",)}
_COMMON = frozenset({"folder", "target_directory", "patches"})
_ALLOWED = {
    "path": _COMMON | {"path", "file_name", "use_gitignore"},
    "url": _COMMON | {"url", "sha256", "md5", "fn", "file_name"},
    "git": _COMMON
    | {"git_url", "git", "git_rev", "git_tag", "rev", "tag", "branch", "git_depth", "depth"},
    "pypi": _COMMON | {"pypi", "sha256"},
}
_UNSUPPORTED = {
    "svn_url": "svn sources",
    "hg_url": "mercurial sources",
    "lfs": "git LFS",
    "filter": "path filters",
    "sha1": "sha1 checksums (use sha256)",
}
_REV_KEYS = ("git_rev", "git_tag", "rev", "tag", "branch")
_URL_SCHEMES = ("http", "https", "file")
_PYPI_NAME = lazy.regex(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
_PYPI_VERSION = lazy.regex(r"^[A-Za-z0-9][A-Za-z0-9.!+_-]*$")


class _Entry:
    """One raw entry while it is parsed; problems are collected, not raised."""

    def __init__(self, raw: Mapping[Any, Any], recipe: str, label: str, line: int | None):
        self.raw = raw
        self.recipe = recipe
        self.label = label
        self.line = line
        self.errors: list[CflError] = []

    def error(self, key: str | None, message: str, hint: str | None = None) -> None:
        line_of = getattr(self.raw, "line_of", None)
        line = line_of(key) if key is not None and callable(line_of) else self.line
        self.errors.append(
            RecipeError(f"{self.label}: {message}", Location(self.recipe, line), hint=hint)
        )

    def text(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, (dict, list)) or str(value).strip() == "":
            self.error(key, f"`{key}` must be a non-empty string, not {value!r}")
            return None
        return str(value).strip()


def parse_sources(raw: Any, recipe_path: str) -> list[SourceSpec]:
    """The rendered ``source:`` section (a mapping or a list of them) as ``SourceSpec``s.

    Every problem in every entry is reported at once as ``RecipeError``s naming the recipe.
    """
    if raw is None:
        return []
    entries = raw if isinstance(raw, list) else [raw]
    specs: list[SourceSpec] = []
    errors: list[CflError] = []
    for index, item in enumerate(entries):
        label = "source" if len(entries) == 1 else f"source #{index + 1}"
        line = _line(raw, item, index)
        if not isinstance(item, Mapping):
            errors.append(
                RecipeError(
                    f"{label} must be a mapping such as `url: ...` or `path: ...`, not {item!r}",
                    Location(recipe_path, line),
                )
            )
            continue
        entry = _Entry(item, recipe_path, label, line)
        spec = _parse_entry(entry)
        errors.extend(entry.errors)
        if spec is not None and not entry.errors:
            specs.append(spec)
    raise_collected(errors)
    return specs


def _line(raw: Any, item: Any, index: int) -> int | None:
    own = getattr(item, "line", None)
    if isinstance(own, int) and own:
        return own
    line_of = getattr(raw, "line_of", None)
    if isinstance(raw, list) and callable(line_of):
        found = line_of(index)
        return found if isinstance(found, int) else None
    return None


def _parse_entry(entry: _Entry) -> SourceSpec | None:
    kind = _kind_of(entry)
    if kind is None:
        return None
    _check_keys(entry, kind)
    common: dict[str, Any] = {"folder": _folder(entry), "patches": _patches(entry)}
    if kind == "path":
        location = entry.text("path")
        return SourceSpec("path", location or "", file_name=_file_name(entry), **common)
    if kind == "url":
        return _parse_url(entry, common)
    if kind == "git":
        return _parse_git(entry, common)
    return _parse_pypi(entry, common)


def _kind_of(entry: _Entry) -> str | None:
    for key, what in _UNSUPPORTED.items():
        if key in entry.raw and key.endswith("_url"):
            entry.error(key, f"{what} are not supported", hint="use a `url:` or `git:` source")
            return None
    found = [kind for kind, keys in _KIND_KEYS.items() if any(k in entry.raw for k in keys)]
    if len(found) == 1:
        return found[0]
    if not found:
        entry.error(
            None,
            "no source kind: expected one of `path`, `url`, `git_url` (v0) / `git` (v1), `pypi`",
            hint="e.g. `url: https://example.org/foo-1.0.tar.gz` with `sha256: ...`",
        )
    else:
        entry.error(
            None,
            f"more than one source kind in one entry: {', '.join(found)}",
            hint="give each source its own list item under `source:`",
        )
    return None


def _check_keys(entry: _Entry, kind: str) -> None:
    allowed = _ALLOWED[kind]
    for key in entry.raw:
        name = str(key)
        if name in allowed:
            continue
        if name in _UNSUPPORTED:
            entry.error(name, f"{_UNSUPPORTED[name]} are not supported (`{name}`)")
            continue
        import difflib  # a misspelt key

        close = difflib.get_close_matches(name, sorted(allowed), n=1)
        hint = f"did you mean `{close[0]}`?" if close else None
        entry.error(
            name,
            f"unknown key `{name}` for a {kind} source (known: {', '.join(sorted(allowed))})",
            hint=hint,
        )
    if "folder" in entry.raw and "target_directory" in entry.raw:
        entry.error("folder", "both `folder` and `target_directory` are set; keep one")


def _folder(entry: _Entry) -> str | None:
    key = "target_directory" if "target_directory" in entry.raw else "folder"
    value = entry.text(key)
    if value is None:
        return None
    normal = posixpath.normpath(value.replace("\\", "/"))
    if normal.startswith(("/", "../")) or normal == "..":
        entry.error(
            key,
            f"`{key}: {value}` leaves the source directory",
            hint="use a relative folder inside the work directory, such as `vendor/foo`",
        )
        return None
    return None if normal == "." else normal


def _patches(entry: _Entry) -> tuple[str, ...]:
    value = entry.raw.get("patches")
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    bad = [item for item in items if not isinstance(item, str) or not item.strip()]
    if bad:
        entry.error("patches", f"`patches` must list patch file paths, got {bad[0]!r}")
        return ()
    return tuple(item.strip() for item in items)


def _file_name(entry: _Entry) -> str | None:
    name = entry.text("file_name")
    if name is not None and ("/" in name or "\\" in name or name in (".", "..")):
        entry.error("file_name", f"`file_name: {name}` must be a plain file name")
        return None
    return name


def _checksums(entry: _Entry, where: Mapping[Any, Any] | None = None) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for key, size in (("sha256", 64), ("md5", 32)):
        value = entry.text(key) if where is None else _nested_text(entry, where, key)
        if value is not None and not re.fullmatch(f"[0-9a-fA-F]{{{size}}}", value):
            entry.error(
                key,
                f"`{key}: {value}` is not {size} hexadecimal digits",
                hint=f"`{key}sum FILE` prints the checksum of a downloaded file",
            )
            value = None
        found[key] = value.lower() if value else None
    return found


def _nested_text(entry: _Entry, where: Mapping[Any, Any], key: str) -> str | None:
    value = where.get(key)
    return None if value is None else str(value).strip()


def _parse_url(entry: _Entry, common: dict[str, Any]) -> SourceSpec | None:
    raw = entry.raw.get("url")
    urls = [str(u).strip() for u in raw] if isinstance(raw, list) else [str(raw or "").strip()]
    if not urls or not all(urls):
        entry.error("url", "`url` must be a URL or a list of mirror URLs")
        return None
    for url in urls:
        problem = url_problem(url)
        if problem:
            entry.error("url", problem, hint="for a file next to the recipe use `path:`")
    sums = _checksums(entry)
    if "sha256" not in entry.raw and "md5" not in entry.raw:
        entry.error("url", f"`{urls[0]}` has no `sha256`", hint=_CHECKSUM_HINT)
    file_name = _file_name(entry)
    fn = entry.text("fn")
    if fn is not None and file_name is None:
        from .archive import is_archive_name  # v0 `fn` only

        if not is_archive_name(fn):
            file_name = fn  # conda-build's `fn` names the download; an archive is still extracted
    return SourceSpec(
        "url",
        urls[0],
        sha256=sums["sha256"],
        md5=sums["md5"],
        file_name=file_name,
        mirrors=tuple(urls[1:]),
        **common,
    )


_CHECKSUM_HINT = (
    "add `sha256: <64 hex digits>` (`sha256sum FILE` prints it); a build with a wrong value "
    "fails and shows the actual one"
)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched, or None (pure)."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in _URL_SCHEMES:
        return f"`{url}`: only http://, https:// and file:// URLs are supported"
    local = parsed.netloc in ("", "localhost") and parsed.path.startswith("/")
    if parsed.scheme == "file" and not local:
        return f"`{url}`: a file:// URL needs an absolute path (file:///...)"
    if parsed.scheme != "file" and not parsed.netloc:
        return f"`{url}` has no host"
    return None


def _parse_git(entry: _Entry, common: dict[str, Any]) -> SourceSpec | None:
    location = entry.text("git_url" if "git_url" in entry.raw else "git")
    revs = [key for key in _REV_KEYS if key in entry.raw]
    if len(revs) > 1:
        entry.error(revs[1], f"give one of {', '.join(f'`{r}`' for r in revs)}, not several")
    rev = entry.text(revs[0]) if revs else None
    if location is None:
        return None
    return SourceSpec("git", location, git_rev=rev, **common)


def _parse_pypi(entry: _Entry, common: dict[str, Any]) -> SourceSpec | None:
    raw = entry.raw.get("pypi")
    example = "pypi: {name: foo, version: '1.2', sha256: ...}"
    if not isinstance(raw, Mapping):
        entry.error("pypi", f"`pypi` must be a mapping: `{example}`")
        return None
    for key in raw:
        if key not in ("name", "version", "sha256"):
            entry.error("pypi", f"unknown key `{key}` under `pypi` (known: name, version, sha256)")
    name = _nested_text(entry, raw, "name")
    version = _nested_text(entry, raw, "version")
    if not name or not _PYPI_NAME.match(name):
        entry.error("pypi", f"`pypi` needs a project `name`, got {name!r}", hint=example)
    if not version or not _PYPI_VERSION.match(version):
        entry.error(
            "pypi",
            f"`pypi` needs one exact `version`, got {version!r}",
            hint="write the version quoted (`version: '1.10'`), without operators",
        )
    inner, outer = _checksums(entry, raw)["sha256"], _checksums(entry)["sha256"]
    if inner and outer and inner != outer:
        entry.error("sha256", "two different sha256 values, under `pypi` and next to it")
    if "sha256" not in raw and "sha256" not in entry.raw:
        entry.error("pypi", f"the pypi source {name!r} has no `sha256`", hint=_CHECKSUM_HINT)
    if not name or not version:
        return None
    return SourceSpec("pypi", name, sha256=inner or outer, version=version, **common)
