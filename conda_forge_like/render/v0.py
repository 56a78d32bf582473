"""Render a meta.yaml (v0) for one variant: selectors, Jinja, selectors again, YAML, outputs.

``render_variant(raw, variant, "linux-64", config, used)`` -> ``[OutputSpec, ...]`` (empty when
``build: skip: true``). The only I/O is ``load_file_regex``/``load_file_data`` if the recipe
calls them.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Mapping
from typing import Any

from .. import platforms, yamlio
from ..errors import CflError, Location, RecipeError, raise_collected
from ..recipe import schema, selectors, v0
from ..recipe.model import RawRecipe
from ..variants.config import VariantConfig
from .context import Functions
from .files import make_helpers
from .model import IgnoreRunExports
from .outputs import OutputSpec, fill_bare_requirements, spec_name
from .pins import apply_pin


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
    if value is None:
        return None
    parts = str(value).split(".")[:2]
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
    """Every output this variant produces; all recipe problems are raised together."""
    environ = dict(raw.environ)
    full = {**config.first(), **variant}
    ns = selector_namespace(full, subdir, environ)
    errors: list[CflError] = []
    text, errs = v0.apply_selectors(raw.text, ns, raw.path)
    errors += errs
    raise_collected(errors)
    functions = Functions(full, subdir)
    ctx: dict[str, Any] = {**ns, **full}
    ctx.update(functions.as_context(), datetime=datetime, time=time, environ=environ)
    ctx.update(make_helpers(raw.recipe_dir))
    rendered = _render_jinja(text, raw.path, ctx)
    rendered, errs = v0.apply_selectors(rendered, ns, raw.path)
    errors += errs
    tree = yamlio.load(rendered, raw.path) or yamlio.YDict()
    if not isinstance(tree, dict):
        raise RecipeError("a meta.yaml must be a mapping", Location(raw.path, 1))
    errors += schema.check_keys(tree, schema.V0_SCHEMA, raw.path)
    raise_collected(errors)
    if _truthy(_section(tree, "build", raw.path).get("skip")):
        return []
    return _outputs(tree, raw.path, full, used, config)


def _render_jinja(text: str, path: str, ctx: Mapping[str, Any]) -> str:
    from ..templating import render_text

    return render_text(text, path, ctx)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return bool(value)


def _section(tree: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    value = tree.get(key) or {}
    if not isinstance(value, dict):
        line = tree.line_of(key) if isinstance(tree, yamlio.YDict) else None
        raise RecipeError(f"section {key!r} must be a mapping", Location(path, line))
    return value


def _spec_list(value: Any, where: Location, section: str) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if item is None or item == "":
            continue
        if isinstance(item, dict):
            raise RecipeError(
                f"requirements/{section} entries must be strings, not mappings",
                where,
                hint="write a match spec such as `zlib >=1.2`",
            )
        out.append(" ".join(str(item).split()))
    return out


def _requirements(
    raw: Any, where: Location, variant: Mapping[str, Any], config: VariantConfig
) -> dict[str, list[str]]:
    if isinstance(raw, list):  # an output's `requirements: [a, b]` means run
        raw = {"run": raw}
    raw = raw or {}
    reqs = {
        section: _spec_list(raw.get(section), where, section)
        for section in ("build", "host", "run", "run_constrained")
    }
    reqs["run_constrained"] += _spec_list(raw.get("run_constraints"), where, "run_constraints")
    reqs["build"] = fill_bare_requirements(reqs["build"], variant)
    reqs["host"] = fill_bare_requirements(reqs["host"], variant)
    reqs["run"] = _pin_run_as_build(reqs, variant, config)
    return reqs


def _pin_run_as_build(
    reqs: Mapping[str, list[str]], variant: Mapping[str, Any], config: VariantConfig
) -> list[str]:
    """A bare run dependency that is also in host takes a range from ``pin_run_as_build``."""
    host = {spec_name(s) for s in reqs["host"] or reqs["build"]}
    out = []
    for spec in reqs["run"]:
        name = spec_name(spec)
        pin = config.pin_run_as_build.get(name) or config.pin_run_as_build.get(
            name.replace("-", "_")
        )
        value = variant.get(name, variant.get(name.replace("-", "_")))
        if spec == name and name in host and pin and value is not None:
            bounds = apply_pin(
                str(value), pin.get("min_pin", "x.x.x.x.x.x"), pin.get("max_pin", "x")
            )
            spec = f"{name} {bounds}"
        out.append(spec)
    return out


def _outputs(
    tree: Mapping[str, Any],
    path: str,
    variant: Mapping[str, Any],
    used: set[str],
    config: VariantConfig,
) -> list[OutputSpec]:
    package = _section(tree, "package", path)
    build = _section(tree, "build", path)
    where = Location(path, tree.line_of("package") if isinstance(tree, yamlio.YDict) else None)
    top_name = str(package.get("name") or "")
    version = str(package.get("version") or "")
    outputs = tree.get("outputs") or []
    if not top_name and not outputs:
        raise RecipeError("package/name is missing", where, hint="add `package: {name: ...}`")
    if not version:
        raise RecipeError("package/version is missing", where, hint="add `version:` under package")
    if not outputs:
        return [_output_spec(tree, top_name, version, build, path, variant, used, config, None)]
    if not isinstance(outputs, list):
        raise RecipeError("outputs must be a list", Location(path, yamlio.line_of(tree, "outputs")))
    specs = []
    for index, out in enumerate(outputs):
        line = outputs.line_of(index) if isinstance(outputs, yamlio.YList) else None
        if not isinstance(out, dict) or not out.get("name"):
            raise RecipeError("every output needs a name", Location(path, line))
        merged = dict(out)
        if out["name"] == top_name:  # conda-build merges the top level into a same-named output
            for key in ("requirements", "build", "about"):
                merged[key] = {**(tree.get(key) or {}), **(out.get(key) or {})}
        out_build = {
            **{k: build[k] for k in ("number",) if k in build},
            **(merged.get("build") or {}),
        }
        specs.append(
            _output_spec(
                merged,
                str(out["name"]),
                str(out.get("version") or version),
                out_build,
                path,
                variant,
                used,
                config,
                line,
            )
        )
    return specs


def _output_spec(
    section: Mapping[str, Any],
    name: str,
    version: str,
    build: Mapping[str, Any],
    path: str,
    variant: Mapping[str, Any],
    used: set[str],
    config: VariantConfig,
    line: int | None,
) -> OutputSpec:
    where = Location(path, line)
    noarch = build.get("noarch")
    own_used = set(used) - ({"target_platform"} if noarch else set())
    try:
        number = int(build.get("number") or 0)
    except (TypeError, ValueError) as exc:
        raise RecipeError(
            f"build/number must be an integer, got {build.get('number')!r}", where
        ) from exc
    ignore = IgnoreRunExports(
        tuple(str(s) for s in build.get("ignore_run_exports") or []),
        tuple(str(s) for s in build.get("ignore_run_exports_from") or []),
    )
    script = section.get("script") or build.get("script")
    return OutputSpec(
        name=name,
        version=version,
        build_number=number,
        requirements=_requirements(section.get("requirements"), where, variant, config),
        used=own_used,
        location=where,
        string=str(build["string"]) if build.get("string") else None,
        noarch=str(noarch) if noarch else None,
        script="\n".join(script) if isinstance(script, list) else script,
        run_exports=build.get("run_exports") or section.get("run_exports"),
        ignore_run_exports=ignore,
        meta={
            k: section.get(k)
            for k in ("source", "test", "about", "build", "extra")
            if section.get(k) is not None
        },
    )
