"""The CPU level axis cfl adds by itself: ``microarch_level: [1, 3, 4]`` multiplies a compiled
recipe on x86_64 even when the recipe never names the key.

Pure. ``added_levels(raw, config, "linux-64", used)`` -> ``(1, 3, 4)`` for a recipe that calls
``compiler(...)``, does not use ``microarch_level`` itself and whose variant config lists more
than one level; ``()`` otherwise (the recipe then keeps what it says, as conda-forge's
boilerplate does: ``x86_64-microarch-level`` build requirement, ``100 * level`` build number).
``add_level(spec, 3)`` makes one output a level-3 build: the key enters its hash, the run
requirement ``_x86_64-microarch-level >=3`` lets a solver install it only on CPUs of level 3
and above, and build number + 300 makes the solver prefer it where it installs.
"""

from __future__ import annotations

from collections.abc import Set

from .. import lazy, platforms
from ..recipe import microarch
from ..recipe.model import RawRecipe
from ..variants.config import VariantConfig
from .outputs import OutputSpec, spec_name

KEY = "microarch_level"
MARKER = "_x86_64-microarch-level"
# conda-forge's offset: a level-N build's number is 100 * N above the recipe's own.
NUMBER_STEP = 100
_COMPILER_CALL = lazy.regex(r"\bcompiler\s*\(")
_MARKERS = {MARKER, MARKER.lstrip("_")}


def added_levels(
    raw: RawRecipe, config: VariantConfig, subdir: str, used: Set[str]
) -> tuple[int, ...]:
    """The levels cfl builds this recipe for on its own account (``()``: none)."""
    if KEY in used or platforms.info(subdir).arch != "x86_64":
        return ()
    if not _COMPILER_CALL.search(raw.text):
        return ()  # nothing is compiled: one package fits every CPU
    if microarch.microarch_line(raw.text) is not None:
        return ()  # `build: microarch: hwcaps` builds its levels inside one package
    levels = _distinct(config.values.get(KEY, ()))
    return levels if len(levels) > 1 else ()


def _distinct(values: tuple[object, ...]) -> tuple[int, ...]:
    seen: list[int] = []
    for value in values:
        try:
            level = int(str(value))
        except ValueError:
            continue  # baseplate.level_of reports the bad value when it is built
        if level not in seen:
            seen.append(level)
    return tuple(seen)


def add_level(spec: OutputSpec, level: int) -> None:
    """Make one rendered output a build for ``level`` (noarch outputs hold no machine code)."""
    if spec.noarch:
        return
    spec.used.add(KEY)
    run = spec.requirements.setdefault("run", [])
    if level > 1 and not any(spec_name(s) in _MARKERS for s in run):
        run.append(f"{MARKER} >={level}")
    spec.build_number += NUMBER_STEP * level


def note(levels: tuple[int, ...]) -> str:
    """The one line a build prints for a recipe that got the axis."""
    shown = ", ".join(str(level) for level in levels)
    return (
        f"microarch_level [{shown}]: one build per level (its -march/-mcpu in the compiler), "
        f"run dependency {MARKER} >=N (N > 1) and build number + {NUMBER_STEP} * N added by cfl"
    )
