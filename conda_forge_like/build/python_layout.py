"""Python packages: the ``noarch: python`` layout, entry points and pip's install records.

A ``noarch: python`` package holds no interpreter-specific paths: the installer (conda,
py-rattler) puts ``site-packages/`` into the environment's own site-packages, ``python-scripts/``
into ``bin/`` (``Scripts/`` on Windows), compiles the byte code and writes the entry points
``info/link.json`` names. ``noarch_path("lib/python3.11/site-packages/foo/__init__.py", "3.11",
frozenset())`` -> ``"site-packages/foo/__init__.py"``; byte code and the scripts of declared
entry points are left out (``None``), as conda-build and rattler-build do.

Every Python build also gets pip's records tidied: ``INSTALLER`` says ``conda`` (so pip does
not offer to uninstall a conda package) and ``direct_url.json``, which names the build's source
folder, goes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from .. import lazy
from ..errors import CflError
from ..package import PathRecord
from ..records import replace

ENTRY_POINT = lazy.regex(
    r"^\s*(?P<name>[A-Za-z0-9_.+-]+)\s*=\s*(?P<module>[A-Za-z_][\w.]*)\s*:\s*(?P<func>[A-Za-z_][\w.]*)\s*$"
)
_SITE = lazy.regex(r"^lib/python\d+\.\d+t?/site-packages/")
_WIN_SITE = "Lib/site-packages/"


def entry_points(meta: Mapping[str, Any], recipe_format: str) -> tuple[str, ...]:
    """``build/entry_points`` (v0) or ``build/python/entry_points`` (v1), checked."""
    build = meta.get("build") or {}
    if not isinstance(build, Mapping):
        return ()
    if recipe_format == "v1":
        python = build.get("python") or {}
        raw = python.get("entry_points") if isinstance(python, Mapping) else None
    else:
        raw = build.get("entry_points")
    items = [raw] if isinstance(raw, str) else list(raw or [])
    bad = [str(item) for item in items if not ENTRY_POINT.match(str(item))]
    if bad:
        raise CflError(
            f"entry point {bad[0]!r} is not `name = module:function`",
            hint="write entry points as e.g. `mytool = mypkg.cli:main`",
        )
    return tuple(str(item).strip() for item in items)


def entry_point_names(points: Iterable[str]) -> frozenset[str]:
    names = set()
    for point in points:
        match = ENTRY_POINT.match(point)
        if match:
            names.add(match["name"])
    return frozenset(names)


def is_byte_code(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return path.endswith((".pyc", ".pyo")) or "__pycache__" in parts


def noarch_path(path: str, scripts: frozenset[str]) -> str | None:
    """Where a host-prefix path goes in a ``noarch: python`` package (``None``: left out)."""
    if is_byte_code(path):
        return None
    site = _SITE.match(path)
    if site:
        return "site-packages/" + path[site.end() :]
    if path.startswith(_WIN_SITE):
        return "site-packages/" + path[len(_WIN_SITE) :]
    for folder in ("bin/", "Scripts/"):
        if path.startswith(folder):
            name = path[len(folder) :]
            stem = name.removesuffix(".exe").removesuffix("-script.py")
            if "/" not in name and stem in scripts:
                return None  # the installer writes the entry point for the target Python
            return "python-scripts/" + name
    return path


def link_json(points: Sequence[str]) -> dict[str, Any]:
    """``info/link.json`` of a ``noarch: python`` package."""
    return {
        "noarch": {"type": "python", "entry_points": list(points)},
        "package_metadata_version": 1,
    }


def noarch_tree(
    host_prefix: Path, records: Sequence[PathRecord], root: Path, points: Sequence[str]
) -> list[PathRecord]:
    """Copy the packaged files into ``root`` in the noarch layout; their records there."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    scripts = entry_point_names(points)
    out: list[PathRecord] = []
    for record in records:
        target = noarch_path(record.path, scripts)
        if target is None:
            continue
        dest = root / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(host_prefix / record.path, dest, follow_symlinks=False)
        out.append(replace(record, path=target))
    return sorted(out, key=lambda r: r.path)


def tidy_pip_records(host_prefix: Path, new: set[str]) -> set[str]:
    """Mark pip's installs as conda's and drop ``direct_url.json``; the remaining new files."""
    kept = set(new)
    for path in sorted(new):
        parent = PurePosixPath(path).parent.name
        if not parent.endswith(".dist-info"):
            continue
        name = PurePosixPath(path).name
        if name == "direct_url.json":
            (host_prefix / path).unlink(missing_ok=True)
            kept.discard(path)
        elif name == "INSTALLER":
            (host_prefix / path).write_text("conda\n")
    return kept


def script_text(point: str, python: str) -> str:
    """A console script for ``name = module:function``, run by ``python`` (conda-build's)."""
    match = ENTRY_POINT.match(point)
    assert match is not None  # checked by entry_points()
    module, func = match["module"], match["func"]
    head = func.split(".")[0]
    return (
        f"#!{python}\n"
        "# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n\n"
        f"from {module} import {head}\n\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({func}())\n"
    )


def write_entry_points(
    host_prefix: Path, points: Sequence[str], new: set[str], python: str
) -> set[str]:
    """The console scripts of a compiled Python package that pip did not write already."""
    added: set[str] = set()
    for point in points:
        match = ENTRY_POINT.match(point)
        assert match is not None
        rel = f"bin/{match['name']}"
        target = host_prefix / rel
        if rel in new or target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(script_text(point, python))
        target.chmod(0o755)
        added.add(rel)
    return added
