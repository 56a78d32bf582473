"""Render stage: ``RawRecipe`` x ``VariantConfig`` x target platform -> ``[RenderedRecipe]``.

``render_recipe(raw, config, "linux-64")`` finds the variant keys the recipe can use, expands
only those (zip groups together), renders once per distinct combination and returns one
``RenderedRecipe`` per output and distinct build, in matrix order. What does not depend on the
variant (the used-key analysis, schema checks) is worked out once per recipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import platforms
from ..errors import Location, RecipeError
from ..recipe import microarch
from ..recipe.model import RawRecipe
from ..variants.config import VariantConfig
from ..variants.expand import MAX_VARIANTS, check_size, expand
from . import levels
from .model import RenderedRecipe
from .outputs import CondaBuildFlavor, Flavor, OutputSpec, RattlerBuildFlavor, finalize

__all__ = ["RecipeRenderer", "RenderedRecipe", "render", "render_recipe", "used_candidates"]


class RecipeRenderer:
    """One recipe and variant config, prepared once and then rendered variant by variant."""

    def __init__(
        self,
        raw: RawRecipe,
        config: VariantConfig,
        subdir: str,
        max_variants: int = MAX_VARIANTS,
        level_axis: bool = False,
    ):
        """``level_axis``: add the CPU-level axis a compiled recipe did not ask for (builds do;
        ``cfl render`` keeps conda-build's and rattler-build's matrix, render/levels.py)."""
        self.raw, self.config, self.subdir = raw, config, subdir
        self.max_variants = max_variants
        self.defaults = config.first()
        # Every variant has the same keys: the config's, plus target_platform.
        self.keys = {*config.values, "target_platform"}
        self.flavor: Flavor
        self._v0_used: dict[frozenset[str], set[str]] = {}
        if raw.format == "v0":
            self.flavor = CondaBuildFlavor(config.ignore_version)
        else:
            from . import v1  # each format's renderer is loaded by a recipe of that format

            self.v1 = v1.prepare(raw)
            self.flavor = RattlerBuildFlavor()
        self.levels = (
            levels.added_levels(raw, config, subdir, self._recipe_candidates())
            if level_axis
            else ()
        )
        # One line for a build to print: what cfl added to a recipe that did not ask.
        self.note = levels.note(self.levels) if self.levels else None

    def candidates(self) -> set[str]:
        """Variant keys the recipe may use anywhere: the keys that multiply its matrix."""
        used = self._recipe_candidates()
        return used | {levels.KEY} if self.levels else used

    def _recipe_candidates(self) -> set[str]:
        keys = set(self.config.values)
        if self.raw.format == "v0":
            return _v0_used(self.raw, keys)
        analysis = self.v1.analysis
        used = analysis.top.variables(keys)
        for usage in [*analysis.outputs, *analysis.staging.values()]:
            used |= usage.variables(keys)
        return used | _named_by_values(self.config, used)

    def render(self, variant: Mapping[str, Any]) -> list[RenderedRecipe]:
        """Render one variant (a mapping of key -> value)."""
        full = {**self.defaults, **variant, "target_platform": self.subdir}
        if self.raw.format == "v1":
            # rattler-build's variant has build_platform; it hashes when the recipe uses it
            full.setdefault("build_platform", platforms.build_platform())
        keys = self.keys if full.keys() <= self.keys else self.keys | set(full)
        specs: list[OutputSpec]
        if self.raw.format == "v0":
            used = self.v0_used(frozenset(keys)) | {"target_platform"}
            from . import v0

            specs = v0.render_variant(self.raw, full, self.subdir, self.config, used)
        else:
            from . import v1

            specs = v1.render_variant(self.raw, full, self.subdir, self.v1, keys)
        if self.levels:
            for spec in specs:
                levels.add_level(spec, int(full[levels.KEY]))
        results = finalize(specs, full, self.subdir, self.raw.path, self.raw.format, self.flavor)
        pairs = [(r.meta.get("build"), r.variant) for r in results]
        microarch.check_no_level_key(pairs, self.raw.path, self.raw.text)
        return results

    def v0_used(self, keys: frozenset[str]) -> set[str]:
        if keys not in self._v0_used:
            self._v0_used[keys] = _v0_used(self.raw, set(keys))
        return self._v0_used[keys]

    def render_all(self) -> list[RenderedRecipe]:
        """Every distinct build of every output over the matrix of the used keys."""
        seen: set[tuple[str, str, str]] = set()
        results: list[RenderedRecipe] = []
        used = self.candidates() - {"target_platform"}
        check_size(self.config, used, self.max_variants, Location(self.raw.path))
        for combo in expand(self.config, used):
            outputs = self.render(combo)
            _refuse_twins(outputs, self.raw.path)
            for rendered in outputs:
                key = (rendered.name, rendered.version, rendered.build_string)
                if key not in seen:
                    seen.add(key)
                    results.append(rendered)
        return results


def _named_by_values(config: VariantConfig, used: set[str]) -> set[str]:
    """Keys named by a used key's values (``mpi: [mpich, openmpi]`` with a ``mpich`` key): a
    recipe writing ``${{ mpi }}`` as a requirement uses them, so they multiply the matrix."""
    names = {
        str(value).lower().replace("-", "_")
        for key in used
        for value in config.values.get(key, ())
        if isinstance(value, str)
    }
    return names & set(config.values)


def _refuse_twins(outputs: list[RenderedRecipe], path: str) -> None:
    """Two outputs of one variant with the same name, version and build string would write
    one package file: one would silently replace the other."""
    seen: set[tuple[str, str, str]] = set()
    for rendered in outputs:
        key = (rendered.name, rendered.version, rendered.build_string)
        if key in seen:
            raise RecipeError(
                f"two outputs are both {rendered.dist}: they would make the same package file",
                Location(path),
                hint="give each output its own name (or a distinct version or build string)",
            )
        seen.add(key)


def _v0_used(raw: RawRecipe, keys: set[str]) -> set[str]:
    from ..recipe import v0 as v0_text

    used = v0_text.used_variables(raw.text, keys)
    for _, script in raw.scripts:
        used |= v0_text.used_in_script(script, keys)
    return used


def used_candidates(raw: RawRecipe, config: VariantConfig) -> set[str]:
    """Variant keys the recipe may use anywhere: the keys that multiply its matrix."""
    return RecipeRenderer(raw, config, "noarch").candidates()


def render(
    raw: RawRecipe, variant: Mapping[str, Any], subdir: str, config: VariantConfig | None = None
) -> list[RenderedRecipe]:
    """Render one variant (a mapping of key -> value) for one target platform."""
    return RecipeRenderer(raw, config or VariantConfig(), subdir).render(variant)


def render_recipe(
    raw: RawRecipe,
    config: VariantConfig,
    subdir: str,
    max_variants: int = MAX_VARIANTS,
    level_axis: bool = False,
) -> list[RenderedRecipe]:
    """Every distinct build of every output over the variant matrix (at most
    ``max_variants`` combinations, else a ``VariantError`` before anything is rendered)."""
    return RecipeRenderer(raw, config, subdir, max_variants, level_axis).render_all()
