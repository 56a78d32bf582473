"""``cfl generate-recipe pypi`` without a network: self-made sdists -> ``RecipePlan`` ->
recipe.yaml, which cfl's own v1 renderer must accept."""

from __future__ import annotations

import io
import tarfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from conda_forge_like import api
from conda_forge_like.errors import SourceError, UsageError
from conda_forge_like.generate import plan_recipe
from conda_forge_like.generate.licenses import spdx_license
from conda_forge_like.generate.metadata import parse_requires_txt
from conda_forge_like.generate.pypi import check_request, write_recipe
from conda_forge_like.generate.recipe_writer import RecipePlan, recipe_text
from conda_forge_like.generate.requirements import (
    applies,
    conda_name,
    conda_spec,
    python_floor,
    run_requirements,
)
from conda_forge_like.generate.sdist import read_sdist
from conda_forge_like.generate.yaml_text import dump, scalar
from conda_forge_like.render.model import RenderedRecipe

SHA = "ab" * 32


def make_sdist(where: Path, top: str, files: dict[str, str]) -> Path:
    """A ``.tar.gz`` holding ``top/<path>`` for each file, as an sdist does."""
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"{top}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = textwrap.dedent(text).lstrip("\n").encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def plan_of(where: Path, top: str, files: dict[str, str], python: str = "3.11") -> RecipePlan:
    plan, _ = plan_recipe(read_sdist(make_sdist(where, top, files)), SHA, python)
    return plan


def rendered(where: Path, plan: RecipePlan) -> RenderedRecipe:
    """Write the plan's recipe and render it with cfl's own v1 renderer (linux-64)."""
    target = where / "recipes" / plan.name / "recipe.yaml"
    write_recipe(target, recipe_text(plan), overwrite=False)
    results = api.render([target.parent], target_platform="linux-64")
    assert len(results) == 1
    return results[0]


def recipe_yaml(plan: RecipePlan) -> Any:
    return yaml.safe_load(recipe_text(plan))


# --------------------------------------------------------------------------- the three sdists

PURE_PKG_INFO = """
    Metadata-Version: 2.3
    Name: Demo_Pure
    Version: 1.2.0
    Summary: A demo: pure Python
    Project-URL: Homepage, https://example.org/demo
    Project-URL: Source, https://example.org/demo/src
    License-File: LICENSE.txt
    Classifier: License :: OSI Approved :: MIT License
    Requires-Python: >=3.8
    Requires-Dist: packaging>=20
    Requires-Dist: tomli>=1.1; python_version < "3.8"
    Requires-Dist: typing_extensions>=4; python_version < "3.12"
    Requires-Dist: colorama; sys_platform == "win32"
    Requires-Dist: Foo.Bar~=1.4.2
    Requires-Dist: pytest>=7; extra == "test"
    Provides-Extra: test
"""
PURE_PYPROJECT = """
    [build-system]
    requires = ["hatchling>=1.21", "hatch-vcs"]
    build-backend = "hatchling.build"

    [project]
    name = "demo_pure"
    dynamic = ["version"]

    [project.scripts]
    demo = "demo_pure.cli:main"
    demo-admin = "demo_pure.admin:run"

    [tool.hatch.build.targets.wheel]
    packages = ["src/demo_pure"]
"""
PURE = {
    "PKG-INFO": PURE_PKG_INFO,
    "pyproject.toml": PURE_PYPROJECT,
    "LICENSE.txt": "MIT\n",
    "src/demo_pure/__init__.py": "",
    "src/demo_pure/cli.py": "def main(): pass\n",
    "tests/__init__.py": "",
    "tests/data/fixture.c": "int x;\n",  # test data, never compiled
}
EXT = {
    "PKG-INFO": """
        Metadata-Version: 2.1
        Name: fastthing
        Version: 0.3
        Summary: Fast: a C extension
        Home-page: https://example.org/fast
        License: BSD-3-Clause
        Requires-Python: >=3.9
        Requires-Dist: numpy>=1.22
    """,
    "setup.py": """
        from setuptools import Extension, setup
        setup(ext_modules=[Extension("fastthing._speed", ["fastthing/_speed.c"])])
    """,
    "fastthing/__init__.py": "",
    "fastthing/_speed.c": "int speed(void) { return 1; }\n",
    "LICENSE": "BSD\n",
}
CFG = {
    "PKG-INFO": """
        Metadata-Version: 2.1
        Name: cfg-only
        Version: 2.0.1
        Summary: Configured in setup.cfg
        License: MIT License
    """,
    "setup.cfg": """
        [metadata]
        name = cfg-only

        [options]
        packages = find:

        [options.entry_points]
        console_scripts =
            cfg-tool = cfg_only.main:cli
    """,
    "setup.py": "from setuptools import setup\nsetup()\n",
    "cfg_only.egg-info/requires.txt": """
        six>=1.10

        [:python_version < "3.8"]
        importlib-metadata

        [docs]
        sphinx
    """,
    "cfg_only.egg-info/top_level.txt": "cfg_only\n",
    "cfg_only/__init__.py": "",
    "COPYING": "MIT\n",
}


