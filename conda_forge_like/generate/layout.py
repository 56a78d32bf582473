"""What an sdist's files and build configuration say (pure): entry points, import names,
license files.

``entry_points(sdist, pyproject)`` -> ``("flit = flit.main:main",)``;
``found_import_names(sdist, pyproject)`` -> ``("flit_core",)``;
``license_files(sdist, ("LICENSE",))`` -> ``("LICENSE",)``. Everything is read from declared
configuration or the file list; nothing from the sdist runs.
"""

from __future__ import annotations

import configparser
import posixpath
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .. import lazy
from .sdist import Sdist

# Top-level folders that hold a project's own tooling, not what it installs.
NOT_INSTALLED = frozenset(
    {
        "test", "tests", "testing", "doc", "docs", "example", "examples", "benchmark",
        "benchmarks", "bench", "script", "scripts", "tools", "tasks", "ci", "build", "dist",
        "fixtures", "templates", "venv", ".venv",
    }
)  # fmt: skip
_SKIP = NOT_INSTALLED | {"src"}
_NOT_MODULES = frozenset({"setup", "conftest", "noxfile", "fabfile", "tasks", "bootstrap"})
_LICENSE_PREFIXES = ("license", "licence", "copying", "notice", "copyright", "authors")
_IDENTIFIER = lazy.regex(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------- entry points


def entry_points(sdist: Sdist, pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """Console scripts as ``name = module:function``, from the first place that declares any:
    ``[project.scripts]``, ``[tool.poetry.scripts]``, egg-info's ``entry_points.txt``, then
    ``setup.cfg [options.entry_points]``."""
    for found in (
        _table_scripts(dig(pyproject, "project", "scripts")),
        _table_scripts(dig(pyproject, "tool", "poetry", "scripts")),
        _ini_scripts(sdist.egg_info("entry_points.txt"), "console_scripts"),
        _setup_cfg_scripts(sdist.text("setup.cfg")),
    ):
        if found:
            return found
    return ()


def dig(tree: Mapping[str, Any], *keys: str) -> Any:
    """``tree[k1][k2]...``, or None where a level is missing or not a table."""
    node: Any = tree
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _table_scripts(table: Any) -> tuple[str, ...]:
    if not isinstance(table, Mapping):
        return ()
    # poetry also allows {reference = "...", type = "console"}; only plain strings are scripts
    scripts = [(str(k), v) for k, v in table.items() if isinstance(v, str)]
    return tuple(f"{name} = {target.strip()}" for name, target in sorted(scripts))


def _ini_scripts(text: str | None, section: str) -> tuple[str, ...]:
    if not text:
        return ()
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep script names' case
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    if not parser.has_section(section):
        return ()
    return tuple(f"{k.strip()} = {v.strip()}" for k, v in sorted(parser.items(section)) if v)


def _setup_cfg_scripts(text: str | None) -> tuple[str, ...]:
    """``[options.entry_points] console_scripts =`` followed by indented ``a = b:c`` lines."""
    if not text:
        return ()
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    value = parser.get("options.entry_points", "console_scripts", fallback="")
    lines = [line.strip() for line in value.splitlines() if "=" in line]
    pairs = sorted(tuple(part.strip() for part in line.split("=", 1)) for line in lines)
    return tuple(f"{name} = {target}" for name, target in pairs)


# --------------------------------------------------------------------------- import names


def guessed_import_name(name: str) -> str:
    """The import name a project without a found package most likely has: ``a-b`` -> ``a_b``."""
    return re.sub(r"[-.]+", "_", name).lower()


def found_import_names(
    sdist: Sdist, pyproject: Mapping[str, Any], declared: Iterable[str] = ()
) -> tuple[str, ...]:
    """The top-level modules a test can import, best effort: core metadata's Import-Name, the
    backend's configuration, egg-info's top_level.txt, packages found in the file list."""
    for found in (
        _top_levels(declared),
        _configured(pyproject),
        _top_levels((sdist.egg_info("top_level.txt") or "").split()),
        _found_packages(sdist.files),
    ):
        public = _public(found)
        if public:
            return public
    return ()


def _top_levels(names: Iterable[str]) -> tuple[str, ...]:
    """Importable (dotted) names, without those inside another listed one."""
    valid = [n.strip() for n in names if all(map(_IDENTIFIER.match, n.strip().split(".")))]
    unique = set(valid)
    outer = [n for n in valid if not any(n.startswith(f"{o}.") for o in unique)]
    return tuple(dict.fromkeys(outer))


def _public(names: tuple[str, ...]) -> tuple[str, ...]:
    """Without tooling names, and without private ones (``_distutils_hack``) unless nothing
    else is left."""
    installed = [n for n in names if n not in NOT_INSTALLED]
    public = [n for n in installed if not n.startswith("_")]
    return tuple(sorted(public or installed))


def _configured(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """Packages a backend is told to install: flit, hatch, scikit-build-core, setuptools."""
    flit = dig(pyproject, "tool", "flit", "module", "name")
    if isinstance(flit, str):
        return _top_levels([flit])
    for keys in (
        ("tool", "hatch", "build", "targets", "wheel", "packages"),
        ("tool", "scikit-build", "wheel", "packages"),
        ("tool", "setuptools", "packages"),
    ):
        value = dig(pyproject, *keys)
        if isinstance(value, list):
            return _top_levels(posixpath.basename(str(p).rstrip("/")) for p in value)
    packages = dig(pyproject, "tool", "scikit-build", "wheel.packages")  # dotted key spelling
    if isinstance(packages, list):
        return _top_levels(posixpath.basename(str(p).rstrip("/")) for p in packages)
    return _poetry_packages(dig(pyproject, "tool", "poetry", "packages"))


def _poetry_packages(value: Any) -> tuple[str, ...]:
    """``packages = [{include = "poetry", from = "src"}]``: the included top-level names."""
    if not isinstance(value, list):
        return ()
    includes = [p.get("include") for p in value if isinstance(p, Mapping)]
    return _top_levels(str(i).replace("/", ".") for i in includes if isinstance(i, str))


def _found_packages(files: Iterable[str]) -> tuple[str, ...]:
    """Packages (folders with ``__init__.py``) under ``src/``, else at the root; else single
    ``.py`` modules there. Tooling folders (``tests``, ``docs``) do not count."""
    files = list(files)
    if "src/__init__.py" in files:  # nanobind: src/ is renamed at install; the name is a guess
        return ()
    for pick in (_packages_in, _namespaced_in, _modules_in):
        for root in ("src/", ""):
            found = [name for name in pick(files, root) if name.split(".")[0] not in _SKIP]
            if found:
                return tuple(sorted(set(found)))
    return ()


def _packages_in(files: list[str], root: str) -> list[str]:
    rels = [f.removeprefix(root) for f in files if f.startswith(root)]
    return [
        rel.split("/")[0] for rel in rels if rel.count("/") == 1 and rel.endswith("/__init__.py")
    ]


def _namespaced_in(files: list[str], root: str) -> list[str]:
    """``src/poetry/core/__init__.py`` without ``src/poetry/__init__.py``: ``poetry.core``."""
    rels = {f.removeprefix(root) for f in files if f.startswith(root)}
    found = []
    for rel in rels:
        parts = rel.split("/")
        if len(parts) == 3 and parts[2] == "__init__.py" and f"{parts[0]}/__init__.py" not in rels:
            found.append(f"{parts[0]}.{parts[1]}")
    return found


def _modules_in(files: list[str], root: str) -> list[str]:
    rels = [f.removeprefix(root) for f in files if f.startswith(root)]
    modules = [rel[:-3] for rel in rels if "/" not in rel and rel.endswith(".py")]
    return [m for m in modules if m not in _NOT_MODULES]


# --------------------------------------------------------------------------- license files


def license_files(sdist: Sdist, declared: Iterable[str]) -> tuple[str, ...]:
    """The License-File entries present in the sdist, else LICENSE*/COPYING*/... at its root."""
    present = set(sdist.files)
    listed = tuple(path for path in declared if path in present)
    if listed:
        return listed
    return tuple(
        path
        for path in sdist.files
        if "/" not in path and path.lower().startswith(_LICENSE_PREFIXES)
    )
