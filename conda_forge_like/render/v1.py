"""Render a recipe.yaml (v1) for one variant: context, ``${{ }}`` values, ``if/then/else`` items.

``render_variant(raw, variant, "linux-64", prepare(raw), keys)`` -> ``[OutputSpec, ...]``. The
YAML was parsed once (``RawRecipe.tree``) and ``prepare`` analyses it once; here it is only
evaluated. Every template error is collected with its line and raised together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from .. import platforms, templating
from ..errors import CflError, Location, RecipeError, raise_collected
from ..recipe import microarch, schema, shapes
from ..recipe.model import RawRecipe
from ..recipe.v1 import Analysis, Usage, analyze
from ..yamlio import YDict, YList, key_line, line_of
from . import v1_functions
from .context import Functions
from .model import IgnoreRunExports
from .outputs import HASH_MARK, OutputSpec, take_pending_pins
from .specs import fill_bare, normalize

_MERGED_SECTIONS = ("build", "about", "source", "extra")
# cfl's requirement sections and the recipe.yaml keys they are read from.
_SECTIONS = {"build": "build", "host": "host", "run": "run", "run_constrained": "run_constraints"}


class _Tracked(dict[str, Any]):
    """A context that records the names templates look up: rattler-build decides the used
    variant keys from the variables its Jinja accessed while evaluating (stage0 -> stage1),
    so a key met only in an ``if:`` branch not taken is not used."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.accessed: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.accessed.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.accessed.add(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed.add(key)
        return super().get(key, default)


class _Evaluator:
    """Evaluates one tree for one context, collecting errors instead of stopping."""

    def __init__(self, path: str, context: dict[str, Any]):
        self.path = path
        self.context = context
        self.errors: list[CflError] = []
        self.defined: set[str] = set()  # names the recipe's context: section defines

    @property
    def accessed(self) -> set[str]:
        return self.context.accessed if isinstance(self.context, _Tracked) else set()

    def error(self, exc: Exception, line: int | None, what: str) -> None:
        message = str(exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else exc)
        if isinstance(exc, jinja2.UndefinedError):
            name = templating.undefined_name(exc)
            self.errors.append(
                RecipeError(
                    f"undefined variable {name!r} in {what}",
                    Location(self.path, line),
                    hint=templating.misspelled_function([name], self.context)
                    or "define it under `context:`, add it to variants.yaml, or check the spelling",
                )
            )
        elif isinstance(exc, RecipeError):
            hint = exc.hint or "check the expression's syntax"
            self.errors.append(
                RecipeError(f"cannot evaluate {what}: {message}", Location(self.path, line), hint)
            )
        else:
            self.errors.append(templating.failure(exc, Location(self.path, line), what))

    def string(self, text: str, line: int | None) -> Any:
        if "${{" not in text:
            return text
        try:
            return templating.render_value(text, self.context)
        except (*templating.FAILURES, RecipeError) as exc:
            self.error(exc, line, f"`{text.strip()}`")
            return ""

    def condition(self, expr: Any, line: int | None) -> bool:
        if isinstance(expr, bool):
            return expr
        try:
            return bool(templating.evaluate(str(expr), self.context))
        except (*templating.FAILURES, RecipeError) as exc:
            self.error(exc, line, f"condition `if: {expr}`")
            return False

    def value(self, value: Any, line: int | None) -> Any:
        if isinstance(value, str):
            return self.string(value, line)
        if isinstance(value, dict):
            return self.mapping(value)
        if isinstance(value, list):
            return self.sequence(value, line)
        return value

    def mapping(self, value: dict[str, Any]) -> YDict:
        out = YDict()
        out.line = getattr(value, "line", 0)
        out.key_lines = dict(getattr(value, "key_lines", {}))
        for key, item in value.items():
            line = value.line_of(key) if isinstance(value, YDict) else None
            out[key] = self.script(item, line) if key == "script" else self.value(item, line)
        return out

    def script(self, value: Any, line: int | None) -> Any:
        """Scripts may hold `${{ }}` meant for build time: keep the text when it does not
        evaluate now (rattler-build keeps scripts unrendered)."""
        errors = self.errors
        self.errors = []
        try:
            result = self.value(value, line)
            return value if self.errors else result
        finally:
            self.errors = errors

    def sequence(self, value: list[Any], line: int | None) -> YList:
        out = YList()
        out.line = getattr(value, "line", line or 0)
        out.item_lines = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, YList) else line
            if isinstance(item, dict) and "if" in item:
                branch = (
                    item.get("then") if self.condition(item["if"], item_line) else item.get("else")
                )
                chosen = (
                    branch if isinstance(branch, list) else ([] if branch is None else [branch])
                )
                for sub in chosen:
                    out.append(self.value(sub, item_line))
                    out.item_lines.append(item_line or 0)
            else:
                out.append(self.value(item, item_line))
                out.item_lines.append(item_line or 0)
        return out


