"""The ABI checks as a build step: what the build knows becomes a ``CheckContext``.

``run_checks(inputs)`` -> the findings of ``abi.check`` plus the symbol diff against the newest
earlier build of the same package in the output channel; the caller reports warnings and
raises ``AbiCheckFailed`` on errors before the package is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import abi, index, package
from ..baseplate.targets import GLIBC_FLOOR
from ..errors import CflError, Location, raise_collected
from ..records import dataclass, field
from ..render.model import RenderedRecipe


@dataclass(frozen=True)
class CheckInputs:
    """The build's state the checks need (paths are absolute)."""

    host_prefix: Path
    build_prefix: Path
    src_dir: Path
    files: tuple[str, ...]  # relative to host_prefix: the package's files
    run_depends: tuple[str, ...]
    host_run_exporters: tuple[str, ...]
    microarch_level: int | None
    channel: Path  # the output channel (earlier builds for the ABI diff)
    other_build_paths: tuple[str, ...] = ()  # e.g. where a reused staging result was built
    export_targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def severities(rendered: RenderedRecipe) -> dict[str, str]:
    """The recipe's ``build: abi_check: {code: level}`` (v0 and v1 alike), validated."""
    build = rendered.meta.get("build") or {}
    raw = build.get("abi_check") if isinstance(build, dict) else None
    if raw is None:
        return {}
    where = Location(str(rendered.recipe_path))
    if not isinstance(raw, Mapping):
        raise abi.AbiCheckError(
            "build: abi_check must be a mapping of check to severity",
            where,
            hint="e.g. abi_check: {overlinking: error}",
        )
    overrides = {str(k): str(v) for k, v in raw.items()}
    errors: list[CflError] = [
        abi.AbiCheckError(e.message, where, e.hint) for e in abi.validate_severities(overrides)
    ]
    raise_collected(errors)
    return overrides


def glibc_floor(variant: Mapping[str, Any]) -> str:
    """The variant's ``c_stdlib_version`` when it sets one, else the base plate's floor."""
    value = variant.get("c_stdlib_version")
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else GLIBC_FLOOR


def dependency_files(prefix: Path) -> dict[str, frozenset[str]]:
    """Installed package name -> its files, from ``<prefix>/conda-meta/*.json``."""
    found: dict[str, frozenset[str]] = {}
    for record in sorted((prefix / "conda-meta").glob("*.json")):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            found[data["name"]] = frozenset(str(f) for f in data.get("files") or ())
    return found


# Any cfl build's paths, this one's or another's: a work directory's source, build env or
# test env, and a host prefix other than this build's (its placeholder padding).
LEAK_PATTERNS = (
    r"/work/(?:linux|osx|win|noarch|freebsd|emscripten|wasi|zos)-[^/\x00\s\"']+"
    r"/(?:src|build_env|test)(?=[/\x00\s\"':;]|\Z)",
    r"h_env_placehold_placehold",
)


def toolchain_paths() -> tuple[str, ...]:
    """Where the base plate's toolchain lives: a path from its install or its shared cache
    (zig's libc++ built with a build's paths) reaches every package that links it."""
    from ..baseplate import tools, wrappers

    found = tools.find_tools()
    paths = [wrappers.zig_cache_dir(), wrappers.zig_installs_dir()]
    if found.zig:
        paths.append(os.path.dirname(os.path.realpath(found.zig)))
    return tuple(paths)


def run_checks(rendered: RenderedRecipe, inputs: CheckInputs) -> list[abi.Finding]:
    """Every finding for the package about to be written (see the module docstring)."""
    overrides = severities(rendered)
    ctx = abi.CheckContext(
        subdir=rendered.subdir,
        package_files=frozenset(inputs.files),
        run_depends=inputs.run_depends,
        dependency_files=dependency_files(inputs.host_prefix),
        host_run_exporters=inputs.host_run_exporters,
        export_targets=inputs.export_targets,
        glibc_floor=glibc_floor(rendered.variant),
        microarch_level=inputs.microarch_level,
        # Never the (padded) host prefix: it is replaced at install time.
        leak_strings=(
            str(inputs.build_prefix),
            str(inputs.src_dir),
            *inputs.other_build_paths,
            *toolchain_paths(),
        ),
        leak_patterns=LEAK_PATTERNS,
        severities=overrides,
        prefix=str(inputs.host_prefix),
    )
    findings = abi.check(inputs.host_prefix, list(inputs.files), ctx)
    return findings + _abi_diff(rendered, inputs, overrides)


def _abi_diff(
    rendered: RenderedRecipe, inputs: CheckInputs, overrides: Mapping[str, str]
) -> list[abi.Finding]:
    new = abi.exported_symbols(inputs.host_prefix, list(inputs.files))
    if not new:
        return []
    previous = earlier_build(inputs.channel, rendered)
    if previous is None:
        return []
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cfl-abi-") as tmp:
        root = Path(tmp)
        package.extract(previous, root)
        old_files = sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if (p.is_file() or p.is_symlink()) and p.relative_to(root).parts[0] != "info"
        )
        old = abi.exported_symbols(root, old_files)
    return abi.diff_symbols(old, new, overrides)


def _version_key(text: str) -> Any:
    """A comparable version, or None when rattler cannot parse it."""
    import rattler
    from rattler.exceptions import InvalidVersionError

    try:
        return rattler.Version(text)
    except InvalidVersionError:
        return None


def earlier_build(channel: Path, rendered: RenderedRecipe) -> Path | None:
    """The newest build of the same name in ``channel`` that is older than this one: a lower
    version, or the same version with a lower build number (sibling variants are skipped)."""
    own = _version_key(rendered.version)
    candidates: list[tuple[Any, int, str]] = []
    for filename, record in index.records(channel, rendered.subdir).items():
        if record.get("name") != rendered.name or filename.startswith(rendered.dist + "."):
            continue
        version = _version_key(str(record.get("version")))
        if version is None or own is None:  # an unparsable version is not a predecessor
            continue
        number = int(record.get("build_number") or 0)
        if version < own or (version == own and number < rendered.build_number):
            candidates.append((version, number, filename))
    if not candidates:
        return None
    _, _, filename = max(candidates, key=lambda c: (c[0], c[1]))
    path = channel / rendered.subdir / filename
    return path if path.exists() else None


def report_lines(findings: Sequence[abi.Finding]) -> list[str]:
    """What the reporter shows for the findings that do not fail the build."""
    return [f"{f} (to fix: {f.hint})" for f in findings if f.severity == "warning"]
