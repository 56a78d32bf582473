"""The ``info/`` files of a package, as bytes: pure functions of the metadata and path records.

``info_files(meta, records, environ={})`` -> ``{"info/index.json": b'{...}', "info/paths.json":
b'{...}', "info/files": b"bin/greet\\n...", ...}``. JSON is written the way conda-build writes
it (sorted keys, two-space indent), so equal inputs give equal bytes.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import CflError, PackageError, raise_collected
from .model import FILE_MODES, PATH_TYPES, PackageMetadata, PathRecord

DEFAULT_EPOCH = 1_704_067_200
"""2024-01-01T00:00:00Z: archive mtimes and the index timestamp without SOURCE_DATE_EPOCH."""

_ARCHES = {"64": "x86_64", "32": "x86"}


def source_date_epoch(environ: Mapping[str, str]) -> int:
    """Seconds since the epoch for every archive mtime: SOURCE_DATE_EPOCH, else a constant."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_EPOCH
    try:
        seconds = int(value)
    except ValueError:
        raise PackageError(
            f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds",
            hint="set it to e.g. $(git log -1 --format=%ct) or unset it",
        ) from None
    # Zip entries cannot hold dates before 1980; clamp so both formats share one mtime.
    return max(seconds, 315_532_800)


def timestamp_ms(meta: PackageMetadata, environ: Mapping[str, str]) -> int:
    return meta.timestamp or source_date_epoch(environ) * 1000


def platform_arch(subdir: str) -> tuple[str | None, str | None]:
    """``linux-64`` -> ``("linux", "x86_64")``; ``noarch`` -> ``(None, None)``."""
    if subdir == "noarch":
        return None, None
    platform, _, arch = subdir.partition("-")
    return platform, _ARCHES.get(arch, arch)


def index_json(meta: PackageMetadata, environ: Mapping[str, str]) -> dict[str, Any]:
    """``info/index.json``: the fields conda-build writes (optional ones only when set)."""
    platform, arch = platform_arch(meta.subdir)
    index: dict[str, Any] = {
        "name": meta.name,
        "version": meta.version,
        "build": meta.build,
        "build_number": meta.build_number,
        "depends": _normalized_specs(meta.depends),
        "constrains": _normalized_specs(meta.constrains),
        "subdir": meta.subdir,
        "arch": arch,
        "platform": platform,
        "timestamp": timestamp_ms(meta, environ),
    }
    optional = {
        "noarch": meta.noarch,
        "license": meta.license,
        "license_family": meta.license_family,
    }
    index.update({key: value for key, value in optional.items() if value})
    return index


def _normalized_specs(specs: Iterable[str]) -> list[str]:
    # conda-build sorts and collapses whitespace; duplicates would only confuse solvers.
    return sorted({" ".join(spec.split()) for spec in specs})


def path_entry(record: PathRecord) -> dict[str, Any]:
    """One ``paths.json`` entry; directories carry no hash or size."""
    entry: dict[str, Any] = {"_path": record.path, "path_type": record.path_type}
    if record.path_type != "directory":
        entry["sha256"] = record.sha256
        entry["size_in_bytes"] = record.size
    if record.prefix_placeholder is not None:
        entry["prefix_placeholder"] = record.prefix_placeholder
        entry["file_mode"] = record.file_mode or "text"
    if record.no_link:
        entry["no_link"] = True
    return entry


def paths_json(records: Sequence[PathRecord]) -> dict[str, Any]:
    ordered = sorted(records, key=lambda r: r.path)
    return {"paths": [path_entry(r) for r in ordered], "paths_version": 1}


def check_path(path: str) -> str | None:
    """Why ``path`` cannot be a package path, or None when it is fine."""
    if not path or path.startswith("/") or "\\" in path:
        return "must be relative and use forward slashes"
    if posixpath.normpath(path) != path or path.split("/")[0] == "..":
        return "must be normalized (no '.', '..', '//' or trailing '/')"
    if path == "info" or path.startswith("info/"):
        return "info/ is reserved for package metadata"
    return None


