"""Render a meta.yaml given as text: the helper the unit tests of v0 rules share."""

from __future__ import annotations

from conda_forge_like import recipe, render
from conda_forge_like.variants import config as vc


def render_v0(text: str, config: str = "", subdir: str = "linux-64") -> list[render.RenderedRecipe]:
    raw = recipe.parse(text, "meta.yaml")
    return render.render_recipe(raw, vc.parse(config, "cbc.yaml", subdir), subdir)
