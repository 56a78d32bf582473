"""Azure Pipelines: one job per dependency stage with a named ``strategy.matrix``."""

from __future__ import annotations

from typing import Any

from .. import toolchain
from ..options import ProviderOptions
from ..plan import Job, Plan
from .common import build_command, dump, stage_name

BIN_DIR = "$(Agent.TempDirectory)/cfl-compilers"


def default_path(options: ProviderOptions) -> str:
    return "azure-pipelines.yml"


def _compiler_step() -> dict[str, Any]:
    """Installs the pinned host gcc/clang; skipped for jobs that build with zig only."""
    script = toolchain.install_script(BIN_DIR, sudo=True)
    return {
        "script": "\n".join([*script, f'echo "##vso[task.prependpath]{BIN_DIR}"']) + "\n",
        "displayName": "Host compiler",
        "condition": f"and(succeeded(), ne(variables['{toolchain.PACKAGES_VAR}'], ''))",
    }


def _steps(index: int, options: ProviderOptions, with_compilers: bool) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"checkout": "self"},
        {"task": "UsePythonVersion@0", "inputs": {"versionSpec": options.python}},
        {
            "task": "Cache@2",
            "displayName": "Cache the base plate and downloads",
            "inputs": {
                "key": " | ".join(["cfl", '"$(CFL_SUBDIR)"', *options.cache_files]),
                "path": "$(XDG_CACHE_HOME)/cfl",
            },
        },
        {"script": options.setup, "displayName": "Install cfl"},
    ]
    if index > 0:
        steps.append({"download": "current", "patterns": "packages-*/**"})
        steps.append(
            {
                "script": "mkdir -p output && cp -r $(Pipeline.Workspace)/packages-*/. output/",
                "displayName": "Packages of earlier jobs",
            }
        )
    if with_compilers:
        steps.append(_compiler_step())
    command = build_command("$(CFL_RECIPES)", "$(CFL_JOB)", "$(CFL_SUBDIR)")
    steps.append({"script": command, "displayName": "Build"})
    steps.append({"publish": "output", "artifact": "packages-$(CFL_JOB)"})
    if options.upload:
        steps.append(
            {
                "script": options.upload,
                "displayName": "Upload",
                "condition": f"and(succeeded(), eq(variables['Build.SourceBranch'], "
                f"'refs/heads/{options.branch}'))",
            }
        )
    return steps


def _entry(job: Job, options: ProviderOptions, with_compilers: bool) -> dict[str, str]:
    entry = {
        "CFL_JOB": job.name,
        "CFL_RECIPES": " ".join(job.recipes),
        "CFL_SUBDIR": job.subdir,
        "CFL_IMAGE": options.runner(job.subdir),
    }
    if with_compilers:
        compilers = toolchain.host_compilers(job.variant)
        entry[toolchain.PACKAGES_VAR] = toolchain.packages(compilers)
        entry[toolchain.LINKS_VAR] = toolchain.links(compilers)
    return entry


def generate(plan: Plan, options: ProviderOptions) -> str:
    jobs: list[dict[str, Any]] = []
    for index, stage in enumerate(plan.stages()):
        with_compilers = any(toolchain.host_compilers(j.variant) for j in stage)
        matrix = {job.name: _entry(job, options, with_compilers) for job in stage}
        entry: dict[str, Any] = {"job": stage_name(index)}
        if index > 0:
            entry["dependsOn"] = [stage_name(index - 1)]
        entry["strategy"] = {"matrix": matrix}
        entry["pool"] = {"vmImage": "$(CFL_IMAGE)"}
        entry["variables"] = {"XDG_CACHE_HOME": "$(Pipeline.Workspace)/.cache"}
        entry["steps"] = _steps(index, options, with_compilers)
        jobs.append(entry)
    data = {
        "trigger": {"branches": {"include": [options.branch]}},
        "pr": {"branches": {"include": ["*"]}},
        "jobs": jobs,
    }
    return dump(data)
