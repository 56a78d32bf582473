"""Pure build planning: which specs the base plate provides, run dependencies from run_exports,
and the order recipes build in.

``split_build_specs(["zig_linux-64 0.17.*", "cmake", "zlib"], "linux-64", solvable={"zlib"})``
-> ``(provided=["zig_linux-64 0.17.*", "cmake"], solve=["zlib"])``; ``unavailable(...)`` the
build requirements neither a channel nor the base plate has (with their recipe lines);
``order(rendered)`` -> the rendered outputs with every dependency before its dependents.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from .. import lazy
from ..baseplate.build_tools import table
from ..errors import CflError, Location
from ..records import dataclass
from ..render.model import PendingPin, RenderedRecipe

# Spec-name prefixes of what compiler()/stdlib() render to, for any target subdir.
_PLATE_PACKAGES = ("zig", "gcc", "gxx", "clang", "clangxx", "sysroot", "vs", "vs2022",
                   "macosx_deployment_target", "mingw-w64-ucrt")  # fmt: skip


def spec_name(spec: str) -> str:
    return spec.split()[0] if spec.split() else ""


def named(specs: Iterable[str]) -> set[str]:
    """The package names a requirements list names: only these export run_exports
    (conda-build's ``explicit_specs``, rattler-build's direct dependencies)."""
    return {spec_name(s) for s in specs}


def is_base_plate_spec(spec: str, subdir: str) -> bool:
    """``zig_linux-64 0.17.*`` or ``sysroot_linux-64 2.17.*``: the base plate, not a package."""
    name = spec_name(spec)
    for prefix in _PLATE_PACKAGES:
        for target in (subdir, "linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64"):
            if name == f"{prefix}_{target}":
                return True
    return False


def split_build_specs(
    specs: Sequence[str],
    subdir: str,
    solvable: Collection[str],
    tools: Collection[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Base-plate compilers and table tools (``tools``, default: the table's names) that no
    channel offers are provided; the rest is solved: a channel's real package wins."""
    if not specs:
        return [], []
    tools = table().keys() if tools is None else tools
    provided, solve = [], []
    for spec in specs:
        name = spec_name(spec)
        if is_base_plate_spec(spec, subdir) or (name in tools and name not in solvable):
            provided.append(spec)
        else:
            solve.append(spec)
    return provided, solve


def provided_tools(provided: Sequence[str], tools: Collection[str] | None = None) -> list[str]:
    """The table's names among the provided specs (the compilers are the wrappers' job)."""
    if not provided:
        return []
    tools = table().keys() if tools is None else tools
    return list(dict.fromkeys(spec_name(s) for s in provided if spec_name(s) in tools))


def unavailable(solve: Sequence[str], solvable: Collection[str]) -> list[str]:
    """Specs left to solve whose package no channel has (virtual ``__glibc`` and the like are
    the solver's own)."""
    return [s for s in solve if spec_name(s) not in solvable and not spec_name(s).startswith("__")]


_KEY = lazy.regex(r"^\s*-?\s*([A-Za-z_][\w-]*):")


def requirement_line(text: str, name: str, section: str = "build") -> int | None:
    """The line of ``- name`` in a recipe's text, preferring one under a ``section:`` key
    (``requirements: build:``, ``test: requires:``); ``None`` when the text never lists it."""
    item = re.compile(rf"^\s*-\s*['\"]?{re.escape(name)}(?:['\"]|[\s<>=!~#,]|$)")
    first: int | None = None
    key = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _KEY.match(line):
            key = match.group(1)
        elif item.match(line):
            if key == section:
                return number
            first = first or number
    return first


@dataclass(frozen=True)
class Exporter:
    """A package in the build or host environment and what it exports."""

    name: str
    version: str
    run_exports: Mapping[str, Sequence[str]]


CONDA_FORGE_GLIBC = "2.17"
"""conda-forge's default ``c_stdlib_version`` on linux (its sysroot_linux-64 2.17)."""


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text))


def sysroot_exporter(rendered: RenderedRecipe, floor: str) -> Exporter | None:
    """The glibc floor as a run dependency, as conda-forge's ``sysroot_<subdir>`` package
    exports it (strong ``__glibc >=X,<3.0.a0``): for a recipe that names ``stdlib('c')`` on
    linux, and for any compiled linux package whose floor ``X`` is above conda-forge's 2.17
    (a machine with an older glibc must not install it). ``ignore_run_exports(_from)`` drop
    it like any other export."""
    subdir = rendered.subdir
    if not subdir.startswith("linux-"):
        return None
    names = {spec_name(s) for s in rendered.requirements.build}
    stdlib = f"sysroot_{subdir}" in names
    compiled = any(is_base_plate_spec(s, subdir) for s in rendered.requirements.build)
    above = _version_tuple(floor) > _version_tuple(CONDA_FORGE_GLIBC)
    if not (stdlib or (compiled and above)):
        return None
    return Exporter(f"sysroot_{subdir}", floor, {"strong": [f"__glibc >={floor},<3.0.a0"]})


