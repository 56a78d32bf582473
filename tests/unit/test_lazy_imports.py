"""A command loads only the stages it uses: ``cfl --version`` and ``cfl render`` never import
py-rattler, lief or rich (each costs start-up time in every CI job). Checked in a fresh
interpreter, by what ``sys.modules`` holds afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("rattler", "lief", "rich", "archspec", "conda_forge_like.ci", "conda_forge_like.build")


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY))


def test_importing_the_cli_loads_no_stage() -> None:
    modules = loaded_after("import conda_forge_like.cli")
    assert heavy(modules) == []
    assert "conda_forge_like.api" not in modules
    assert "yaml" not in modules
    assert "jinja2" not in modules


@pytest.mark.parametrize("recipe", ["tests/data/recipes/tiny-noarch", "recipes/libgreet"])
def test_render_loads_neither_rattler_nor_lief(recipe: str) -> None:
    code = (
        "import contextlib, io\nfrom conda_forge_like import cli\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert cli.main(['render', {recipe!r}]) == 0"
    )
    assert heavy(loaded_after(code)) == []


def test_skip_existing_with_everything_built_loads_no_build_stage(tmp_path: Path) -> None:
    """The channel lists the package: the rerun decides from repodata, prepares nothing."""
    code = (
        "import contextlib, io, json, pathlib\nfrom conda_forge_like import api, cli\n"
        "from conda_forge_like.build import result\n"
        "(r,) = api.render(['tests/data/recipes/tiny-noarch'])\n"
        f"out = pathlib.Path({str(tmp_path)!r})\n"
        "(out / 'noarch').mkdir()\n"
        "listed = {result.package_filename(r, 'conda'): {'name': r.name}}\n"
        "(out / 'noarch' / 'repodata.json').write_text(json.dumps({'packages.conda': listed}))\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert cli.main(['build', 'tests/data/recipes/tiny-noarch', '--skip-existing',\n"
        "                     '--output-dir', str(out)]) == 0"
    )
    modules = loaded_after(code)
    assert "conda_forge_like.build.runner" not in modules
    assert heavy(modules) == ["conda_forge_like.build", "conda_forge_like.build.result"]
    assert not (tmp_path / "work").exists()


# What only a package with binaries needs: the ELF reader and the binary checks, the Mach-O
# relinker and code signer, lief (Mach-O/PE), the CI providers and the progress display.
BINARY_ONLY = (
    "lief",
    "rich",
    "conda_forge_like.elf",
    "conda_forge_like.abi.binary",
    "conda_forge_like.abi.binary_checks",
    "conda_forge_like.abi.isa",
    "conda_forge_like.abi.prefix_check",
    "conda_forge_like.abi.inspect",
    "conda_forge_like.relocate.relinker",
    "conda_forge_like.relocate.macho",
    "conda_forge_like.relocate.codesign",
    "conda_forge_like.ci",
)


def test_a_noarch_build_without_binaries_loads_no_binary_reader(tmp_path: Path) -> None:
    code = (
        "import contextlib, io\nfrom conda_forge_like import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert cli.main(['build', 'tests/data/recipes/tiny-noarch', '--no-test',\n"
        f"                     '--output-dir', {str(tmp_path / 'out')!r}]) == 0"
    )
    modules = loaded_after(code)
    assert "conda_forge_like.abi.checks" in modules  # the byte-leak checks still run
    assert sorted(m for m in modules if m.startswith(BINARY_ONLY)) == []
    assert "jinja2" not in modules  # the recipe has no `${{ }}`
    # What every build pays for otherwise: the SBOM library's model (cfl writes the JSON), the
    # dataclasses module (cfl's records), the thread pool of --jobs, the SPDX parser, PyYAML
    # (yamlscan reads recipes) and tempfile (fsutil.make_temp, package.container.Spool).
    slow = ("cyclonedx", "packageurl", "py_serializable", "dataclasses", "inspect",
            "concurrent", "license_expression", "tomllib", "yaml", "tempfile")  # fmt: skip
    assert sorted(m for m in modules if m.split(".")[0] in slow) == []
    # --no-test: the test stage; a selector of names needs no ast; scripts spawn through
    # setpriv, so no ctypes for a preexec_fn; no CI files, no misspelt key, no pin.
    unused = ("ast", "ctypes", "difflib", "conda_forge_like.api_ci",
              "conda_forge_like.build.test_step", "conda_forge_like.build.emulation",
              "conda_forge_like.render.pins",
              "conda_forge_like.source.archive")  # fmt: skip
    assert sorted(m for m in modules if m in unused) == []
    # Small inputs hash without OpenSSL (digests), the package's tars are cfl's own
    # (package.tarwrite), the scripts folder needs no sysconfig; a recipe without sources or a
    # license loads neither the source stage nor the SPDX policy code.
    avoided = ("hashlib", "_hashlib", "tarfile", "sysconfig", "zipfile",
               "conda_forge_like.source", "conda_forge_like.govern.policy")  # fmt: skip
    assert sorted(m for m in modules if m in avoided) == []
