"""The format-neutral middle of rendering: ``OutputSpec`` -> ``RenderedRecipe``.

Both recipe formats turn one variant into ``OutputSpec`` objects (plain data, pins still as
markers); ``finalize`` computes build strings the way each format's reference tool does and
resolves ``pin_subpackage`` markers once every sibling output is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import CflError, Location, RecipeError, raise_collected
from ..records import dataclass, field
from ..variants import hashing
from . import identity
from .context import PIN_RE, resolve_pins, take_compatible_pins
from .model import IgnoreRunExports, PendingPin, RenderedRecipe, Requirements, RunExports

SECTIONS = ("build", "host", "run", "run_constrained")


@dataclass
class OutputSpec:
    """One output of one variant, rendered but not finalized."""

    name: str
    version: str
    build_number: int
    requirements: dict[str, list[str]]
    used: set[str]
    location: Location
    string: str | None = None  # an explicit build string (may contain a pin/hash marker)
    noarch: str | None = None
    script: str | None = None
    run_exports: Any = None
    ignore_run_exports: IgnoreRunExports = field(default_factory=IgnoreRunExports)
    meta: dict[str, Any] = field(default_factory=dict)
    staging: str | None = None
    exact_pins: set[str] = field(default_factory=set)
    pending_pins: list[PendingPin] = field(default_factory=list)
    lines: dict[str, int | None] = field(default_factory=dict)  # name/version/string key lines


def take_pending_pins(requirements: dict[str, list[str]]) -> list[PendingPin]:
    """Replace ``pin_compatible`` markers in every section by bare names; return their pins."""
    pins: list[PendingPin] = []
    for section, specs in requirements.items():
        requirements[section], found = take_compatible_pins(specs)
        pins += found
    return pins


def spec_name(spec: str) -> str:
    return spec.split()[0] if spec.split() else ""


def fill_bare_requirements(
    specs: list[str], variant: Mapping[str, Any], pin_run_as_build: Mapping[str, Any] | None = None
) -> list[str]:
    """``zlib`` with a variant value ``1.3`` -> ``zlib 1.3.*``: bare names take the variant pin."""
    out = []
    for spec in specs:
        parts = spec.split()
        key = parts[0].replace("-", "_") if parts else ""
        if len(parts) == 1 and not PIN_RE.search(spec):
            value = variant.get(parts[0], variant.get(key))
            if value is not None and not isinstance(value, bool):
                text = str(value)
                spec = (
                    f"{parts[0]} {text}" if " " in text or "*" in text else f"{parts[0]} {text}.*"
                )
        out.append(spec)
    return out


def _virtual_packages(run: list[str]) -> dict[str, str]:
    return {spec_name(spec): spec for spec in run if spec.startswith("__")}


HASH_MARK = "cflhash0000"
PKG_HASH_MARK = "cflpkghash00"  # conda-build's {{ PKG_HASH }} (render/v0_env.py)


class Flavor:
    """How a recipe format turns used keys into a hash input and a build string."""

    def contents(self, spec: OutputSpec, variant: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def build_string(
        self, spec: OutputSpec, variant: Mapping[str, Any], contents: Mapping[str, Any]
    ) -> str:
        raise NotImplementedError


class CondaBuildFlavor(Flavor):
    """meta.yaml: conda-build's hash contents and ``py312h1234567_0`` build strings."""

    def __init__(self, ignore_version: tuple[str, ...] = ()):
        self.ignore_version = ignore_version

    def contents(self, spec: OutputSpec, variant: Mapping[str, Any]) -> dict[str, Any]:
        """Used keys minus run-only deps and python/r/perl/lua keys, plus virtual packages."""
        reqs = spec.requirements
        build = {spec_name(s).replace("-", "_") for s in reqs.get("build", [])}
        host = {spec_name(s).replace("-", "_") for s in reqs.get("host", [])}
        run = {spec_name(s).replace("-", "_") for s in reqs.get("run", [])}
        used = {k for k in spec.used if not (k in run and k not in build and k not in host)}
        excludes = ["python", "r_base", "perl", "lua", *self.ignore_version]
        pattern = re.compile("|".join(rf"{re.escape(e)}[\s$]?.*" for e in excludes))
        used = {k for k in used if not pattern.match(k) or " " in str(variant.get(k, ""))}
        contents = (
            {} if used == {"target_platform"} else {k: variant[k] for k in used if k in variant}
        )
        contents.update(_virtual_packages(reqs.get("run", [])))
        return contents

    def build_string(
        self, spec: OutputSpec, variant: Mapping[str, Any], contents: Mapping[str, Any]
    ) -> str:
        """The hash goes where ``HASH_MARK`` stands (before ``_<number>``), as conda-build's
        ``build_id`` inserts it; no hash contents -> no hash (``py312_0``, ``0``). A build
        string the recipe wrote without the mark is kept as written."""
        digest = hashing.build_hash(contents) if contents else ""
        template = spec.string or f"{HASH_MARK}_{spec.build_number}"
        # `h{{ PKG_HASH }}`: conda-build's PKG_HASH is the digest without its `h`
        template = template.replace(PKG_HASH_MARK, digest[1:])
        if HASH_MARK not in template:
            return template
        string = template.replace(HASH_MARK, digest)
        return string[1:] if string.startswith("_") else string


