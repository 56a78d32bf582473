"""Render stage: ``RawRecipe`` x ``VariantConfig`` x target platform -> ``[RenderedRecipe]``.

``render_recipe(raw, config, "linux-64")`` finds the variant keys the recipe can use, expands
only those (zip groups together), renders once per distinct combination and returns one
``RenderedRecipe`` per output and distinct build, in matrix order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..recipe import v0 as v0_text
from ..recipe import v1 as v1_analysis
from ..recipe.model import RawRecipe
from ..variants.config import VariantConfig
from ..variants.expand import expand
from . import v0, v1
from .model import RenderedRecipe
from .outputs import CondaBuildFlavor, RattlerBuildFlavor, finalize

__all__ = ["RenderedRecipe", "render", "render_recipe", "used_candidates"]


def used_candidates(raw: RawRecipe, config: VariantConfig) -> set[str]:
    """Variant keys the recipe may use anywhere: the keys that multiply its matrix."""
    keys = set(config.values)
    if raw.format == "v0":
        used = v0_text.used_variables(raw.text, keys)
        for _, script in raw.scripts:
            used |= v0_text.used_in_script(script, keys)
        return used
    analysis = v1_analysis.analyze(raw.tree)
    used = analysis.top.variables(keys)
    for usage in [*analysis.outputs, *analysis.staging.values()]:
        used |= usage.variables(keys)
    return used


def render(
    raw: RawRecipe, variant: Mapping[str, Any], subdir: str, config: VariantConfig | None = None
) -> list[RenderedRecipe]:
    """Render one variant (a mapping of key -> value) for one target platform."""
    config = config or VariantConfig()
    full = {**config.first(), **variant, "target_platform": subdir}
    if raw.format == "v0":
        used = v0_text.used_variables(raw.text, set(full)) | {"target_platform"}
        for _, script in raw.scripts:
            used |= v0_text.used_in_script(script, set(full))
        specs = v0.render_variant(raw, full, subdir, config, used)
        flavor: Any = CondaBuildFlavor(config.ignore_version)
    else:
        analysis = v1_analysis.analyze(raw.tree)
        specs = v1.render_variant(raw, full, subdir, analysis, set(full))
        flavor = RattlerBuildFlavor()
    return finalize(specs, full, subdir, raw.path, raw.format, flavor)


def render_recipe(raw: RawRecipe, config: VariantConfig, subdir: str) -> list[RenderedRecipe]:
    """Every distinct build of every output over the variant matrix."""
    used = used_candidates(raw, config) - {"target_platform"}
    seen: set[tuple[str, str, str]] = set()
    results: list[RenderedRecipe] = []
    for combo in expand(config, used):
        for rendered in render(raw, combo, subdir, config):
            key = (rendered.name, rendered.version, rendered.build_string)
            if key not in seen:
                seen.add(key)
                results.append(rendered)
    return results
