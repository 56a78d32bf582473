"""``cfl generate-recipe pypi``: a PyPI project's sdist -> ``<output>/<name>/recipe.yaml``.

``generate_pypi("flit_core", version="4.2.0", output_dir=Path("recipes"))`` downloads the
sdist as a ``pypi:`` source does (pip through its configured index, into the source cache),
reads its metadata without running anything from it, and writes a v1 recipe whose source is
``pypi: {name, version, sha256}``. ``plan_recipe(sdist, sha256, "3.11")`` is the pure middle:
the sdist's contents -> the ``RecipePlan`` and notes for the user.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion, Version

from .. import lazy
from ..errors import SourceError, UsageError
from ..records import dataclass
from ..source.cache import SourceCache, digests, resolve_dir
from ..source.fetch import fetch
from ..source.spec import SourceSpec
from . import layout, metadata, native, requirements
from .recipe_writer import About, RecipePlan, recipe_text
from .sdist import Sdist, read_sdist

DEFAULT_PYTHON = "3.11"  # the base plate's Python (variants/default.yaml)
_NAME = lazy.regex(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
_PYTHON = lazy.regex(r"^3\.\d+$")
_NOT_FOUND = ("No matching distribution", "Could not find a version")


@dataclass(frozen=True)
class GeneratedRecipe:
    """The recipe written, what it was made from, and what the user should check."""

    path: Path
    plan: RecipePlan
    notes: tuple[str, ...] = ()


def generate_pypi(
    name: str,
    version: str | None = None,
    output_dir: Path = Path(),
    python: str = DEFAULT_PYTHON,
    source_cache: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overwrite: bool = False,
) -> GeneratedRecipe:
    """Download ``name``'s sdist (``version``, else the newest) and write its recipe."""
    check_request(name, version, python)
    env = dict(os.environ if env is None else env)
    cache = SourceCache(resolve_dir(source_cache, env))
    spec = SourceSpec("pypi", name, version=version)
    with tempfile.TemporaryDirectory(prefix="cfl-generate-") as scratch:
        path = _fetch_sdist(spec, cache, Path(scratch), env)
        sha256 = digests(path)["sha256"]
        plan, notes = plan_recipe(read_sdist(path), sha256, python)
    if version is not None and _differs(version, plan.version):
        notes += (f"asked for version {version}, the sdist's PKG-INFO says {plan.version}",)
    target = Path(output_dir) / plan.name / "recipe.yaml"
    write_recipe(target, recipe_text(plan), overwrite)
    return GeneratedRecipe(target, plan, notes)


def check_request(name: str, version: str | None, python: str) -> None:
    """Refuse an invalid project name, version or target Python before any download."""
    if not _NAME.match(name):
        raise UsageError(
            f"{name!r} is not a valid PyPI project name",
            hint="a name has letters, digits, '.', '_' and '-', and starts and ends with a "
            "letter or digit (e.g. `flit_core`)",
        )
    if version is not None:
        try:
            Version(version)
        except InvalidVersion as exc:
            raise UsageError(
                f"--version {version!r} is not a PEP 440 version",
                hint="give one exact version such as `--version 4.2.0`, without operators",
            ) from exc
    if not _PYTHON.match(python):
        raise UsageError(f"--python {python!r} is not a Python 3 version such as 3.11")


def _fetch_sdist(spec: SourceSpec, cache: SourceCache, scratch: Path, env: dict[str, str]) -> Path:
    try:
        return fetch(spec, cache, scratch, env).path
    except SourceError as exc:
        if not any(marker in exc.message for marker in _NOT_FOUND):
            raise
        wanted = f"{spec.location}=={spec.version}" if spec.version else spec.location
        raise SourceError(
            f"no sdist of {wanted} on the index pip uses\n{exc.message}",
            hint="check the name and version (`pip index versions NAME`, `pip config list`); "
            "a project that publishes only wheels has no sdist to build a recipe from",
        ) from exc


def _differs(asked: str, found: str) -> bool:
    try:
        return Version(asked) != Version(found)
    except InvalidVersion:
        return asked != found


def plan_recipe(sdist: Sdist, sha256: str, python: str) -> tuple[RecipePlan, tuple[str, ...]]:
    """What the recipe of ``sdist`` says, and notes on what a maintainer should check."""
    meta = metadata.read_metadata(sdist)
    tree = metadata.pyproject(sdist)
    system = metadata.build_system(sdist)
    python_min = _python_min(meta, python)
    name = requirements.conda_name(meta.name)
    host = requirements.build_requirements(system.requires, python_min)
    run = tuple(requirements.run_requirements(meta.requires_dist, python_min))
    if system.in_tree:  # the backend imports the project, and so what it needs at run time
        host += [spec for spec in run if spec not in host]
    imports = layout.found_import_names(sdist, tree, meta.import_names)
    plan = RecipePlan(
        name=name,
        pypi_name=meta.name,
        version=meta.version,
        sha256=sha256,
        python_min=python_min,
        kind=native.build_kind(sdist, tree, system),
        host=tuple(spec for spec in host if spec.split()[0] != name),  # bootstrapping backends
        run=run,
        entry_points=layout.entry_points(sdist, tree),
        imports=imports or (layout.guessed_import_name(meta.name),),
        about=About(
            summary=meta.summary,
            homepage=meta.homepage or meta.repository or meta.documentation,
            repository=meta.repository,
            documentation=meta.documentation,
            license=meta.license,
            license_files=layout.license_files(sdist, meta.license_files),
        ),
    )
    notes = _notes(plan, sdist)
    if not imports:
        notes += (f"no package found in the sdist: the import test guesses `{plan.imports[0]}`",)
    return plan, notes


def _python_min(meta: metadata.ProjectMetadata, python: str) -> str:
    """``python``, or the package's Requires-Python floor when that is later."""
    floor = requirements.python_floor(meta.requires_python)
    chosen = requirements.newer(floor, python) if floor else python
    if not requirements.python_allowed(meta.requires_python, chosen):
        raise UsageError(
            f"{meta.name} {meta.version} does not support Python {chosen} "
            f"(Requires-Python: {meta.requires_python})",
            hint="pass a --python that Requires-Python allows, or an older --version",
        )
    return chosen


def _notes(plan: RecipePlan, sdist: Sdist) -> tuple[str, ...]:
    notes: list[str] = []
    if not plan.about.license:
        notes.append("no license found in the metadata: set about.license (SPDX)")
    if not plan.about.license_files:
        notes.append("no license file found in the sdist: set about.license_file")
    if not plan.kind.noarch:
        notes.append(f"compiled recipe: {plan.kind.reason}")
    if sdist.text("PKG-INFO") is None:
        notes.append("the sdist has no PKG-INFO: metadata came from pyproject.toml")
    return tuple(notes)


def write_recipe(target: Path, text: str, overwrite: bool) -> None:
    if target.exists() and not overwrite:
        raise UsageError(
            f"{target} exists already", hint="pass --force to replace it, or another --output-dir"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from exc
