"""Recipe generation: a published project -> a v1 ``recipe.yaml`` a maintainer refines.

``generate_pypi("flit_core", output_dir=Path("recipes"))`` -> ``GeneratedRecipe(path=
recipes/flit-core/recipe.yaml, ...)``. Modules: ``pypi`` (download and the pure plan),
``sdist`` (an sdist's file list and metadata texts, never extracted), ``metadata`` (PKG-INFO,
pyproject.toml), ``layout`` (entry points, import names, license files), ``native`` (noarch or
compiled), ``requirements`` (PEP 508 -> conda match specs, markers), ``licenses`` (SPDX),
``recipe_writer`` and ``yaml_text`` (the recipe's text).
"""

from __future__ import annotations

from .pypi import DEFAULT_PYTHON, GeneratedRecipe, generate_pypi, plan_recipe

__all__ = ["DEFAULT_PYTHON", "GeneratedRecipe", "generate_pypi", "plan_recipe"]
