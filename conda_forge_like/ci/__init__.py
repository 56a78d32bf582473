"""CI stage: rendered matrices -> ``Plan`` of jobs -> provider files (all pure).

``files(plan([RecipeMatrix(...), ...]), "github")`` -> ``{".github/workflows/recipes.yml": ...,
"ci/variants/linux_64.yaml": ...}``: the text of every file ``cfl ci`` writes.
"""

from __future__ import annotations

from typing import Any

import yaml

from .options import HEADER, ProviderOptions, for_repository
from .plan import DEFAULT_PLATFORMS, Job, Plan, RecipeMatrix, plan
from .providers import PROVIDERS, generate

__all__ = [
    "DEFAULT_PLATFORMS",
    "HEADER",
    "PROVIDERS",
    "Job",
    "Plan",
    "ProviderOptions",
    "RecipeMatrix",
    "files",
    "for_repository",
    "plan",
    "variant_text",
]


def variant_text(job: Job) -> str:
    """A job's self-contained variant file: every key with the one value the job uses."""
    data: dict[str, Any] = dict(job.variant)
    comment = f"# {job.name}: {' '.join(job.command())}\n"
    return HEADER + comment + yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


def files(
    plan: Plan, provider: str, options: ProviderOptions | None = None, path: str | None = None
) -> dict[str, str]:
    """Every file of the CI setup: the provider's file and one variant file per job."""
    options = options or ProviderOptions()
    default_path, text = generate(plan, provider, options)
    out = {path or default_path: text}
    out.update({job.variant_file: variant_text(job) for job in plan.jobs})
    return out
