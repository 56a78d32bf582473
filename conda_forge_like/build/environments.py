"""Build and host environments: solve match specs against local channels and install them.

``create(prefix, ["libgreet >=1.4"], [Path("output")], "linux-64", cache)`` solves with
py-rattler against the given channels only (``file://``, offline), installs into ``prefix``
and returns the installed packages with their run_exports. ``padded_prefix(work)`` gives the
255-character host prefix whose placeholder clients replace at install time.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import CflError
from ..fsutil import own_copy
from ..platforms import build_platform, environment_subdir
from ..records import dataclass, field

PREFIX_LENGTH = 255
_PAD = "_placehold"


class SolveError(CflError):
    """A dependency cannot be solved or installed."""

    exit_code = 4


@dataclass(frozen=True)
class Installed:
    """One package in an environment, with what it exports to its dependents."""

    name: str
    version: str
    build: str
    run_exports: dict[str, list[str]] = field(default_factory=dict)


def padded_prefix(work_dir: Path, name: str = "h_env") -> Path:
    """``<work>/h_env_placehold_placehold...`` exactly 255 characters long."""
    base = str(work_dir.resolve() / name)
    if len(base) >= PREFIX_LENGTH - len(_PAD):
        raise CflError(
            f"the work directory {work_dir} is too long for a {PREFIX_LENGTH}-character prefix",
            hint="use a shorter --work-dir (or output directory)",
        )
    return Path(padded_to(base, PREFIX_LENGTH))


def padded_to(base: str, length: int) -> str:
    """``base`` + ``_placehold`` repeated, cut at ``length`` characters."""
    return (base + _PAD * ((length - len(base)) // len(_PAD) + 1))[:length]


def channel_url(channel: Path | str) -> str:
    text = str(channel)
    if "://" in text:
        return text
    return Path(text).resolve().as_uri()


def _virtual_packages(subdir: str) -> list[Any]:
    """The target's virtual packages: detected on the build machine, the floors elsewhere."""
    import rattler

    if subdir == build_platform():
        return list(rattler.VirtualPackage.detect())
    os_name = subdir.split("-")[0]
    pairs = {"linux": [("__unix", "0"), ("__linux", "5.10"), ("__glibc", "2.17")],
             "osx": [("__unix", "0"), ("__osx", "11.0")],
             "win": [("__win", "0")]}.get(os_name, [])  # fmt: skip
    if subdir.endswith("-64") and os_name != "noarch":
        pairs.append(("__archspec", "1"))
    return [
        rattler.GenericVirtualPackage(
            rattler.PackageName(name),
            rattler.Version(version),
            rattler.BuildString("x86_64" if name == "__archspec" else "0"),
        )
        for name, version in pairs
    ]


def _run(coro: Any) -> Any:
    import asyncio  # only builds that solve need it (an empty environment does not)

    return asyncio.run(coro)


def _solve(specs: Sequence[str], channels: Sequence[Path | str], subdir: str, cache: Path) -> Any:
    import rattler
    from rattler.platform import Subdir

    gateway = rattler.Gateway(cache_dir=cache / "repodata")
    try:
        return _run(
            rattler.solve(
                [rattler.Channel(channel_url(c)) for c in channels],
                # Lenient parsing, as conda-build and rattler-build read recipes: `pkg 4` is
                # `pkg ==4` (rattler.solve alone would reject a bare version as ambiguous).
                [rattler.MatchSpec(s, strict=False) for s in specs],
                gateway=gateway,
                platforms=[Subdir(subdir), Subdir("noarch")],
                virtual_packages=_virtual_packages(subdir),
                timestamp_policy="allow-missing",
            )
        )
    except Exception as exc:
        where = ", ".join(str(c) for c in channels) or "no channel"
        raise SolveError(
            f"cannot solve {', '.join(specs)} for {subdir} from {where}: {_first_lines(exc)}",
            hint="build the missing dependency first (list both recipes in one `cfl build`), "
            "or add the channel that has it with -c",
        ) from exc


def _first_lines(exc: BaseException, count: int = 8) -> str:
    return "\n".join(str(exc).strip().splitlines()[:count])


def _run_exports(record: Any, cache: Path) -> dict[str, list[str]]:
    """run_exports.json from the package cache (rattler extracts every package there)."""
    dist = f"{record.name.normalized}-{record.version}-{record.build}"
    for candidate in (cache / "pkgs" / dist / "info" / "run_exports.json",):
        if candidate.is_file():
            data: dict[str, list[str]] = json.loads(candidate.read_text())
            return data
    return {}


def create(
    prefix: Path,
    specs: Sequence[str],
    channels: Sequence[Path | str],
    subdir: str,
    cache: Path,
) -> list[Installed]:
    """Solve and install; an empty spec list makes an empty environment (``noarch``: the
    build machine's packages)."""
    subdir = environment_subdir(subdir)
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "conda-meta").mkdir(exist_ok=True)
    if not specs:
        return []
    import rattler
    from rattler.platform import Subdir

    records = _solve(specs, channels, subdir, cache)
    try:
        _run(
            rattler.install(
                records,
                target_prefix=prefix,
                cache_dir=cache / "pkgs",
                platform=Subdir(subdir),
                show_progress=False,
                execute_link_scripts=False,
            )
        )
    except Exception as exc:
        raise SolveError(
            f"cannot install into {prefix}: {_first_lines(exc)}",
            hint="check that the channel's packages are intact (cfl index CHANNEL rebuilds "
            "its repodata)",
        ) from exc
    unshare(prefix)
    return [
        Installed(r.name.normalized, str(r.version), r.build, _run_exports(r, cache))
        for r in records
    ]


def unshare(prefix: Path) -> int:
    """py-rattler hard-links files from the shared package cache: give each its own copy, so
    a build script writing into the environment cannot change the cache (or other builds)."""
    count = 0
    for folder, _, names in os.walk(prefix):
        for name in names:
            path = Path(folder, name)
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                try:
                    own_copy(path)
                except OSError as exc:
                    raise SolveError(f"cannot copy {path} out of the package cache: {exc}") from exc
                count += 1
    return count


def ensure_dirs(*paths: Path) -> None:
    for path in paths:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CflError(f"cannot create {path}: {exc.strerror}") from exc