def test_pure_sdist_metadata_and_markers(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "demo_pure-1.2.0", PURE)
    assert (plan.name, plan.pypi_name, plan.version) == ("demo-pure", "Demo_Pure", "1.2.0")
    # python_version < "3.8", sys_platform == "win32" and extra == "test" do not apply to 3.11
    assert plan.run == ("packaging >=20", "typing-extensions >=4", "foo-bar >=1.4.2,<1.5.0a0")
    assert plan.host == ("hatchling >=1.21", "hatch-vcs")
    assert plan.python_min == "3.11"  # Requires-Python >=3.8 is older than the target
    assert plan.kind.noarch, plan.kind.reason
    assert plan.entry_points == ("demo = demo_pure.cli:main", "demo-admin = demo_pure.admin:run")
    assert plan.imports == ("demo_pure",)
    assert plan.about.license == "MIT"  # from the classifier only
    assert plan.about.license_files == ("LICENSE.txt",)
    assert plan.about.homepage == "https://example.org/demo"
    assert plan.about.repository == "https://example.org/demo/src"


def test_pure_recipe_is_noarch_python_and_renders(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "demo_pure-1.2.0", PURE)
    tree = recipe_yaml(plan)
    assert tree["context"] == {"name": "demo-pure", "version": "1.2.0", "python_min": "3.11"}
    assert tree["source"] == {
        "pypi": {"name": "Demo_Pure", "version": "${{ version }}", "sha256": SHA}
    }
    assert tree["build"]["noarch"] == "python"
    assert tree["build"]["python"]["entry_points"] == list(plan.entry_points)
    assert tree["requirements"]["host"][:2] == ["python ${{ python_min }}.*", "pip"]
    assert tree["tests"][0]["python"]["imports"] == ["demo_pure"]
    assert tree["tests"][0]["python"]["pip_check"] is True
    assert tree["tests"][1]["script"] == ["demo --help", "demo-admin --help"]
    result = rendered(tmp_path, plan)
    assert (result.name, result.version, result.subdir) == ("demo-pure", "1.2.0", "noarch")
    assert result.requirements.host[0] == "python 3.11.*"
    assert result.requirements.run[:2] == ("python >=3.11", "packaging >=20")


def test_c_extension_sdist_is_compiled_and_renders(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "fastthing-0.3", EXT)
    assert not plan.kind.noarch
    assert plan.kind.compilers == ("c",)
    assert plan.kind.reason == "setup.py declares extension modules"
    assert plan.host == ("setuptools",)  # no pyproject.toml: pip's setuptools fallback
    assert plan.imports == ("fastthing",)
    assert plan.about.license_files == ("LICENSE",)
    tree = recipe_yaml(plan)
    assert "noarch" not in tree["build"]
    assert "python_min" not in tree["context"]
    assert tree["requirements"]["build"] == ["${{ compiler('c') }}", "${{ stdlib('c') }}"]
    assert tree["requirements"]["host"] == ["python", "pip", "setuptools"]
    result = rendered(tmp_path, plan)
    assert result.subdir == "linux-64"
    assert result.variant.get("python") == "3.11"  # the default variants' python
    assert any(spec.startswith("python 3.11") for spec in result.requirements.host)
    assert len(result.requirements.build) == 2  # the C compiler and the C library


def test_cxx_sources_and_a_compiling_backend(tmp_path: Path) -> None:
    files = {
        "PKG-INFO": "Metadata-Version: 2.1\nName: cxxy\nVersion: 1.0\n",
        "pyproject.toml": """
            [build-system]
            requires = ["scikit-build-core>=0.10", "nanobind>=2"]
            build-backend = "scikit_build_core.build"
        """,
        "src/cxxy/__init__.py": "",
        "src/bind.cpp": "int f() { return 0; }\n",
    }
    plan = plan_of(tmp_path, "cxxy-1.0", files)
    assert not plan.kind.noarch
    assert plan.kind.compilers == ("c", "cxx")
    assert plan.kind.tools == ("cmake", "ninja")
    assert rendered(tmp_path, plan).subdir == "linux-64"


