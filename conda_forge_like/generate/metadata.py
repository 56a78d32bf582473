"""An sdist's declared metadata (pure): ``PKG-INFO``, ``pyproject.toml`` and egg-info texts.

``read_metadata(sdist)`` -> ``ProjectMetadata(name="flit_core", version="4.2.0",
requires_python=">=3.6", license="BSD-3-Clause", ...)``; ``build_system(sdist)`` ->
``BuildSystem(requires=(), backend="flit_core.buildapi")``. Only declared data is read: no
``setup.py`` runs, so what a ``setup.py`` computes is missed unless its egg-info holds it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from email.message import Message
from email.parser import HeaderParser
from typing import Any

from ..errors import SourceError
from ..records import dataclass
from .licenses import spdx_license
from .sdist import Sdist

# Project-URL labels, as projects write them, for each about: field (first match wins).
_URL_LABELS = {
    "homepage": ("homepage", "home", "home-page", "website"),
    "repository": ("repository", "source", "source code", "sourcecode", "code", "github"),
    "documentation": ("documentation", "docs", "doc"),
}
# Without a pyproject.toml build-system table, pip builds with setuptools (PEP 517's fallback).
_LEGACY_BACKEND = "setuptools.build_meta:__legacy__"


@dataclass(frozen=True)
class ProjectMetadata:
    """What PKG-INFO (or, failing it, pyproject's [project]) declares about the project."""

    name: str
    version: str
    summary: str | None = None
    homepage: str | None = None
    repository: str | None = None
    documentation: str | None = None
    license: str | None = None  # SPDX when known
    license_files: tuple[str, ...] = ()  # License-File entries, relative to the sdist root
    requires_dist: tuple[str, ...] = ()  # PEP 508 strings, markers included
    requires_python: str | None = None
    import_names: tuple[str, ...] = ()  # Import-Name (core metadata 2.5)


@dataclass(frozen=True)
class BuildSystem:
    """``[build-system]``: what the build needs and which backend builds."""

    requires: tuple[str, ...]
    backend: str
    in_tree: bool = False
    """``backend-path`` is set: the backend is the project itself (hatchling, flit_core,
    poetry-core), so building it imports the project and what the project imports."""


def pyproject(sdist: Sdist) -> dict[str, Any]:
    """The parsed ``pyproject.toml``, or ``{}`` when the sdist has none."""
    text = sdist.text("pyproject.toml")
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(
            f"the sdist's pyproject.toml is not valid TOML: {exc}",
            hint="fix or remove pyproject.toml upstream; nothing else can be read reliably",
        ) from exc


def build_system(sdist: Sdist) -> BuildSystem:
    table = pyproject(sdist).get("build-system")
    if not isinstance(table, Mapping):
        return BuildSystem(requires=("setuptools",), backend=_LEGACY_BACKEND)
    requires = table.get("requires")
    backend = table.get("build-backend")
    return BuildSystem(
        requires=tuple(str(r) for r in requires) if isinstance(requires, list) else (),
        backend=str(backend) if backend else _LEGACY_BACKEND,
        in_tree=bool(table.get("backend-path")),
    )


def read_metadata(sdist: Sdist) -> ProjectMetadata:
    """PKG-INFO's fields; pyproject's static [project] table where PKG-INFO is missing."""
    text = sdist.text("PKG-INFO")
    project = pyproject(sdist).get("project")
    project = project if isinstance(project, Mapping) else {}
    if text is None:
        return _from_project(project)
    msg = HeaderParser().parsestr(text)
    name, version = msg.get("Name"), msg.get("Version")
    if not name or not version:
        raise SourceError(
            "the sdist's PKG-INFO has no Name or Version", hint="this is not a valid sdist"
        )
    urls = _project_urls(msg)
    return ProjectMetadata(
        name=name.strip(),
        version=version.strip(),
        summary=_field(msg, "Summary"),
        homepage=_field(msg, "Home-page") or urls.get("homepage"),
        repository=urls.get("repository"),
        documentation=urls.get("documentation"),
        license=spdx_license(
            _field(msg, "License-Expression"), _field(msg, "License"), _all(msg, "Classifier")
        ),
        license_files=_all(msg, "License-File"),
        requires_dist=_requires_dist(msg, project, sdist),
        requires_python=_field(msg, "Requires-Python"),
        import_names=tuple(n.split(";")[0].strip() for n in _all(msg, "Import-Name")),
    )


def _field(msg: Message, key: str) -> str | None:
    value = msg.get(key)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text if text and text.upper() != "UNKNOWN" else None


def _all(msg: Message, key: str) -> tuple[str, ...]:
    return tuple(" ".join(str(v).split()) for v in msg.get_all(key) or [] if str(v).strip())


def _project_urls(msg: Message) -> dict[str, str]:
    by_label: dict[str, str] = {}
    for entry in _all(msg, "Project-URL"):
        label, _, url = entry.partition(",")
        by_label.setdefault(label.strip().lower(), url.strip())
    return _pick_urls(by_label)


def _pick_urls(by_label: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for field, labels in _URL_LABELS.items():
        url = next((by_label[label] for label in labels if by_label.get(label)), None)
        if url:
            found[field] = url
    return found


def _requires_dist(msg: Message, project: Mapping[str, Any], sdist: Sdist) -> tuple[str, ...]:
    declared = _all(msg, "Requires-Dist")
    if declared:
        return declared
    dependencies = project.get("dependencies")
    if isinstance(dependencies, list):
        return tuple(str(d) for d in dependencies)
    requires_txt = sdist.egg_info("requires.txt")
    return parse_requires_txt(requires_txt) if requires_txt else ()


def parse_requires_txt(text: str) -> tuple[str, ...]:
    """egg-info ``requires.txt`` as PEP 508 strings: ``[extra:marker]`` sections become markers.

    ``"a\\n[:python_version < '3.8']\\nb\\n[test]\\nc"`` ->
    ``("a", "b; python_version < '3.8'", "c; extra == 'test'")``.
    """
    found: list[str] = []
    marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            marker = _section_marker(line[1:-1])
            continue
        found.append(f"{line}; {marker}" if marker else line)
    return tuple(found)


def _section_marker(section: str) -> str:
    extra, _, marker = section.partition(":")
    parts = [f"extra == {extra.strip()!r}"] if extra.strip() else []
    if marker.strip():
        parts.append(f"({marker.strip()})")
    return " and ".join(parts)


def _from_project(project: Mapping[str, Any]) -> ProjectMetadata:
    """pyproject's [project] when an sdist lacks PKG-INFO (old or hand-made archives)."""
    name, version = project.get("name"), project.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        raise SourceError(
            "the sdist has no PKG-INFO and no static name and version in pyproject.toml",
            hint="this is not an sdist a recipe can be generated from; pass another --version",
        )
    license_value = project.get("license")
    urls = project.get("urls")
    lowered = {str(k).lower(): str(v) for k, v in urls.items()} if isinstance(urls, dict) else {}
    picked = _pick_urls(lowered)
    return ProjectMetadata(
        name=name,
        version=version,
        summary=_text(project.get("description")),
        homepage=picked.get("homepage"),
        repository=picked.get("repository"),
        documentation=picked.get("documentation"),
        license=spdx_license(_text(license_value), None, _strings(project.get("classifiers"))),
        requires_dist=_strings(project.get("dependencies")),
        requires_python=_text(project.get("requires-python")),
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()
