"""conda-build's per-output rules for a meta.yaml: used variant keys and the build-string head.

Pure. ``used_keys(Section(...), keys, "linux-64")`` -> ``{"zlib", "target_platform"}``;
``build_string_template(reqs, variant, ...)`` -> ``"py312" + HASH_MARK + "_0"`` (the flavor puts
the hash where the mark is, as conda-build's ``build_id`` inserts it before ``_<number>``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .. import lazy, platforms
from ..recipe import v0
from ..recipe.model import RawRecipe
from ..records import dataclass
from ..variants import hashing
from .outputs import HASH_MARK, spec_name

# conda-build's `numpy_xx`: the legacy `numpy x.x` pin (or pin_compatible with max_pin x.x)
# moves numpy from the hash into an `np126` prefix.
_NUMPY_XX_RE = lazy.regex(r"(numpy\s*x\.x)|pin_compatible\(['\"]numpy.*max_pin=['\"]x\.x['\"]")


@dataclass(frozen=True)
class Section:
    """Where one output's used keys are read from: its text before and after selectors."""

    raw: RawRecipe
    selected: str  # the recipe text with line selectors applied (before Jinja)
    index: int | None  # position in `outputs:`, None for a recipe without outputs
    top_level: bool  # named like the package: reads the top level too (and build.sh)

    def text(self, selected: bool) -> str:
        source = self.selected if selected else self.raw.text
        return v0.output_text(source, self.index, self.top_level)


def numpy_xx(section: Section) -> bool:
    return bool(_NUMPY_XX_RE.search(section.text(selected=True)))


def used_keys(
    section: Section, keys: Collection[str], subdir: str, build: Mapping[str, Any]
) -> set[str]:
    """conda-build's ``get_used_vars`` for one output (before the hash's own trimming)."""
    used = v0.used_variables(section.text(False), keys, section.text(True))
    if section.top_level:
        for name, script in section.raw.scripts:
            if name == "build.sh":
                used |= v0.used_in_script(script, keys, "sh")
            elif name == "bld.bat" and platforms.info(subdir).os == "win":
                used |= v0.used_in_script(script, keys, "bat")
    if "target_platform" in keys and not build.get("noarch"):
        used.add("target_platform")
    if "channel_targets" in keys:  # conda-build always counts it (conda-forge's `pyhd8ed1ab`)
        used.add("channel_targets")
    force_ignore = _as_set(build.get("force_ignore_keys"))
    force_use = _as_set(build.get("force_use_keys"))
    return (used - force_ignore) | force_use


def _as_set(value: Any) -> set[str]:
    if not value:
        return set()
    return {str(v) for v in (value if isinstance(value, list) else [value])}


def build_string_template(
    reqs: Mapping[str, list[str]],
    variant: Mapping[str, Any],
    number: int,
    noarch: str | None,
    uses_numpy_xx: bool,
    features: list[str],
    has_host: bool,
) -> str:
    """conda-build's ``build_string_from_metadata`` with a mark where the hash goes.

    A name in both run and host (build when there is no host section) adds its prefix:
    ``py312`` from the variant value, just ``py`` for ``noarch: python``; numpy only with
    ``numpy x.x``.
    """
    env = reqs.get("host", []) if has_host else reqs.get("build", [])
    env_names = {spec_name(s) for s in env}
    run_names = {spec_name(s) for s in reqs.get("run", [])}
    entries: list[str] = []
    for short, names, places in hashing.PREFIXES:
        for name in names:
            if name not in run_names or name not in env_names:
                continue
            if name == "numpy" and not uses_numpy_xx:
                continue
            if noarch == name:
                entry = short
            else:
                value = variant.get(name.replace("-", "_"), variant.get(name, "")) or ""
                entry = short + "".join(str(value).split(" ")[0].split(".")[:places])
            if entry not in entries:
                entries.append(entry)
    head = "".join(entries)
    if features:
        head = f"{head}_{'_'.join(features)}" if head else "_".join(features)
    return f"{head}{HASH_MARK}_{number}"
