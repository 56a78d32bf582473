"""Render a meta.yaml (v0) for one variant: selectors, Jinja, selectors again, YAML, outputs.

``render_variant(raw, variant, "linux-64", config, used)`` -> ``[OutputSpec, ...]`` (empty when
``build: skip: true``). The only I/O is ``load_file_regex``/``load_file_data`` if the recipe
calls them.
"""

from __future__ import annotations

import datetime
import time
import types
from collections.abc import Mapping
from typing import Any

from .. import platforms, yamlio
from ..errors import CflError, Location, RecipeError, raise_collected
from ..recipe import microarch, schema, selectors, shapes, v0
from ..recipe.model import RawRecipe
from ..records import dataclass
from ..templating import render_text_collect
from ..variants.config import VariantConfig
from . import v0_env
from .context import Functions, pinned_names, unknown_output_error
from .files import make_helpers
from .outputs import OutputSpec
from .v0_outputs import Scope, as_list, has_name, mapping_section, output_specs, truthy

# conda-build offers the `time` and `datetime` modules to templates; a recipe needs their
# clocks and types, not `time.sleep` or `datetime.sys` (a way to every other module).
_TIME = types.SimpleNamespace(
    time=time.time, strftime=time.strftime, gmtime=time.gmtime, localtime=time.localtime
)
_DATETIME = types.SimpleNamespace(
    **{
        name: getattr(datetime, name)
        for name in ("date", "datetime", "time", "timedelta", "timezone", "tzinfo", "UTC")
    },
    MINYEAR=datetime.MINYEAR,
    MAXYEAR=datetime.MAXYEAR,
)


def selector_namespace(
    variant: Mapping[str, Any], subdir: str, environ: Mapping[str, str]
) -> dict[str, Any]:
    """conda-build's selector names: platform flags, py/np ints, variant keys, environment."""
    ns: dict[str, Any] = dict(environ)
    ns.update(platforms.namespace(subdir))
    ns.update({k: selectors.cast_value(v) for k, v in variant.items()})
    ns["environ"] = dict(environ)
    py = _short(variant.get("python"))
    if py is not None:
        ns.update(py=py, py3k=py >= 300 or 30 <= py < 100, py2k=20 <= py < 30 or 200 <= py < 300)
        ns[f"py{py}"] = True
    np = _short(variant.get("numpy"))
    if np is not None:
        ns["np"] = np
    return ns


def _short(value: Any) -> int | None:
    """``"3.12"`` -> ``312``; ``"3.12 *_cpython"`` -> ``312`` (conda-build drops the build part)."""
    if value is None:
        return None
    parts = str(value).split(" ")[0].split(".")[:2]
    try:
        return int("".join(parts))
    except ValueError:
        return None


def render_variant(
    raw: RawRecipe,
    variant: Mapping[str, Any],
    subdir: str,
    config: VariantConfig,
    used: set[str],
) -> list[OutputSpec]:
    """Every output this variant produces; all recipe problems are raised together.

    ``used`` is the caller's recipe-wide candidate set; each output narrows it to the keys its
    own section uses (conda-build reads each output's text separately).
    """
    environ = dict(raw.environ)
    full = {**config.first(), **variant}
    ns = selector_namespace(full, subdir, environ)
    package = v0_env.Package()
    if any(name in raw.text for name in v0_env.PACKAGE_NAMES):
        # conda-build renders until the package section is stable; one pass with empty PKG_*
        # values gives the name, version and number the real pass uses.
        first = _render_tree(raw, ns, full, subdir, package)
        if first.tree is not None and not first.errors:
            package = _package_of(first.tree, raw.path)
    result = _render_tree(raw, ns, full, subdir, package)
    errors, text, rendered, tree = result.errors, result.text, result.rendered, result.tree
    if tree is None:
        raise_collected(errors)
        raise AssertionError("unreachable: no tree comes with an error")
    errors += schema.check_keys(tree, schema.V0_SCHEMA, raw.path)
    errors += shapes.check(tree, shapes.V0_SHAPES, raw.path)
    errors += microarch.check_tree(tree, raw.path)
    if errors:
        # Values may be placeholders after an undefined variable: report what is certain.
        raise_collected(errors)
    if truthy(mapping_section(tree, "build", raw.path).get("skip")):
        return []
    scope = Scope(raw, text, full, used | _ALWAYS_CANDIDATES, config, subdir)
    specs = output_specs(tree, scope)
    # a skipped output still names an output: other skipped ones may pin it
    skipped = {str(o["name"]) for o in as_list(tree.get("outputs") or []) if has_name(o)}
    _check_pins(rendered, {s.name for s in specs} | skipped, raw.path)
    return specs


@dataclass(frozen=True)
class _Pass:
    """One rendering of the text: selected text, Jinja output, YAML tree and problems."""

    text: str
    rendered: str
    tree: Any
    errors: list[CflError]


def _render_tree(
    raw: RawRecipe,
    ns: Mapping[str, Any],
    full: Mapping[str, Any],
    subdir: str,
    package: v0_env.Package,
) -> _Pass:
    environ = dict(raw.environ)
    errors: list[CflError] = []
    text, errs = v0.apply_selectors(raw.text, ns, raw.path)
    errors += errs
    functions = Functions(full, subdir)
    ctx: dict[str, Any] = {**v0_env.names(full, subdir, raw.recipe_dir, package), **ns, **full}
    ctx.update(functions.as_context(), datetime=_DATETIME, time=_TIME, environ=environ)
    ctx.update(make_helpers(raw.recipe_dir))
    rendered, jinja_errors = render_text_collect(text, raw.path, ctx)
    errors += jinja_errors
    rendered, errs = v0.apply_selectors(rendered, ns, raw.path)
    errors += errs
    try:
        tree = yamlio.load(rendered, raw.path) or yamlio.YDict()
    except RecipeError as exc:
        return _Pass(text, rendered, None, [*errors, exc])
    if not isinstance(tree, dict):
        errors.append(
            RecipeError(
                "a meta.yaml must be a mapping",
                Location(raw.path, 1),
                hint="start with `package:` followed by indented `name:` and `version:`",
            )
        )
        return _Pass(text, rendered, None, errors)
    return _Pass(text, rendered, tree, errors)


def _package_of(tree: Mapping[str, Any], path: str) -> v0_env.Package:
    package = tree.get("package") or {}
    build = tree.get("build") or {}
    try:
        number = int(build.get("number") or 0) if isinstance(build, dict) else 0
    except (TypeError, ValueError):
        number = 0
    if not isinstance(package, dict):
        return v0_env.Package(number=number)
    return v0_env.Package(str(package.get("name") or ""), str(package.get("version") or ""), number)


def _check_pins(rendered: str, names: set[str], path: str) -> None:
    """Every ``pin_subpackage`` names an output, reported on the line that calls it (the
    rendered text keeps the recipe's line numbers)."""
    errors: list[CflError] = []
    for number, line in enumerate(rendered.split("\n"), start=1):
        errors += [
            unknown_output_error(name, names, Location(path, number))
            for name in pinned_names(line)
            if name not in names
        ]
    raise_collected(errors)


# Keys conda-build counts without reading the text (see v0_keys.used_keys).
_ALWAYS_CANDIDATES = frozenset({"target_platform", "channel_targets"})