class RattlerBuildFlavor(Flavor):
    """recipe.yaml: rattler-build hashes every used key plus target_platform and exact pins."""

    def contents(self, spec: OutputSpec, variant: Mapping[str, Any]) -> dict[str, Any]:
        contents = {k: variant[k] for k in spec.used if k in variant}
        # rattler-build puts virtual-package run requirements into the variant, keyed by name:
        # `__glibc >=2.17` -> {"__glibc": "__glibc >=2.17"}
        contents.update(_virtual_packages(list(spec.requirements.get("run", []))))
        if spec.noarch:
            contents["target_platform"] = "noarch"
            if spec.noarch == "python":
                contents.pop("python", None)
        return contents

    def build_string(
        self, spec: OutputSpec, variant: Mapping[str, Any], contents: Mapping[str, Any]
    ) -> str:
        digest = hashing.build_hash(contents)[1:]
        versions = {
            k: contents[k]
            for k in ("numpy", "python", "perl", "lua", "r-base", "r_base")
            if k in contents
        }
        prefix = "py" if spec.noarch == "python" else hashing.prefix(versions)
        if spec.string:  # `${{ hash }}` is the bare digest: no prefix, no `h`
            return spec.string.replace(HASH_MARK, digest)
        return f"{prefix}h{digest}_{spec.build_number}"


def _order(specs: list[OutputSpec]) -> list[OutputSpec]:
    """Outputs whose hash includes an exact pin come after the output they pin."""
    names = {s.name for s in specs}
    done: set[str] = set()
    ordered: list[OutputSpec] = []
    pending = list(specs)
    while pending:
        ready = [s for s in pending if not (s.exact_pins & names) - done - {s.name}]
        if not ready:
            cycle = ", ".join(s.name for s in pending)
            raise RecipeError(
                f"exact pin_subpackage cycle between outputs: {cycle}",
                pending[0].location,
                hint="an output's hash can include another's exact pin only one way round: "
                "drop exact=True from one of the pins",
            )
        for spec in ready:
            ordered.append(spec)
            done.add(spec.name)
            pending.remove(spec)
    return ordered


