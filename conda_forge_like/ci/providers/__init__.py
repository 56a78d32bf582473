"""CI providers: ``Plan`` + ``ProviderOptions`` -> the provider's file text (pure).

``generate(plan, "github", ProviderOptions())`` -> ``(".github/workflows/recipes.yml", text)``.
"""

from __future__ import annotations

from collections.abc import Callable

from ...errors import UsageError
from ..options import ProviderOptions
from ..plan import Plan
from . import azure, github, gitlab

Provider = tuple[Callable[[ProviderOptions], str], Callable[[Plan, ProviderOptions], str]]
PROVIDERS: dict[str, Provider] = {
    "github": (github.default_path, github.generate),
    "gitlab": (gitlab.default_path, gitlab.generate),
    "azure": (azure.default_path, azure.generate),
}


def generate(plan: Plan, provider: str, options: ProviderOptions) -> tuple[str, str]:
    """The default path and the text of ``provider``'s CI file for ``plan``."""
    if provider not in PROVIDERS:
        raise UsageError(
            f"unknown CI provider {provider!r}", hint=f"use one of: {', '.join(PROVIDERS)}"
        )
    path, text = PROVIDERS[provider]
    return path(options), text(plan, options)
