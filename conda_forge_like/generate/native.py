"""Whether an sdist builds compiled code, and with which compilers (pure).

``build_kind(sdist, pyproject, BuildSystem(("flit_core",), "flit_core.buildapi"))`` ->
``BuildKind(noarch=True)``; an sdist with ``src/foo/_speedups.c`` and ``ext_modules`` in its
``setup.py`` -> ``BuildKind(noarch=False, compilers=("c",), reason="setup.py declares
extension modules")``. Only the file list and declared configuration are read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .. import lazy
from ..records import dataclass
from .layout import NOT_INSTALLED, dig
from .metadata import BuildSystem
from .requirements import conda_name
from .sdist import Sdist

_SUFFIX_LANGUAGE = {
    ".c": "c", ".pyx": "c", ".pxd": "c",
    ".cpp": "cxx", ".cc": "cxx", ".cxx": "cxx", ".c++": "cxx",
    ".f": "fortran", ".f90": "fortran", ".f95": "fortran", ".f03": "fortran",
    ".rs": "rust",
}  # fmt: skip
_ORDER = ("c", "cxx", "fortran", "rust")
# Backends (the module before ":") that compile, with the build tools they run.
_COMPILING_BACKENDS = {
    "scikit_build_core": ("cmake", "ninja"),
    "mesonpy": ("meson", "ninja"),
    "maturin": (),
}
# Build requirements that mean "this build compiles" (conda names), with their compilers.
_COMPILING_REQUIRES = {
    "setuptools-rust": ("rust",),
    "maturin": ("rust",),
    "cython": ("c",),
    "cffi": ("c",),
    "scikit-build": ("c",),
    "pybind11": ("cxx",),
    "nanobind": ("cxx",),
}
_SETUP_EXTENSIONS = lazy.regex(
    r"\bext_modules\b|\bExtension\(|\bcffi_modules\b|\brust_extensions\b"
)


@dataclass(frozen=True)
class BuildKind:
    """``noarch: python`` or compiled; ``compilers`` are ``compiler()`` names, ``tools`` the
    build-prefix programs the backend runs (cmake, ninja, meson)."""

    noarch: bool
    compilers: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    reason: str = "pure Python"


def build_kind(sdist: Sdist, pyproject: Mapping[str, Any], system: BuildSystem) -> BuildKind:
    """Pure Python (``noarch: python``) unless the backend, the build requirements, setup.py or
    the sources say the build compiles."""
    backend = system.backend.split(":")[0].split(".")[0]
    tools = _COMPILING_BACKENDS.get(backend, ())
    sources = _languages(sdist.files)
    if backend == "scikit_build_core" and _purelib(pyproject):
        return BuildKind(noarch=True, tools=tools, reason="scikit-build-core wheel.platlib=false")
    reason, implied = _compiling_reason(sdist, pyproject, system, backend)
    if reason is None:
        return BuildKind(noarch=True, tools=tools)
    return BuildKind(
        noarch=False, compilers=_compilers(sources, implied), tools=tools, reason=reason
    )


def _compiling_reason(
    sdist: Sdist, pyproject: Mapping[str, Any], system: BuildSystem, backend: str
) -> tuple[str | None, tuple[str, ...]]:
    """Why the build compiles (None: it does not) and the compilers that reason implies."""
    if backend in _COMPILING_BACKENDS:
        return f"the build backend {system.backend} compiles", ("rust",) * (backend == "maturin")
    for requirement in system.requires:
        name = conda_name(re.split(r"[\s<>=!~;\[(@]", requirement.strip(), maxsplit=1)[0])
        if name in _COMPILING_REQUIRES:
            return f"the build requires {name}", _COMPILING_REQUIRES[name]
    if _SETUP_EXTENSIONS.search(sdist.text("setup.py") or ""):
        return "setup.py declares extension modules", ()
    if dig(pyproject, "tool", "setuptools", "ext-modules"):
        return "[tool.setuptools] declares ext-modules", ()
    nested = [f for f in _installed(sdist.files) if "/" in f and _language(f)]
    if nested:
        return f"the sdist holds native sources ({nested[0]})", ()
    return None, ()


def _purelib(pyproject: Mapping[str, Any]) -> bool:
    """scikit-build-core's ``wheel.platlib = false``: a pure wheel built with CMake."""
    nested = dig(pyproject, "tool", "scikit-build", "wheel", "platlib")
    dotted = dig(pyproject, "tool", "scikit-build", "wheel.platlib")
    return nested is False or dotted is False


def _installed(files: Iterable[str]) -> list[str]:
    """Files outside tooling folders and templates (``${module}/_core.c`` is not compiled)."""
    return [
        f
        for f in files
        if not NOT_INSTALLED.intersection(f.split("/")[:-1]) and "${" not in f and "{{" not in f
    ]


def _language(path: str) -> str | None:
    if posixpath.basename(path) == "Cargo.toml":
        return "rust"
    return _SUFFIX_LANGUAGE.get(posixpath.splitext(path)[1].lower())


def _languages(files: Iterable[str]) -> set[str]:
    return {lang for lang in map(_language, _installed(files)) if lang}


def _compilers(sources: set[str], implied: tuple[str, ...]) -> tuple[str, ...]:
    """C always (a Python extension links with a C toolchain), plus what the sources need."""
    wanted = {"c", *sources, *implied}
    return tuple(lang for lang in _ORDER if lang in wanted)
