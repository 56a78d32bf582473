"""Render a recipe.yaml (v1) for one variant: context, ``${{ }}`` values, ``if/then/else`` items.

``render_variant(raw, variant, "linux-64", prepare(raw), keys)`` -> ``[OutputSpec, ...]``. The
YAML was parsed once (``RawRecipe.tree``) and ``prepare`` analyses it once; here it is only
evaluated. Every template error is collected with its line and raised together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CflError, Location, RecipeError, raise_collected
from ..recipe import microarch, schema, shapes
from ..recipe.model import RawRecipe
from ..recipe.v1 import Analysis, Usage, analyze
from ..records import dataclass
from ..yamlio import YDict, key_line, line_of
from .model import IgnoreRunExports
from .outputs import OutputSpec, take_pending_pins
from .specs import fill_bare, normalize
from .v1_eval import Evaluator, base_context, evaluate_context

_MERGED_SECTIONS = ("build", "about", "source", "extra")
# cfl's requirement sections and the recipe.yaml keys they are read from.
_SECTIONS = {"build": "build", "host": "host", "run": "run", "run_constrained": "run_constraints"}


@dataclass(frozen=True)
class Prepared:
    """What rendering needs of a recipe that no variant changes: computed once per recipe."""

    analysis: Analysis
    schema_errors: tuple[CflError, ...]
    shape_errors: tuple[CflError, ...] = ()  # wrong types: evaluation cannot go on


def prepare(raw: RawRecipe) -> Prepared:
    tree = raw.tree
    errors = list(schema.check_keys(tree, schema.V1_SCHEMA, raw.path))
    outputs = tree.get("outputs")
    if isinstance(outputs, list):
        for item in outputs:
            errors.extend(schema.check_keys(item, schema.V1_OUTPUT_SCHEMA, raw.path))
    errors.extend(microarch.check_tree(tree, raw.path))
    shape_errors = shapes.check(tree, shapes.V1_SHAPES, raw.path, v1=True)
    return Prepared(analyze(tree), tuple(errors), tuple(shape_errors))


def render_variant(
    raw: RawRecipe, variant: Mapping[str, Any], subdir: str, prepared: Prepared, keys: set[str]
) -> list[OutputSpec]:
    tree = raw.tree
    analysis = prepared.analysis
    if prepared.shape_errors:
        raise_collected([*prepared.schema_errors, *prepared.shape_errors])
    ev = Evaluator(raw.path, base_context(variant, subdir, dict(raw.environ)))
    evaluate_context(ev, tree)
    top = ev.mapping(_without(tree, ("context", "outputs")))
    errors = list(prepared.schema_errors)
    outputs_raw = tree.get("outputs")
    try:
        if outputs_raw is None:
            specs = [_spec(ev, top, variant, keys, analysis.top, top)]
        else:
            specs = _multi(ev, top, outputs_raw, raw.path, variant, analysis, keys, errors)
    except RecipeError:
        if not ev.errors:
            raise
        # A template that failed left an empty value (a "missing" name or version): the
        # template errors are the cause, report those.
        specs = []
    raise_collected(errors + ev.errors)
    return [s for s in specs if s is not None]


def _without(tree: YDict, keys: tuple[str, ...]) -> YDict:
    out = YDict({k: v for k, v in tree.items() if k not in keys})
    out.line, out.key_lines = tree.line, tree.key_lines
    return out


def _multi(
    ev: Evaluator,
    top: YDict,
    outputs_raw: Any,
    path: str,
    variant: Mapping[str, Any],
    analysis: Analysis,
    keys: set[str],
    errors: list[CflError],
) -> list[OutputSpec | None]:
    if not isinstance(outputs_raw, list):
        errors.append(
            RecipeError(
                "outputs must be a list",
                Location(path, getattr(outputs_raw, "line", None)),
                hint="start each output with `- package: {name: ...}`",
            )
        )
        return []
    recipe = top.get("recipe") or top.get("package") or {}
    specs: list[OutputSpec | None] = []
    stagings: dict[str, Any] = {}
    index = 0
    top_accessed = set(ev.accessed)
    staging_accessed: dict[str, set[str]] = {}
    for item in outputs_raw:
        # each output's used keys: what the top level and its own section looked up
        ev.accessed.clear()
        ev.accessed.update(top_accessed)
        output = ev.mapping(item) if isinstance(item, dict) else YDict()
        if isinstance(output.get("staging"), dict):
            stagings[str(output["staging"].get("name"))] = output
            staging_accessed[str(output["staging"].get("name"))] = set(ev.accessed)
            continue
        usage = analysis.top.merged(analysis.outputs[index])
        index += 1
        inherit = output.get("inherit")
        inherit_name = inherit.get("from") if isinstance(inherit, dict) else inherit
        if inherit_name:
            if str(inherit_name) not in stagings:
                errors.append(
                    RecipeError(
                        f"output inherits from unknown staging {inherit_name!r}",
                        Location(path, output.line_of("inherit")),
                        hint="define `- staging: {name: ...}` before the outputs that inherit it",
                    )
                )
            else:
                usage = usage.merged(analysis.staging.get(str(inherit_name), Usage()))
                ev.accessed.update(staging_accessed.get(str(inherit_name), set()))
                # the cache's bare build/host names count for what inherits it
                ev.accessed.update(_bare(stagings[str(inherit_name)].get("requirements") or {}))
        merged = _merge_top(top, output, recipe)
        spec = _spec(ev, merged, variant, keys, usage, output)
        if spec is not None and inherit_name and str(inherit_name) in stagings:
            spec.staging = str(inherit_name)
            spec.meta["staging"] = _staging_section(stagings[str(inherit_name)], variant)
        specs.append(spec)
    return specs


def _staging_section(section: Mapping[str, Any], variant: Mapping[str, Any]) -> dict[str, Any]:
    """The staging output as its shared build reads it: bare names take the variant's pins."""
    out = dict(section)
    reqs = section.get("requirements")
    if isinstance(reqs, dict):
        out["requirements"] = {
            env: fill_bare([normalize(str(s)) for s in reqs.get(env) or [] if s], variant)
            for env in ("build", "host")
        }
    out["name"] = str((section.get("staging") or {}).get("name") or "")
    return out


