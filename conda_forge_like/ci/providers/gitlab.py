"""GitLab CI: one generated job per planned job, ``needs`` carrying the packages along."""

from __future__ import annotations

import shlex
from typing import Any

from .. import toolchain
from ..options import ProviderOptions
from ..plan import Job, Plan
from .common import dump, stage_name

TEMPLATE = ".cfl_build"
COMPILER_TEMPLATE = ".cfl_build_host_compiler"
# The python image runs as root (no sudo); before_script and script share one shell.
BIN_DIR = "$CI_PROJECT_DIR/.cfl-compilers"


def default_path(options: ProviderOptions) -> str:
    return ".gitlab-ci.yml"


def _compiler_template(options: ProviderOptions) -> dict[str, Any]:
    """Jobs pinning a host gcc/clang install it before the usual setup; zig jobs do not."""
    script = toolchain.install_script(BIN_DIR, sudo=False)
    return {
        "extends": TEMPLATE,
        "before_script": [*script, f'export PATH="{BIN_DIR}:$PATH"', options.setup],
    }


def _job(job: Job, index: int, options: ProviderOptions) -> dict[str, Any]:
    compilers = toolchain.host_compilers(job.variant)
    variables = {"CFL_SUBDIR": job.subdir}
    if compilers:
        variables[toolchain.PACKAGES_VAR] = toolchain.packages(compilers)
        variables[toolchain.LINKS_VAR] = toolchain.links(compilers)
    entry: dict[str, Any] = {
        "extends": COMPILER_TEMPLATE if compilers else TEMPLATE,
        "stage": stage_name(index),
        "variables": variables,
        "needs": [{"job": n, "artifacts": True} for n in job.needs],
        "script": [shlex.join(job.command())],
    }
    if options.runners is not None:
        entry["tags"] = [options.runner(job.subdir)]
    return entry


def generate(plan: Plan, options: ProviderOptions) -> str:
    stages = plan.stages()
    data: dict[str, Any] = {
        "stages": [stage_name(i) for i in range(len(stages))],
        "variables": {"XDG_CACHE_HOME": "$CI_PROJECT_DIR/.cache"},
        TEMPLATE: {
            "image": f"python:{options.python}",
            "cache": {"key": "cfl-$CFL_SUBDIR", "paths": [".cache/cfl"]},
            "before_script": [options.setup],
            "artifacts": {"paths": ["output/"], "expire_in": "1 week"},
        },
    }
    if any(toolchain.host_compilers(j.variant) for j in plan.jobs):
        data[COMPILER_TEMPLATE] = _compiler_template(options)
    for index, stage in enumerate(stages):
        for job in stage:
            data[job.name] = _job(job, index, options)
    if options.upload:
        data["upload"] = {
            "stage": stage_name(len(stages) - 1),
            "image": f"python:{options.python}",
            "needs": [{"job": j.name, "artifacts": True} for j in plan.jobs],
            "rules": [{"if": f'$CI_COMMIT_BRANCH == "{options.branch}"'}],
            "script": [options.upload],
        }
    return dump(data)
