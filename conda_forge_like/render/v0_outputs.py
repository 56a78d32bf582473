"""conda-build's outputs of one rendered meta.yaml variant: the top-level package or each
``outputs:`` entry, with its requirements, pins, scripts and tests (tree -> ``OutputSpec``).

Split from ``v0``, which renders the text into the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import lazy, platforms, yamlio
from ..errors import CflError, Location, RecipeError, raise_collected
from ..recipe import SCRIPT_FILE_RE, v0
from ..recipe.model import RawRecipe
from ..records import dataclass
from ..variants.config import VariantConfig
from . import v0_keys
from .model import TOP_LEVEL, IgnoreRunExports, PendingPin
from .outputs import OutputSpec, fill_bare_requirements, spec_name, take_pending_pins
from .pins import apply_pin, ensure_valid_spec


@dataclass(frozen=True)
class Scope:
    """What every output of one variant is rendered against."""

    raw: RawRecipe
    selected: str
    variant: Mapping[str, Any]
    candidates: frozenset[str] | set[str]
    config: VariantConfig
    subdir: str

    @property
    def path(self) -> str:
        return self.raw.path


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "on")
    return bool(value)


def mapping_section(tree: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    value = tree.get(key) or {}
    if not isinstance(value, dict):
        line = tree.line_of(key) if isinstance(tree, yamlio.YDict) else None
        raise RecipeError(
            f"section {key!r} must be a mapping",
            Location(path, line),
            hint=f"write `{key}:` followed by indented `key: value` lines",
        )
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


_XX_RE = lazy.regex(r"^([0-9a-zA-Z.\-_]+)\s+x\.x$")


def _fill_xx(specs: list[str], variant: Mapping[str, Any]) -> list[str]:
    """Legacy ``numpy x.x`` in build/host takes the variant's version (``numpy 2.0.*``)."""
    out = []
    for spec in specs:
        match = _XX_RE.match(spec)
        value = variant.get(match.group(1)) if match else None
        out.append(ensure_valid_spec(f"{match.group(1)} {value}") if match and value else spec)
    return out


def _requirements(
    raw: Any, where: Location, scope: Scope, noarch: str | None
) -> tuple[dict[str, list[str]], bool, list[PendingPin]]:
    """The four requirement lists, whether a host section exists (conda-build's is_cross) and
    the ``pin_compatible`` pins the host environment decides."""
    if isinstance(raw, list):  # an output's `requirements: [a, b]` means run
        raw = {"run": raw}
    raw = raw or {}
    reqs = {
        section: _spec_list(raw.get(section), where, section)
        for section in ("build", "host", "run", "run_constrained")
    }
    reqs["run_constrained"] += _spec_list(raw.get("run_constraints"), where, "run_constraints")
    pending = take_pending_pins(reqs)
    for env in ("build", "host"):
        reqs[env] = fill_bare_requirements(_fill_xx(reqs[env], scope.variant), scope.variant)
    has_host = "host" in raw
    reqs["run"] = _pin_run_as_build(reqs, scope, noarch, has_host)
    return reqs, has_host, pending


def _pin_run_as_build(
    reqs: Mapping[str, list[str]], scope: Scope, noarch: str | None, has_host: bool
) -> list[str]:
    """A bare run dependency that is also in host takes a range from ``pin_run_as_build``;
    ``numpy x.x`` takes ``x.x`` bounds. ``noarch`` packages keep ``python`` bare."""
    variant, pins = scope.variant, scope.config.pin_run_as_build
    host = {spec_name(s) for s in (reqs["host"] if has_host else reqs["build"])}
    out = []
    for spec in reqs["run"]:
        name = spec_name(spec)
        pin = pins.get(name) or pins.get(name.replace("-", "_"))
        value = variant.get(name, variant.get(name.replace("-", "_")))
        if name == "python" and noarch:
            pin = None
        if spec == name and name in host and pin and value is not None:
            spec = f"{name} {apply_pin(str(value).split()[0], **_pin_kwargs(pin))}"
        elif name == "numpy" and spec.endswith(" x.x") and value is not None:
            spec = f"numpy {apply_pin(str(value).split()[0], 'x.x', 'x.x')}"
        out.append(spec)
    return out


def _pin_kwargs(pin: Mapping[str, str]) -> dict[str, str]:
    return {
        "min_pin": str(pin.get("min_pin", "x.x.x.x.x.x")),
        "max_pin": str(pin.get("max_pin", "x")),
    }