def _script_text(script: Any) -> str | None:
    """Inline commands as text; a ``script:`` mapping (file/content/interpreter/env/cwd) stays
    in ``build`` for the build stage to read."""
    if isinstance(script, dict):
        return None
    if isinstance(script, list):
        return "\n".join(str(s) for s in script if s is not None)
    return str(script) if script else None


def _merge_top(top: YDict, output: YDict, recipe: Mapping[str, Any]) -> YDict:
    merged = YDict(output)
    merged.line, merged.key_lines = output.line, output.key_lines
    for key in _MERGED_SECTIONS:
        base, own = top.get(key), output.get(key)
        if isinstance(base, dict) and isinstance(own, dict):
            merged[key] = {**base, **own}
        elif own is None and base is not None:
            merged[key] = base
    package = dict(output.get("package") or {})
    package.setdefault("version", recipe.get("version"))
    merged["package"] = package
    return merged


def _skipped(ev: Evaluator, build: Mapping[str, Any]) -> bool:
    """``build.skip`` is a condition or a list of them (any true skips the variant)."""
    skip = build.get("skip")
    if skip is None:
        return False
    items = skip if isinstance(skip, list) else [skip]
    line = line_of(build, "skip")
    return any(ev.condition(item, line) for item in items if item is not None)


# rattler-build's ALWAYS_INCLUDED_VARS (recipe/stage0 evaluation): these are in every variant
# and hash whether or not the recipe names them.
_ALWAYS_USED = ("target_platform", "channel_targets", "channel_sources")


def _always_used(variant: Mapping[str, Any], context: Mapping[str, Any]) -> set[str]:
    keys = {"target_platform"} | {k for k in _ALWAYS_USED if k in variant}
    # rattler-build puts the deployment target of an osx build in its variant (it sets
    # MACOSX_DEPLOYMENT_TARGET for the build environment from it).
    if context.get("osx") and "MACOSX_DEPLOYMENT_TARGET" in variant:
        keys.add("MACOSX_DEPLOYMENT_TARGET")
    return keys


