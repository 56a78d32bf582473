"""A rattler-build v1 ``recipe.yaml`` for one PyPI sdist (pure): ``RecipePlan`` -> text.

``recipe_text(RecipePlan(name="flit-core", pypi_name="flit_core", version="4.2.0", ...))`` ->
``"schema_version: 1\\n\\ncontext:\\n  name: flit-core\\n ..."``. Keys come in one fixed order
and the text has no comments, so generating twice gives the same bytes. A noarch recipe
follows conda-forge's ``python_min`` pattern: ``python ${{ python_min }}.*`` in host and
tests, ``python >=${{ python_min }}`` at run time.
"""

from __future__ import annotations

from typing import Any

from ..records import dataclass
from . import yaml_text
from .native import BuildKind

PIP_SCRIPT = "${{ PYTHON }} -m pip install . -vv --no-deps --no-build-isolation"


@dataclass(frozen=True)
class About:
    summary: str | None = None
    homepage: str | None = None
    repository: str | None = None
    documentation: str | None = None
    license: str | None = None
    license_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipePlan:
    """Everything the recipe says; specs are conda match specs already."""

    name: str  # conda name
    pypi_name: str
    version: str
    sha256: str
    python_min: str
    kind: BuildKind
    host: tuple[str, ...] = ()  # the build system's requirements
    run: tuple[str, ...] = ()
    entry_points: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    about: About = About()


def recipe_text(plan: RecipePlan) -> str:
    return yaml_text.dump(recipe_tree(plan))


def recipe_tree(plan: RecipePlan) -> dict[str, Any]:
    """The recipe as plain data, in the order rattler-build's own generator writes it."""
    context = {"name": plan.name, "version": plan.version}
    if plan.kind.noarch:
        context["python_min"] = plan.python_min
    tree: dict[str, Any] = {
        "schema_version": 1,
        "context": context,
        "package": {"name": "${{ name }}", "version": "${{ version }}"},
        "source": {
            "pypi": {"name": plan.pypi_name, "version": "${{ version }}", "sha256": plan.sha256}
        },
        "build": _build(plan),
        "requirements": _requirements(plan),
        "tests": _tests(plan),
    }
    about = _about(plan.about)
    if about:
        tree["about"] = about
    return tree


def _build(plan: RecipePlan) -> dict[str, Any]:
    build: dict[str, Any] = {"number": 0}
    if plan.kind.noarch:
        build["noarch"] = "python"
    build["script"] = PIP_SCRIPT
    if plan.entry_points:
        build["python"] = {"entry_points": list(plan.entry_points)}
    return build


def _requirements(plan: RecipePlan) -> dict[str, list[str]]:
    kind = plan.kind
    build = [f"${{{{ compiler('{lang}') }}}}" for lang in kind.compilers]
    if kind.compilers:
        build.append("${{ stdlib('c') }}")
    build.extend(kind.tools)
    if kind.noarch:
        python_host, python_run = "python ${{ python_min }}.*", "python >=${{ python_min }}"
    else:
        python_host = python_run = "python"
    reqs: dict[str, list[str]] = {"build": build} if build else {}
    reqs["host"] = _merge([python_host, "pip"], plan.host)
    reqs["run"] = _merge([python_run], plan.run)
    return reqs


def _merge(first: list[str], more: tuple[str, ...]) -> list[str]:
    """``first`` then ``more``, without a second spec for a name ``first`` already has."""
    names = {spec.split()[0] for spec in first}
    return first + [spec for spec in more if spec.split()[0] not in names]


def _tests(plan: RecipePlan) -> list[dict[str, Any]]:
    python: dict[str, Any] = {"imports": list(plan.imports), "pip_check": True}
    if plan.kind.noarch:
        python["python_version"] = "${{ python_min }}.*"
    tests: list[dict[str, Any]] = [{"python": python}]
    scripts = [f"{entry.split('=')[0].strip()} --help" for entry in plan.entry_points]
    if scripts:
        tests.append({"script": scripts})
    return tests


def _about(about: About) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in (
        ("homepage", about.homepage),
        ("summary", about.summary),
        ("license", about.license),
    ):
        if value:
            tree[key] = value
    if about.license_files:
        files = about.license_files
        tree["license_file"] = files[0] if len(files) == 1 else list(files)
    for key, value in (("documentation", about.documentation), ("repository", about.repository)):
        if value:
            tree[key] = value
    return tree
