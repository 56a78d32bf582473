"""The base plate's build tools in a build: checked before any work, then linked in.

``check(rendered, channels)`` raises before sources or scripts when a build requirement is in
no channel and not in the table (every such requirement at once, with its recipe line), or
when a table tool is not installed on this machine. ``provide_build(plate, provided, prefix,
cache)`` links the tools and returns the plate with their versions (its fingerprint and
``info/cfl.json`` name them); ``test_environment(...)`` does the same for a test environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

from .. import index
from ..baseplate import BasePlate
from ..baseplate import provide as plate_provide
from ..errors import CflError, Location, raise_collected
from ..platforms import build_platform
from ..render.model import RenderedRecipe
from . import environments, plan


def channel_dir(channel: Path | str) -> Path | None:
    """A local channel's folder (a path or a ``file://`` URL); ``None`` for a remote one."""
    text = str(channel)
    if "://" in text:
        url = urlparse(text)
        return Path(url.path) if url.scheme == "file" else None
    return Path(text)


def solvable_names(channels: Sequence[Path | str], subdir: str) -> set[str]:
    """Every package name the local channels hold for ``subdir``, the build machine or noarch."""
    names: set[str] = set()
    for channel in channels:
        path = channel_dir(channel)
        if path is not None and path.is_dir():
            for sub in (subdir, build_platform(), "noarch"):
                names |= {r["name"] for r in index.records(path, sub).values()}
    return names


def _all_local(channels: Sequence[Path | str]) -> bool:
    """Every channel is a folder here (a bare name like ``conda-forge`` is a remote one)."""
    return all((path := channel_dir(c)) is not None and path.is_dir() for c in channels)


def _requirements(rendered: RenderedRecipe, env: str) -> list[str]:
    """An output's build or host specs, with those of the staging build it shares."""
    specs = list(getattr(rendered.requirements, env))
    section = rendered.meta.get("staging")
    if isinstance(section, dict) and isinstance(section.get("requirements"), dict):
        specs += [str(s) for s in section["requirements"].get(env) or []]
    return specs


def check(rendered: RenderedRecipe, channels: Sequence[Path | str]) -> None:
    """Fail before any work when the build environment cannot be made (see the module)."""
    solvable = solvable_names(channels, rendered.subdir)
    provided, solve = plan.split_build_specs(
        _requirements(rendered, "build"), rendered.subdir, solvable
    )
    errors: list[CflError] = []
    if _all_local(channels):  # what a remote channel has is the solver's to find out
        errors += _unavailable(rendered, plan.unavailable(solve, solvable), channels, "build")
        host = plan.unavailable(_requirements(rendered, "host"), solvable)
        errors += _unavailable(rendered, host, channels, "host")
    problems = plate_provide.missing(plan.provided_tools(provided))
    if problems:
        errors.append(
            plate_provide.ToolNotInstalled(
                f"{rendered.name}: build tools of the base plate are not installed on this "
                "machine: " + "; ".join(problems),
                Location(rendered.recipe_path),
                hint="install the Debian packages named (bash ci/setup.sh installs them all)",
            )
        )
    raise_collected(errors)


def _unavailable(
    rendered: RenderedRecipe, specs: Sequence[str], channels: Sequence[Path | str], env: str
) -> list[CflError]:
    if not specs:
        return []
    try:
        text = Path(rendered.recipe_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    where = ", ".join(str(c) for c in channels)
    what = " and is not a build tool the base plate provides" if env == "build" else ""
    line = {s: plan.requirement_line(text, plan.spec_name(s), env) for s in specs}
    return [
        CflError(
            f"{env} requirement {spec!r} of {rendered.name} is in no channel ({where}){what}",
            Location(rendered.recipe_path, line[spec]),
            hint="add the channel that has it with -c CHANNEL, build it first (list both "
            f"recipes in one `cfl build`), or drop it from requirements: {env}",
        )
        for spec in specs
    ]


def provide_build(
    plate: BasePlate, provided: Sequence[str], build_prefix: Path, cache_dir: Path
) -> BasePlate:
    """Link the provided table tools into the build prefix; the plate records their versions."""
    names = plan.provided_tools(provided)
    return plate.with_tools(tuple(plate_provide.provide(names, build_prefix, cache_dir)))


def test_environment(
    prefix: Path,
    specs: Sequence[str],
    channels: Sequence[Path | str],
    subdir: str,
    cache: Path,
) -> dict[str, str]:
    """The test environment: table tools the tests require (and no channel has) are linked
    into its bin (on the tests' PATH), compilers (``{{ compiler('c') }}`` in ``requires``) are
    the base plate's wrappers there, as in a build; the rest is solved and installed. Returns
    the compiler variables (CC, CXX, ...) for the tests' environment."""
    provided, solve = plan.split_build_specs(specs, subdir, solvable_names(channels, subdir))
    tools = plan.provided_tools(provided)
    compilers = [s for s in provided if plan.spec_name(s) not in tools]
    environments.create(prefix, solve, channels, subdir, cache)
    plate_provide.provide(tools, prefix, cache)
    return _test_compilers(prefix, subdir) if compilers else {}


_TEST_VARIABLES = {"cc": "CC", "c++": "CXX", "ar": "AR", "ranlib": "RANLIB", "ld": "LD",
                   "strip": "STRIP", "nm": "NM", "readelf": "READELF",
                   "objdump": "OBJDUMP"}  # fmt: skip


def _test_compilers(prefix: Path, subdir: str) -> dict[str, str]:
    """The base plate's compilers for ``subdir`` (its default toolchain) in a test env."""
    from ..baseplate import resolve, tools, wrappers

    target = build_platform() if subdir == "noarch" else subdir
    plate = resolve({"c_compiler": "zig"}, target, tools.detect_versions())
    installed = wrappers.install(plate, tools.find_tools(), prefix)
    return {_TEST_VARIABLES[role]: path for role, path in installed.tools.items()}
