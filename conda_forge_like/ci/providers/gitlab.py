"""GitLab CI: one generated job per planned job, ``needs`` carrying the packages along."""

from __future__ import annotations

import shlex
from typing import Any

from ..options import ProviderOptions
from ..plan import Plan
from .common import dump, stage_name

TEMPLATE = ".cfl_build"


def default_path(options: ProviderOptions) -> str:
    return ".gitlab-ci.yml"


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
    for index, stage in enumerate(stages):
        for job in stage:
            entry: dict[str, Any] = {
                "extends": TEMPLATE,
                "stage": stage_name(index),
                "variables": {"CFL_SUBDIR": job.subdir},
                "needs": [{"job": n, "artifacts": True} for n in job.needs],
                "script": [shlex.join(job.command())],
            }
            if options.runners is not None:
                entry["tags"] = [options.runner(job.subdir)]
            data[job.name] = entry
    if options.upload:
        data["upload"] = {
            "stage": stage_name(len(stages) - 1),
            "image": f"python:{options.python}",
            "needs": [{"job": j.name, "artifacts": True} for j in plan.jobs],
            "rules": [{"if": f'$CI_COMMIT_BRANCH == "{options.branch}"'}],
            "script": [options.upload],
        }
    return dump(data)