def base_context(
    variant: Mapping[str, Any], subdir: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    ctx: dict[str, Any] = dict(templating.ENV_V1.globals)  # templates run over ctx, shared
    ctx.update(platforms.namespace(subdir))
    ctx.update(match=v1_functions.match, env=v1_functions.Env(environ or {}))
    ctx["host_platform"] = subdir
    ctx["hash"] = HASH_MARK
    # rattler-build's `${{ PYTHON }}`: the build script's own variable, expanded by the shell
    ctx["PYTHON"] = "%PYTHON%" if subdir.startswith("win-") else "$PYTHON"
    ctx.update(variant)
    tracked = _Tracked(ctx)
    # compiler('c') reads c_compiler/_version from the variant: those reads count as uses
    reads = _Reads(variant, tracked.accessed)
    tracked.update(Functions(reads, subdir, v1=True).as_context())
    tracked.accessed.clear()
    return tracked


class _Reads(Mapping[str, Any]):
    """A read-only view of the variant that records the keys read into ``accessed``."""

    def __init__(self, variant: Mapping[str, Any], accessed: set[str]):
        self._variant, self._accessed = variant, accessed

    def __getitem__(self, key: str) -> Any:
        self._accessed.add(key)
        return self._variant[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._variant)

    def __len__(self) -> int:
        return len(self._variant)


def evaluate_context(ev: _Evaluator, tree: Mapping[str, Any]) -> None:
    """``context:`` values in order; each may use the variant and earlier context values."""
    context = tree.get("context") or {}
    if not isinstance(context, dict):
        ev.errors.append(
            RecipeError(
                "context must be a mapping",
                Location(ev.path, line_of(tree, "context")),
                hint="write `context:` followed by indented `name: value` lines",
            )
        )
        return
    for key, value in context.items():
        line = context.line_of(key) if isinstance(context, YDict) else None
        ev.context[str(key)] = ev.value(value, line)
        ev.defined.add(str(key))


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
    ev = _Evaluator(raw.path, base_context(variant, subdir, dict(raw.environ)))
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
    ev: _Evaluator,
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


def _skipped(ev: _Evaluator, build: Mapping[str, Any]) -> bool:
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
    ev: _Evaluator, reqs: Mapping[str, list[str]], usage: Usage, keys: set[str]
) -> set[str]:
    """rattler-build's used variables for one output of one variant: the names its templates
    and conditions looked up (a ``context:`` entry shadows a variant key of the same name),
    the bare build/host names after ``if:`` selection (also those a template produced, as
    ``${{ mpi }}`` -> ``mpich``, read through its normalized key ``lz4-c`` -> ``lz4_c``) and
    ``use_keys``, minus ``ignore_keys``."""
    used = (ev.accessed - ev.defined) | usage.use_keys | _bare(reqs)
    return (used & keys) - usage.ignore_keys


def _spec(
    ev: _Evaluator,
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