def output_specs(tree: Mapping[str, Any], scope: Scope) -> list[OutputSpec]:
    path = scope.path
    package = mapping_section(tree, "package", path)
    build = mapping_section(tree, "build", path)
    where = Location(path, (tree.line_of("package") if isinstance(tree, yamlio.YDict) else 0) or 1)
    top_name = str(package.get("name") or "")
    version = str(package.get("version") or "")
    outputs = tree.get("outputs") or []
    errors: list[CflError] = []
    if not top_name and not outputs:
        errors.append(
            RecipeError("package/name is missing", where, hint="add `name:` under `package:`")
        )
    if not version and not (outputs and all(_has_version(o) for o in as_list(outputs))):
        errors.append(
            RecipeError("package/version is missing", where, hint="add `version:` under `package:`")
        )
    if outputs and not isinstance(outputs, list):
        errors.append(
            RecipeError(
                "outputs must be a list",
                Location(path, yamlio.line_of(tree, "outputs")),
                hint="start each output with `- name: ...`",
            )
        )
    raise_collected(errors)
    if not outputs:
        section = v0_keys.Section(scope.raw, scope.selected, None, True)
        lines = _lines(package, package, build)
        spec = _output_spec(tree, top_name, version, build, scope, section, where, lines)
        # conda-build runs the recipe's run_test.sh only for the top-level package.
        spec.meta[TOP_LEVEL] = True
        return [spec]
    return _output_specs(tree, outputs, top_name, version, build, scope)


def has_name(out: Any) -> bool:
    return isinstance(out, dict) and bool(out.get("name"))


def _lines(names: Any, package: Any, build: Any) -> dict[str, int | None]:
    """Lines of the keys a package's file name is made of, for errors about their values."""
    return {
        "name": yamlio.key_line(names, "name"),
        "version": yamlio.key_line(names, "version") or yamlio.key_line(package, "version"),
        "string": yamlio.key_line(build, "string"),
    }


def _has_version(out: Any) -> bool:
    return isinstance(out, dict) and bool(out.get("version"))


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _output_specs(
    tree: Mapping[str, Any],
    outputs: list[Any],
    top_name: str,
    version: str,
    build: Mapping[str, Any],
    scope: Scope,
) -> list[OutputSpec]:
    specs = []
    errors: list[CflError] = []
    top_build = _top_level_build(tree, top_name, build, scope)
    for index, out in enumerate(outputs):
        line = outputs.line_of(index) if isinstance(outputs, yamlio.YList) else None
        if not isinstance(out, dict) or not out.get("name"):
            errors.append(
                RecipeError(
                    "every output needs a name",
                    Location(scope.path, line),
                    hint="start the output with `- name: <package name>`",
                )
            )
            continue
        merged = dict(out)
        same = out["name"] == top_name
        if isinstance(out.get("requirements"), list):  # `requirements: [a, b]` means run
            merged["requirements"] = {"run": out["requirements"]}
        if tree.get("source") is not None and out.get("source") is None:
            merged["source"] = tree["source"]  # conda-build: every output builds in one work dir
        for key in ("about", "extra"):
            # metadata.py get_output_metadata: an output starts as a copy of the top level;
            # its own `about:` replaces the top-level one (extra gains parent_recipe)
            if out.get(key) is None and tree.get(key) is not None:
                merged[key] = tree[key]
        if same:  # conda-build merges the top level into a same-named output
            for key in ("requirements", "build", "about"):
                base, own = tree.get(key) or {}, merged.get(key) or {}
                if isinstance(base, dict) and isinstance(own, dict):
                    merged[key] = {**base, **own}
            if isinstance(merged.get("build"), dict) and "script" not in (out.get("build") or {}):
                # build.py bundle_conda: the top-level build/script is not re-run for an output
                # named like the top-level recipe; it ran once as the top-level build.
                merged["build"] = {k: v for k, v in merged["build"].items() if k != "script"}
        own_build = merged.get("build") or {}
        if not isinstance(own_build, dict):
            errors.append(
                RecipeError(
                    f"outputs/{out['name']}/build must be a mapping",
                    Location(scope.path, line),
                    hint="write `build:` followed by indented `key: value` lines",
                )
            )
            continue
        out_build = {**{k: build[k] for k in ("number",) if k in build}, **own_build}
        if truthy(own_build.get("skip")):
            continue  # conda-build drops an output whose own build section says skip
        section = v0_keys.Section(scope.raw, scope.selected, index, same)
        where = Location(scope.path, line)
        try:
            _check_script_file(out, scope)
            lines = _lines(out, tree.get("package"), own_build)
            spec = _output_spec(
                merged, str(out["name"]), str(out.get("version") or version), out_build,
                scope, section, where, lines,
            )  # fmt: skip
            spec.staging = top_name or "top-level"
            spec.meta["staging"] = top_build
            spec.meta["output"] = {"files": out.get("files"), "same_name": same}
            specs.append(spec)
        except CflError as exc:
            errors.append(exc)
    raise_collected(errors)
    return specs


