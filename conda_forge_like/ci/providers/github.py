"""GitHub Actions: one workflow job per dependency stage, each a ``strategy.matrix.include``.

Later stages download the packages of earlier ones (artifacts ``packages-<job>``) into their
output channel before building.
"""

from __future__ import annotations

from typing import Any

from .. import toolchain
from ..options import ProviderOptions
from ..plan import Job, Plan
from .common import build_command, dump, stage_name

# Job-local: the symlinks must not shadow the runner's compilers for other jobs.
BIN_DIR = "$RUNNER_TEMP/cfl-compilers"


def default_path(options: ProviderOptions) -> str:
    return f".github/workflows/{options.name}.yml"


def _entry(job: Job, options: ProviderOptions, with_compilers: bool) -> dict[str, str]:
    entry = {
        "job": job.name,
        "recipes": " ".join(job.recipes),
        "subdir": job.subdir,
        "runner": options.runner(job.subdir),
        "needs": " ".join(job.needs),
    }
    if with_compilers:
        compilers = toolchain.host_compilers(job.variant)
        entry["compiler_packages"] = toolchain.packages(compilers)
        entry["compiler_links"] = toolchain.links(compilers)
    return entry


def _globs(options: ProviderOptions) -> str:
    return ", ".join("'" + glob.replace("'", "''") + "'" for glob in options.cache_files)


def _compiler_step() -> dict[str, Any]:
    """Installs the pinned host gcc/clang; skipped for jobs that build with zig only."""
    script = toolchain.install_script(BIN_DIR, sudo=True)
    return {
        "name": "Host compiler",
        "if": "matrix.compiler_packages != ''",
        "env": {
            toolchain.PACKAGES_VAR: "${{ matrix.compiler_packages }}",
            toolchain.LINKS_VAR: "${{ matrix.compiler_links }}",
        },
        "run": "\n".join([*script, f'echo "{BIN_DIR}" >> "$GITHUB_PATH"']) + "\n",
    }


def _steps(index: int, options: ProviderOptions, with_compilers: bool) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"uses": "actions/checkout@v4"},
        {"uses": "actions/setup-python@v5", "with": {"python-version": options.python}},
        {
            "name": "Cache the base plate and downloads",
            "uses": "actions/cache@v4",
            "with": {
                "path": "~/.cache/cfl",
                "key": f"cfl-${{{{ matrix.subdir }}}}-${{{{ hashFiles({_globs(options)}) }}}}",
                "restore-keys": "cfl-${{ matrix.subdir }}-",
            },
        },
        {"name": "Install cfl", "run": options.setup},
    ]
    if index > 0:
        steps.append(
            {
                "name": "Packages of earlier jobs",
                "uses": "actions/download-artifact@v4",
                "with": {"pattern": "packages-*", "path": "output", "merge-multiple": True},
            }
        )
    if with_compilers:
        steps.append(_compiler_step())
    command = build_command("${{ matrix.recipes }}", "${{ matrix.job }}", "${{ matrix.subdir }}")
    steps.append({"name": "Build", "run": command})
    steps.append(
        {
            "uses": "actions/upload-artifact@v4",
            "with": {
                "name": "packages-${{ matrix.job }}",
                "path": "output/",
                "if-no-files-found": "error",
            },
        }
    )
    if options.upload:
        steps.append(
            {
                "name": "Upload",
                "if": f"github.event_name == 'push' && github.ref == 'refs/heads/{options.branch}'",
                "run": options.upload,
            }
        )
    return steps


def generate(plan: Plan, options: ProviderOptions) -> str:
    jobs: dict[str, Any] = {}
    for index, stage in enumerate(plan.stages()):
        with_compilers = any(toolchain.host_compilers(j.variant) for j in stage)
        job: dict[str, Any] = {"name": "${{ matrix.job }}"}
        if index > 0:
            job["needs"] = [stage_name(index - 1)]
        job["runs-on"] = "${{ matrix.runner }}"
        job["strategy"] = {
            "fail-fast": False,
            "matrix": {"include": [_entry(j, options, with_compilers) for j in stage]},
        }
        job["steps"] = _steps(index, options, with_compilers)
        jobs[stage_name(index)] = job
    workflow = {
        "name": options.name,
        "on": {
            "push": {"branches": [options.branch]},
            "pull_request": None,
            "workflow_dispatch": None,
        },
        "permissions": {"contents": "read"},
        "jobs": jobs,
    }
    return dump(workflow)