def test_cmake_built_pure_wheel_is_noarch_with_build_tools(tmp_path: Path) -> None:
    files = {  # nanobind's shape: C++ sources shipped as data, src/ renamed at install
        "PKG-INFO": "Metadata-Version: 2.1\nName: bindlib\nVersion: 3.0\n",
        "pyproject.toml": """
            [build-system]
            requires = ["scikit-build-core >=0.10"]
            build-backend = "scikit_build_core.build"

            [tool.scikit-build]
            wheel.platlib = false
        """,
        "src/__init__.py": "",
        "src/stubgen.py": "",
        "src/bind.cpp": "int f() { return 0; }\n",
    }
    plan, notes = plan_recipe(read_sdist(make_sdist(tmp_path, "bindlib-3.0", files)), SHA, "3.11")
    assert plan.kind.noarch
    assert plan.kind.tools == ("cmake", "ninja")
    assert plan.imports == ("bindlib",)
    assert any("guesses `bindlib`" in note for note in notes)
    assert recipe_yaml(plan)["requirements"]["build"] == ["cmake", "ninja"]


def test_an_in_tree_backend_needs_its_run_requirements_to_build(tmp_path: Path) -> None:
    """hatchling builds itself (``backend-path``): its build imports what it imports."""
    files = {
        "PKG-INFO": "Metadata-Version: 2.1\nName: selfbuild\nVersion: 1.0\n"
        "Requires-Dist: pathspec>=0.10\nRequires-Dist: tomli; python_version < '3.11'\n",
        "pyproject.toml": """
            [build-system]
            requires = []
            build-backend = "selfbuild.ouroboros"
            backend-path = ["src"]
        """,
        "src/selfbuild/__init__.py": "",
    }
    plan = plan_of(tmp_path, "selfbuild-1.0", files)
    assert plan.host == ("pathspec >=0.10",)
    assert plan.run == ("pathspec >=0.10",)
    assert recipe_yaml(plan)["requirements"]["host"][-1] == "pathspec >=0.10"


def test_namespace_packages_and_poetry_includes(tmp_path: Path) -> None:
    files = {
        "PKG-INFO": "Metadata-Version: 2.1\nName: ns-core\nVersion: 1.0\n",
        "src/ns/core/__init__.py": "",
        "tests/__init__.py": "",
    }
    assert plan_of(tmp_path, "ns_core-1.0", files).imports == ("ns.core",)
    poetry = {
        **files,
        "pyproject.toml": '[tool.poetry]\npackages = [{include = "ns", from = "src"}]\n',
    }
    assert plan_of(tmp_path / "p", "ns_core-1.0", poetry).imports == ("ns",)


def test_setup_cfg_only_sdist(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "cfg-only-2.0.1", CFG)
    assert plan.name == "cfg-only"
    assert plan.run == ("six >=1.10",)  # egg-info requires.txt: the marker and docs extra drop
    assert plan.entry_points == ("cfg-tool = cfg_only.main:cli",)
    assert plan.imports == ("cfg_only",)
    assert plan.about.license == "MIT"
    assert plan.about.license_files == ("COPYING",)
    assert plan.kind.noarch
    assert rendered(tmp_path, plan).subdir == "noarch"


def test_requires_python_floor_wins_over_an_older_target(tmp_path: Path) -> None:
    files = {**PURE, "PKG-INFO": PURE_PKG_INFO.replace(">=3.8", ">=3.12")}
    plan = plan_of(tmp_path, "demo_pure-1.2.0", files)
    assert plan.python_min == "3.12"
    assert "typing-extensions >=4" not in plan.run  # python_version < "3.12" is false for 3.12


def test_a_target_python_the_package_excludes_is_refused(tmp_path: Path) -> None:
    files = {**PURE, "PKG-INFO": PURE_PKG_INFO.replace(">=3.8", ">=3.8,<3.10")}
    with pytest.raises(UsageError) as info:
        plan_of(tmp_path, "demo_pure-1.2.0", files)
    assert "does not support Python 3.11" in info.value.message
    assert "--python" in (info.value.hint or "")


def test_an_archive_without_one_top_folder_is_no_sdist(tmp_path: Path) -> None:
    path = tmp_path / "odd.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name in ("a/PKG-INFO", "b/setup.py"):
            info = tarfile.TarInfo(name)
            tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(SourceError, match="not an sdist"):
        read_sdist(path)


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("pypi", "conda"),
    [("Flit_Core", "flit-core"), ("zope.interface", "zope-interface"), ("a__b--c", "a-b-c")],
)
def test_conda_names(pypi: str, conda: str) -> None:
    assert conda_name(pypi) == conda