def _top_level_build(
    tree: Mapping[str, Any], top_name: str, build: Mapping[str, Any], scope: Scope
) -> dict[str, Any]:
    """What the outputs of a meta.yaml share: conda-build's top-level build (build.py,
    ``build()``) runs the recipe's build script once with the top-level requirements, in a
    work directory every output's script then runs in."""
    where = Location(scope.path, yamlio.line_of(tree, "requirements") or 1)
    reqs, _, _ = _requirements(tree.get("requirements"), where, scope, None)
    return {
        "name": top_name,
        "requirements": {"build": reqs["build"], "host": reqs["host"]},
        "build": {"script": build.get("script")},
        "source": tree.get("source"),
        "fallback_script": True,  # the build.sh beside meta.yaml is the top-level script
    }


def _script_file(value: Any) -> str | None:
    """``build_lib.sh``: an output's ``script:`` that names a file in the recipe folder."""
    return value if isinstance(value, str) and SCRIPT_FILE_RE.match(value.strip()) else None


def _check_script_file(out: Mapping[str, Any], scope: Scope) -> None:
    """conda-build runs an output's ``script: build_lib.sh`` from the recipe folder: the file
    must be there (``load`` read every script file the recipe names)."""
    name = _script_file(out.get("script"))
    if name is None or name in dict(scope.raw.scripts):
        return
    line = out.line_of("script") if isinstance(out, yamlio.YDict) else None
    raise RecipeError(
        f"output {out.get('name')!r}: script {name!r} is not a file in the recipe folder "
        f"{scope.raw.recipe_dir}",
        Location(scope.path, line),
        hint="add the file beside the recipe, or write the commands as a list under "
        "`build: script:`",
    )


def _script_keys(section: Mapping[str, Any], scope: Scope, keys: set[str]) -> set[str]:
    """Keys an output's script file uses (conda-build's ``_get_used_vars_output_script``)."""
    name = _script_file(section.get("script"))
    text = dict(scope.raw.scripts).get(name or "")
    if name is None or text is None:
        return set()
    if name.endswith(".sh"):
        return v0.used_in_script(text, keys, "sh")
    if name.endswith(".bat") and platforms.info(scope.subdir).os == "win":
        return v0.used_in_script(text, keys, "bat")
    return set()


def _build_number(build: Mapping[str, Any], where: Location) -> int:
    try:
        number = int(build.get("number") or 0)
        if number < 0:
            raise ValueError(number)
        return number
    except (TypeError, ValueError) as exc:
        raise RecipeError(
            f"build/number must be a non-negative integer, got {build.get('number')!r}",
            where,
            hint="write e.g. `number: 0`; bump it for a rebuild of the same version",
        ) from exc


def _output_spec(
    section: Mapping[str, Any],
    name: str,
    version: str,
    build: Mapping[str, Any],
    scope: Scope,
    text: v0_keys.Section,
    where: Location,
    lines: dict[str, int | None],
) -> OutputSpec:
    if isinstance(section, yamlio.YDict) and isinstance(section.get("build"), yamlio.YDict):
        number_where = Location(scope.path, section["build"].line_of("number"))
    else:
        number_where = where
    number = _build_number(build, number_where)
    noarch = str(build["noarch"]) if build.get("noarch") else None
    reqs, has_host, pending = _requirements(section.get("requirements"), where, scope, noarch)
    xx = v0_keys.numpy_xx(text)
    keys = set(scope.variant) | {"target_platform"}
    used = v0_keys.used_keys(text, keys, scope.subdir, build)
    if text.index is not None:
        used |= _script_keys(section, scope, keys) - _as_set(build.get("force_ignore_keys"))
    used &= set(scope.candidates) | _as_set(build.get("force_use_keys"))
    if xx:
        used.discard("numpy")  # conda-build: the np prefix carries it, not the hash
    explicit = None if build.get("string") in (None, "") else str(build["string"])
    features = [str(f) for f in build.get("features") or []]
    template = v0_keys.build_string_template(
        reqs, scope.variant, number, noarch, xx, features, has_host
    )
    ignore = IgnoreRunExports(
        tuple(str(s) for s in build.get("ignore_run_exports") or []),
        tuple(str(s) for s in build.get("ignore_run_exports_from") or []),
    )
    script = section.get("script") or build.get("script")
    return OutputSpec(
        name=name,
        version=version,
        build_number=number,
        requirements=reqs,
        used=used,
        location=where,
        string=explicit or template,
        noarch=noarch,
        script="\n".join(str(s) for s in script if s is not None)
        if isinstance(script, list)
        else script,
        run_exports=build.get("run_exports") or section.get("run_exports"),
        ignore_run_exports=ignore,
        pending_pins=pending,
        lines=lines,
        meta={
            k: section.get(k)
            for k in ("source", "test", "about", "build", "extra")
            if section.get(k) is not None
        },
    )


def _as_set(value: Any) -> set[str]:
    if not value:
        return set()
    return {str(v) for v in (value if isinstance(value, list) else [value])}