def _bare(reqs: Mapping[str, Any]) -> set[str]:
    """Bare build/host names, also under their normalized key (``lz4-c`` -> ``lz4_c``)."""
    return {
        name
        for env in ("build", "host")
        for spec in reqs.get(env) or []
        if isinstance(spec, str) and len(spec.split()) == 1
        for name in (spec.lower(), spec.lower().replace("-", "_"))
    }


def _used_keys(
    ev: Evaluator, reqs: Mapping[str, list[str]], usage: Usage, keys: set[str]
) -> set[str]:
    """rattler-build's used variables for one output of one variant: the names its templates
    and conditions looked up (a ``context:`` entry shadows a variant key of the same name),
    the bare build/host names after ``if:`` selection (also those a template produced, as
    ``${{ mpi }}`` -> ``mpich``, read through its normalized key ``lz4-c`` -> ``lz4_c``) and
    ``use_keys``, minus ``ignore_keys``."""
    used = (ev.accessed - ev.defined) | usage.use_keys | _bare(reqs)
    return (used & keys) - usage.ignore_keys


def _spec(
    ev: Evaluator,
    section: YDict,
    variant: Mapping[str, Any],
    keys: set[str],
    usage: Usage,
    where_src: YDict,
) -> OutputSpec | None:
    where = Location(
        ev.path, where_src.line_of("package") if isinstance(where_src, YDict) else None
    )
    package = section.get("package") or {}
    build = section.get("build") or {}
    if not isinstance(package, dict) or not package.get("name"):
        raise RecipeError("package/name is missing", where, hint="add `package: {name: ...}`")
    if not package.get("version"):
        raise RecipeError("package/version is missing", where, hint="add `version:` under package")
    if _skipped(ev, build):
        return None
    reqs_raw = section.get("requirements") or {}
    reqs = {
        ours: [str(x) for x in reqs_raw.get(theirs) or [] if x not in (None, "")]
        for ours, theirs in _SECTIONS.items()
    }
    pending = take_pending_pins(reqs)
    reqs = {section: [normalize(spec) for spec in specs] for section, specs in reqs.items()}
    used = _used_keys(ev, reqs, usage, keys)
    noarch = build.get("noarch")
    # Bare names take the values of the keys in the hash; noarch: python hashes no python.
    fill = {
        k: variant[k] for k in used if k in variant and not (k == "python" and noarch == "python")
    }
    for env in ("build", "host"):
        reqs[env] = fill_bare(reqs[env], fill)
    ignore = reqs_raw.get("ignore_run_exports") or {}
    number = _build_number(build, where)
    script = build.get("script")
    return OutputSpec(
        name=str(package["name"]),
        version=str(package["version"]),
        build_number=number,
        requirements=reqs,
        used=set(used) | _always_used(variant, ev.context),
        location=where,
        string=None if build.get("string") in (None, "") else str(build["string"]),
        noarch=str(noarch) if noarch else None,
        script=_script_text(script),
        run_exports=reqs_raw.get("run_exports"),
        ignore_run_exports=IgnoreRunExports(
            tuple(map(str, ignore.get("by_name") or [])),
            tuple(map(str, ignore.get("from_package") or [])),
        ),
        meta={
            k: section.get(k)
            for k in ("source", "tests", "about", "build", "extra")
            if section.get(k) is not None
        },
        exact_pins=set(usage.exact_pins),
        pending_pins=pending,
        lines=_lines(where_src, section, build),
    )


def _build_number(build: Mapping[str, Any], where: Location) -> int:
    value = build.get("number")
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value)
    if value is None:
        number = 0
    if number is None or number < 0:
        line = key_line(build, "number")
        raise RecipeError(
            f"build/number must be a non-negative integer, got {value!r}",
            Location(where.file, line) if line else where,
            hint="write e.g. `number: 0`; bump it for a rebuild of the same version",
        )
    return number


def _lines(own: YDict, section: YDict, build: Any) -> dict[str, int | None]:
    """Lines of the package name, version and build string keys (the output's own first)."""
    own_package, package = own.get("package"), section.get("package")
    return {
        "name": key_line(own_package, "name") or key_line(package, "name"),
        "version": key_line(own_package, "version") or key_line(package, "version"),
        "string": key_line(own.get("build"), "string") or key_line(build, "string"),
    }