@pytest.mark.parametrize(
    ("requirement", "spec"),
    [
        ("flit_core >=3.11,<5", "flit-core >=3.11,<5"),
        ("foo<2,>=1", "foo >=1,<2"),
        ("foo~=1.4.2", "foo >=1.4.2,<1.5.0a0"),
        ("foo~=2.2", "foo >=2.2,<3.0a0"),
        ("foo==1.2", "foo ==1.2"),
        ("foo==1.2.*", "foo 1.2.*"),
        ("foo!=1.3,>=1", "foo >=1,!=1.3"),
        ("build[virtualenv]>=1.0.3", "build >=1.0.3"),
        ("tomli; python_version < '3.11'", "tomli"),
    ],
)
def test_pep508_to_conda_specs(requirement: str, spec: str) -> None:
    assert conda_spec(requirement) == spec


def test_markers_are_evaluated_for_the_target_python() -> None:
    reqs = [
        "a",
        "b; python_version < '3.8'",
        "c; extra == 'test'",
        "d; python_version >= '3.10' and platform_system == 'Linux'",
        "e; os_name == 'nt'",
        "f; implementation_name == 'pypy'",
    ]
    assert run_requirements(reqs, "3.11") == ["a", "d"]
    assert run_requirements(["b; python_version < '3.8'"], "3.7") == ["b"]
    from packaging.requirements import Requirement

    assert not applies(Requirement("x; extra == 'test' or extra == 'dev'"), "3.11")


@pytest.mark.parametrize(
    ("requires", "floor"),
    [(">=3.8", "3.8"), (">=3.8,<4", "3.8"), (">3.9", "3.9"), ("~=3.10", "3.10"), ("<4", None)],
)
def test_python_floor(requires: str, floor: str | None) -> None:
    assert python_floor(requires) == floor


def test_requires_txt_sections_become_markers() -> None:
    text = "a\n[:python_version < '3.8']\nb\n[test]\nc\n[test:sys_platform == 'win32']\nd\n"
    assert parse_requires_txt(text) == (
        "a",
        "b; (python_version < '3.8')",
        "c; extra == 'test'",
        "d; extra == 'test' and (sys_platform == 'win32')",
    )


@pytest.mark.parametrize(
    ("expression", "field", "classifiers", "spdx"),
    [
        ("Apache-2.0 OR BSD-2-Clause", "ignored", (), "Apache-2.0 OR BSD-2-Clause"),
        (None, "MIT License", (), "MIT"),
        (None, "bsd-3-clause", (), "BSD-3-Clause"),
        (None, "Permission is hereby granted ... (a whole text)", (), None),
        (None, None, ("License :: OSI Approved :: Apache Software License",), "Apache-2.0"),
        (None, None, ("License :: Other/Proprietary License",), None),
    ],
)
def test_spdx_license(
    expression: str | None, field: str | None, classifiers: tuple[str, ...], spdx: str | None
) -> None:
    assert spdx_license(expression, field, classifiers) == spdx


@pytest.mark.parametrize("name", ["", "-bad", "bad-", "a b", "x==1", "../etc"])
def test_invalid_names_are_refused_before_any_download(name: str) -> None:
    with pytest.raises(UsageError) as info:
        check_request(name, None, "3.11")
    assert info.value.hint


def test_invalid_version_and_python_are_refused() -> None:
    with pytest.raises(UsageError, match="PEP 440"):
        check_request("foo", ">=1.0", "3.11")
    with pytest.raises(UsageError, match="Python 3 version"):
        check_request("foo", None, "311")


def test_an_existing_recipe_is_kept_without_force(tmp_path: Path) -> None:
    target = tmp_path / "foo" / "recipe.yaml"
    write_recipe(target, "old\n", overwrite=False)
    with pytest.raises(UsageError) as info:
        write_recipe(target, "new\n", overwrite=False)
    assert "--force" in (info.value.hint or "")
    write_recipe(target, "new\n", overwrite=True)
    assert target.read_text() == "new\n"


def test_yaml_scalars_read_back_as_written() -> None:
    for text in ["${{ name }}", "1.10", "yes", "a: b", "- x", "x #y", ">=1", "", "ünï", "on"]:
        assert yaml.safe_load(f"k: {scalar(text)}") == {"k": text}
    assert scalar("${{ PYTHON }} -m pip install .") == "${{ PYTHON }} -m pip install ."
    tree = {"a": {"b": [1, {"c": True, "d": ["x"]}], "e": []}, "f": "g"}
    assert yaml.safe_load(dump(tree)) == tree