def finalize(
    specs: list[OutputSpec],
    variant: Mapping[str, Any],
    subdir: str,
    recipe_path: str,
    recipe_format: str,
    flavor: Flavor,
) -> list[RenderedRecipe]:
    """Compute hashes and build strings, then resolve pin markers across sibling outputs.

    Names, versions and build strings are checked here, before any stage makes a path of them.
    """
    errors: list[CflError] = []
    for spec in specs:
        errors += identity.check_name(spec.name, spec.lines, spec.location)
        errors += identity.check_version(spec.name, spec.version, spec.lines, spec.location)
    raise_collected(errors)
    known: dict[str, tuple[str, str]] = {}
    strings: dict[int, tuple[dict[str, Any], str]] = {}
    for spec in _order(specs):
        contents = flavor.contents(spec, variant)
        for pinned in sorted(spec.exact_pins):
            if pinned in known and pinned != spec.name:
                contents[pinned] = " ".join(known[pinned])
        string = flavor.build_string(spec, variant, contents)
        errors += identity.check_build_string(spec.name, string, spec.lines, spec.location)
        known[spec.name] = (spec.version, string)
        strings[id(spec)] = (contents, string)
    raise_collected(errors)
    return [
        _rendered(spec, *strings[id(spec)], known, variant, subdir, recipe_path, recipe_format)
        for spec in specs
    ]


def _rendered(
    spec: OutputSpec,
    contents: dict[str, Any],
    string: str,
    known: Mapping[str, tuple[str, str]],
    variant: Mapping[str, Any],
    subdir: str,
    recipe_path: str,
    recipe_format: str,
) -> RenderedRecipe:
    reqs = {
        section: [resolve_pins(s, known, spec.location) for s in spec.requirements.get(section, [])]
        for section in SECTIONS
    }
    return RenderedRecipe(
        name=spec.name,
        version=spec.version,
        build_number=spec.build_number,
        build_string=string,
        subdir="noarch" if spec.noarch else subdir,
        variant={k: variant[k] for k in sorted(spec.used) if k in variant},
        hash_input=hashing.hash_input(contents),
        requirements=Requirements(*(tuple(reqs[s]) for s in SECTIONS)),
        recipe_path=recipe_path,
        recipe_format=recipe_format,
        noarch=spec.noarch,
        script=spec.script,
        run_exports=_run_exports(spec.run_exports, known, spec.location),
        ignore_run_exports=spec.ignore_run_exports,
        meta=_with_staging_pins(spec.meta, known, spec.location),
        staging=spec.staging,
        pending_pins=tuple(spec.pending_pins),
    )


def _with_staging_pins(
    meta: dict[str, Any], known: Mapping[str, tuple[str, str]], where: Location
) -> dict[str, Any]:
    """The shared top-level build's requirements are specs too: resolve their pins."""
    staging = meta.get("staging")
    if not isinstance(staging, dict) or not isinstance(staging.get("requirements"), dict):
        return meta
    reqs = {
        section: [resolve_pins(str(s), known, where) for s in specs if isinstance(s, str)]
        for section, specs in staging["requirements"].items()
        if isinstance(specs, list)
    }
    return {**meta, "staging": {**staging, "requirements": reqs}}


def _run_exports(raw: Any, known: Mapping[str, tuple[str, str]], where: Location) -> RunExports:
    if not raw:
        return RunExports()
    if isinstance(raw, list):
        raw = {"weak": raw}
    if not isinstance(raw, dict):
        raise RecipeError(
            "run_exports must be a list or a mapping of weak/strong lists",
            where,
            hint="write `run_exports: [spec]` or `run_exports: {weak: [spec], strong: [spec]}`",
        )
    parts = {}
    for key in ("weak", "strong", "noarch", "weak_constrains", "strong_constrains"):
        items = raw.get(key) or []
        if not isinstance(items, list):
            raise RecipeError(
                f"run_exports/{key} must be a list", where, hint="write one `- spec` per line"
            )
        specs = [resolve_pins(str(s), known, where) for s in items]
        # An export of a pin_compatible the variant does not pin stays a bare name.
        parts[key] = tuple(take_compatible_pins(specs)[0])
    return RunExports(**parts)
