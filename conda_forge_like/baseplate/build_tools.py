"""The table of build tools the base plate provides (``build_tools.toml``), as typed entries.

Pure apart from reading the packaged data file once. ``table()["patch"]`` ->
``ToolEntry(name="patch", provider="machine", debian=("patch",), links=(("patch", "patch"),))``;
``debian_packages(table())`` -> every Debian package the table needs, for ``ci/setup.sh``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..errors import CflError, Location
from ..fsutil import read_json_object, user_cache_dir, write_json_cache
from ..records import dataclass

Provider = Literal["pypi", "machine", "files"]
PROVIDERS: tuple[str, ...] = ("pypi", "machine", "files")
DATA_FILE = "build_tools.toml"
_KEYS = {"provider", "project", "debian", "executables", "into", "files", "version",
         "version_args", "env", "relative_inputs"}  # fmt: skip


@dataclass(frozen=True)
class ToolEntry:
    """How the base plate stands in for one conda-forge build-tool package.

    ``links`` pairs the name linked in the prefix with the machine's (or wheel's) name;
    ``files`` are absolute paths linked into ``into``; ``version`` is what runs with
    ``version_args`` to tell the version.
    """

    name: str
    provider: Provider
    links: tuple[tuple[str, str], ...] = ()
    debian: tuple[str, ...] = ()
    project: str | None = None
    into: str = "bin"
    files: tuple[str, ...] = ()
    version: str = ""
    version_args: tuple[str, ...] = ("--version",)
    # Defaults the tool runs with, ``{prefix}`` being the environment it is provided into:
    # conda-forge's pkg-config searches its own prefix, not the build machine's /usr.
    env: tuple[tuple[str, str], ...] = ()
    # Input files (globs) given as absolute paths under $SRC_DIR are passed relative to the
    # working directory: assemblers record their input's path and have no prefix map.
    relative_inputs: tuple[str, ...] = ()

    @property
    def install_hint(self) -> str:
        if self.provider == "pypi":
            return f"pip install {self.project or self.name} (a dependency of conda-forge-like)"
        return f"apt-get install {' '.join(self.debian)} (or run `bash ci/setup.sh`)"


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise CflError(f"{where}: `{key}` must be a list of names", Location(DATA_FILE))


def _links(names: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``awk=gawk`` links the machine's gawk as awk; a plain name links itself."""
    pairs = []
    for name in names:
        link, _, source = name.partition("=")
        pairs.append((link, source or link))
    return tuple(pairs)


def parse_entry(name: str, raw: Mapping[str, Any]) -> ToolEntry:
    where = f"[{name}]"
    unknown = sorted(set(raw) - _KEYS)
    provider = raw.get("provider")
    if unknown or provider not in PROVIDERS:
        problem = f"unknown key(s) {', '.join(unknown)}" if unknown else f"provider {provider!r}"
        raise CflError(
            f"{where}: {problem}",
            Location(DATA_FILE),
            hint=f"provider is one of {', '.join(PROVIDERS)}; keys: {', '.join(sorted(_KEYS))}",
        )
    links = _links(_strings(raw.get("executables", []), "executables", where))
    files = _strings(raw.get("files", []), "files", where)
    if not (links or files):
        raise CflError(f"{where}: names no executables or files", Location(DATA_FILE))
    debian = _strings(raw.get("debian", []), "debian", where)
    if provider != "pypi" and not debian:
        raise CflError(
            f"{where}: a {provider} tool must name its Debian package(s)", Location(DATA_FILE)
        )
    default_version = links[0][1] if links else files[0]
    return ToolEntry(
        name=name,
        provider=provider,
        links=links,
        debian=debian,
        project=raw.get("project") or (name if provider == "pypi" else None),
        into=str(raw.get("into", "bin")),
        files=files,
        version=str(raw.get("version", default_version)),
        version_args=_strings(raw.get("version_args", ["--version"]), "version_args", where),
        env=_env(raw.get("env", {}), where),
        relative_inputs=_strings(raw.get("relative_inputs", []), "relative_inputs", where),
    )


def _env(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise CflError(f"{where}: `env` must map names to strings", Location(DATA_FILE))
    return tuple((str(k), v) for k, v in sorted(value.items()))


def parse_table(data: Mapping[str, Any]) -> dict[str, ToolEntry]:
    entries = {}
    for name, raw in data.items():
        if not isinstance(raw, dict):
            raise CflError(f"[{name}] must be a table", Location(DATA_FILE))
        entries[name] = parse_entry(name, raw)
    return entries


@lru_cache(maxsize=1)
def table() -> Mapping[str, ToolEntry]:
    return parse_table(_raw_table(Path(__file__).with_name(DATA_FILE)))


def _raw_table(path: Path) -> dict[str, Any]:
    """The data file as TOML reads it, kept as JSON in cfl's cache under the file's path, size
    and mtime: tomllib is pure Python (6-7 ms a process to import and parse), json is not."""
    info = path.stat()
    key = [str(path), info.st_size, info.st_mtime_ns]
    cache = user_cache_dir() / "build-tools.json"
    data = read_json_object(cache)
    kept = data.get("table")
    if data.get("key") == key and isinstance(kept, dict):
        return kept
    import tomllib

    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    write_json_cache(cache, {"key": key, "table": raw})
    return raw


def debian_packages(entries: Mapping[str, ToolEntry]) -> list[str]:
    return sorted({pkg for entry in entries.values() for pkg in entry.debian})