def check_records(records: Sequence[PathRecord]) -> None:
    """Raise every problem with the records at once (bad paths, types, duplicates)."""
    errors: list[CflError] = []
    seen: set[str] = set()
    for record in records:
        problem = _record_problem(record)
        if problem is None and record.path in seen:
            problem = "is listed twice"
        seen.add(record.path)
        if problem:
            errors.append(PackageError(f"package path {record.path!r} {problem}"))
    raise_collected(errors)


def _record_problem(record: PathRecord) -> str | None:
    if record.path_type not in PATH_TYPES:
        return f"has unknown path_type {record.path_type!r} (use {', '.join(PATH_TYPES)})"
    if record.file_mode is not None and record.file_mode not in FILE_MODES:
        return f"has unknown file_mode {record.file_mode!r} (use text or binary)"
    if record.prefix_placeholder is not None and record.path_type != "hardlink":
        return "has a prefix placeholder but is not a regular file"
    return check_path(record.path)


def check_metadata(meta: PackageMetadata) -> None:
    errors: list[CflError] = []
    for label, value in (("name", meta.name), ("version", meta.version), ("build", meta.build)):
        if not value or any(c.isspace() or c in "/\\" for c in value):
            errors.append(PackageError(f"package {label} {value!r} is empty or has / or spaces"))
    if meta.noarch and meta.subdir != "noarch":
        errors.append(
            PackageError(
                f"noarch: {meta.noarch} package {meta.name} has subdir {meta.subdir!r}",
                hint="noarch packages go to the 'noarch' subdir",
            )
        )
    for kind, files in (("recipe", meta.recipe_files), ("test", meta.test_files)):
        errors.extend(_extra_path_errors(kind, files))
    errors.extend(_extra_path_errors("licenses", meta.license_files))
    raise_collected(errors)


def _extra_path_errors(kind: str, files: Mapping[str, bytes]) -> list[CflError]:
    errors: list[CflError] = []
    for path in files:
        problem = check_path(path)
        if problem and not problem.startswith("info/"):
            errors.append(PackageError(f"info/{kind}/ file {path!r} {problem}"))
    return errors


def dumps(obj: Any) -> bytes:
    """conda-build's JSON style: sorted keys, two-space indent."""
    return json.dumps(obj, indent=2, sort_keys=True).encode("utf-8")


def info_files(
    meta: PackageMetadata, records: Sequence[PathRecord], environ: Mapping[str, str]
) -> dict[str, bytes]:
    """Every ``info/`` member of the package: archive path -> content."""
    check_metadata(meta)
    check_records(records)
    files = {
        "info/index.json": dumps(index_json(meta, environ)),
        "info/paths.json": dumps(paths_json(records)),
        "info/files": "".join(f"{p}\n" for p in sorted(r.path for r in records)).encode(),
        "info/about.json": dumps(dict(meta.about)),
        "info/hash_input.json": dumps(dict(meta.hash_input)),
    }
    # Like rattler-build, empty kinds are left out and no exports at all means no file.
    run_exports = {kind: list(specs) for kind, specs in meta.run_exports.items() if specs}
    if run_exports:
        files["info/run_exports.json"] = dumps(run_exports)
    if meta.link:
        files["info/link.json"] = dumps(dict(meta.link))
    if meta.extra_info:
        files["info/cfl.json"] = dumps(dict(meta.extra_info))
    for name, data in meta.attestations.items():
        if "/" in name or name in {p.removeprefix("info/") for p in files}:
            raise PackageError(f"attestation info/{name} would replace another info/ file")
        files[f"info/{name}"] = data
    for folder, extra in (
        ("recipe", meta.recipe_files),
        ("test", meta.test_files),
        ("licenses", meta.license_files),
    ):
        files.update({f"info/{folder}/{path}": data for path, data in extra.items()})
    return files