def run_depends(
    rendered: RenderedRecipe,
    host: Iterable[Exporter],
    build: Iterable[Exporter],
    pending_pins: Iterable[PendingPin | Mapping[str, Any]] = (),
) -> tuple[list[str], list[str]]:
    """(depends, constrains) of a package: its run requirements plus run_exports.

    Weak exports come from host, strong ones from build and host (conda-build's rule); a
    noarch package takes only the ``noarch`` exports (python's ``python``), as in conda-build
    and rattler-build. ``ignore_run_exports`` drops by exported name,
    ``ignore_run_exports_from`` by exporter.
    """
    ignore = rendered.ignore_run_exports
    depends = list(rendered.requirements.run)
    constrains = list(rendered.requirements.run_constrained)
    # Only the packages a recipe names export (conda-build's `explicit_specs`, rattler-build's
    # direct dependencies): python's own libffi does not become a run dependency of a package
    # that lists python.
    host_names = named(rendered.requirements.host)
    build_names = named(rendered.requirements.build)
    host_all = list(host)
    host_list = [p for p in host_all if p.name in host_names]
    build_names.add(f"sysroot_{rendered.subdir}")  # the glibc floor (sysroot_exporter)
    build_list = [p for p in build if p.name in build_names]
    versions = {pkg.name: pkg.version for pkg in host_all}
    pins = [pin if isinstance(pin, PendingPin) else PendingPin(**pin) for pin in pending_pins]
    depends = [_resolve_pin_compatible(spec, versions, pins) for spec in depends]
    host_kinds, build_kinds = (("noarch",), ("noarch",)) if rendered.noarch else (
        ("weak", "strong"), ("strong",))  # fmt: skip
    sources: list[tuple[Exporter, tuple[str, ...]]] = [(p, host_kinds) for p in host_list]
    sources += [(pkg, build_kinds) for pkg in build_list]
    for pkg, kinds in sources:
        if pkg.name in ignore.from_package or pkg.name == rendered.name:
            continue
        for kind in kinds:
            for spec in pkg.run_exports.get(kind, []):
                if spec_name(spec) not in ignore.by_name:
                    depends.append(spec)
            for spec in pkg.run_exports.get(f"{kind}_constrains", []):
                if spec_name(spec) not in ignore.by_name:
                    constrains.append(spec)
    return _dedupe(depends), _dedupe(constrains)


def _resolve_pin_compatible(
    spec: str, versions: Mapping[str, str], pending: Iterable[PendingPin]
) -> str:
    """A bare ``numpy`` left by ``pin_compatible`` gets its range from the installed version."""
    for pin in pending:
        if spec == pin.name and pin.name in versions:
            version = versions[pin.name]
            if pin.exact:
                return f"{spec} =={version}"
            if pin.upper_bound:  # conda-build: `>=<version>,<upper_bound>`
                lower = f">={version}," if pin.lower else ""
                return f"{spec} {lower}<{pin.upper_bound}"
            from ..render.pins import apply_pin

            return f"{spec} {apply_pin(version, pin.lower, pin.upper)}"
    return spec


def _dedupe(specs: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for spec in specs:
        seen.setdefault(" ".join(spec.split()), None)
    return list(seen)


def needs(item: RenderedRecipe) -> set[str]:
    """Names an output's build needs installed: its build/host requirements and those of the
    staging build it shares."""
    reqs = [*item.requirements.build, *item.requirements.host]
    section = item.meta.get("staging")
    if isinstance(section, dict) and isinstance(section.get("requirements"), dict):
        for env in ("build", "host"):
            reqs += [str(s) for s in section["requirements"].get(env) or []]
    return {spec_name(s) for s in reqs} - {item.name}


def order(rendered: Sequence[RenderedRecipe]) -> list[RenderedRecipe]:
    """Topological order by build/host dependencies on other outputs; a cycle is an error."""
    _refuse_duplicates(rendered)
    names = {r.name for r in rendered}
    needed: dict[int, set[str]] = {}
    for index, item in enumerate(rendered):
        needed[index] = needs(item) & names
    done: set[str] = set()
    remaining = list(range(len(rendered)))
    result: list[RenderedRecipe] = []
    while remaining:
        ready = [i for i in remaining if needed[i] <= done]
        if not ready:
            raise _cycle_error(rendered, remaining, needed)
        for i in ready:
            result.append(rendered[i])
            remaining.remove(i)
        done |= {
            rendered[i].name for i in ready if _all_built(rendered, remaining, rendered[i].name)
        }
    return result


def _refuse_duplicates(rendered: Sequence[RenderedRecipe]) -> None:
    """Two outputs that would write the same package file: one would silently replace the other."""
    seen: dict[tuple[str, str], RenderedRecipe] = {}
    for item in rendered:
        key = (item.subdir, item.dist)
        if key in seen:
            raise CflError(
                f"two outputs make the same package {item.subdir}/{item.dist} "
                f"({seen[key].recipe_path} and {item.recipe_path})",
                hint="give each output its own name, or a distinct version or build string",
            )
        seen[key] = item


def _all_built(rendered: Sequence[RenderedRecipe], remaining: Sequence[int], name: str) -> bool:
    """A name counts as built once every variant of it is scheduled."""
    return not any(rendered[i].name == name for i in remaining)


def _cycle_error(
    rendered: Sequence[RenderedRecipe], remaining: Sequence[int], needs: Mapping[int, set[str]]
) -> CflError:
    parts = sorted({f"{rendered[i].name} needs {', '.join(sorted(needs[i]))}" for i in remaining})
    first = rendered[remaining[0]]
    return CflError(
        "the recipes depend on each other in a cycle: " + "; ".join(parts),
        Location(first.recipe_path),
        hint="break the cycle: one of these packages must build without the other",
    )


def waves(ordered: list[RenderedRecipe]) -> list[list[RenderedRecipe]]:
    """Group outputs so that each wave needs only outputs of earlier waves."""
    names = {r.name for r in ordered}
    found: list[list[RenderedRecipe]] = []
    placed: dict[str, int] = {}
    for item in ordered:
        level = max((placed[n] + 1 for n in needs(item) & names if n in placed), default=0)
        while len(found) <= level:
            found.append([])
        found[level].append(item)
        placed[item.name] = max(placed.get(item.name, 0), level)
    return found
