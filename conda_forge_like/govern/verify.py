"""``cfl verify``: rebuild a package from the recipe and sources it records; compare bytes.

``verify(Path("x-1.0-h0_0.conda"), source_cache, work)`` -> ``Verified`` or raises
``VerifyFailed``. Steps:

1. read ``info/provenance.json`` and the recipe folder stored in ``info/recipe/``;
2. check every recorded source digest first: a ``url``/``pypi`` source in the source cache
   (``<cache>/<sha256>``), a ``path`` source in the stored recipe folder — a changed byte
   fails here, naming the file;
3. rebuild that recipe for the recorded variant and target (tests off, SOURCE_DATE_EPOCH as
   recorded) into a scratch channel under ``work``;
4. compare the two package files byte for byte; on a difference, name the members that differ.

A package whose files embed its build prefix records cfl's fixed placeholder, not the build's
folder (``build/placeholder.py``), so it rebuilds identically anywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import CflError, PackageError
from ..package.records import sha256_file
from ..records import dataclass
from . import provenance


class VerifyFailed(CflError):
    """The rebuild differs, or a recorded input changed."""

    exit_code = 6


class RebuildDiffers(VerifyFailed):
    """The rebuild ran but its bytes differ (its folder is kept to compare by hand)."""


@dataclass(frozen=True)
class Verified:
    package: Path
    rebuilt: Path
    sha256: str
    sources_checked: int


def read_statement(package_path: Path) -> dict[str, Any]:
    from .. import package

    data = package.read_info(package_path, "provenance.json")
    if data is None:
        raise VerifyFailed(
            f"{package_path} has no info/provenance.json",
            hint="only packages built by cfl record how to rebuild them",
        )
    try:
        statement = json.loads(data)
    except ValueError as exc:
        raise VerifyFailed(f"{package_path}: info/provenance.json is not JSON: {exc}") from exc
    if statement.get("_type") != provenance.STATEMENT_TYPE:
        raise VerifyFailed(f"{package_path}: info/provenance.json is no in-toto statement")
    return dict(statement)


def extract_recipe(package_path: Path, dest: Path) -> Path:
    """The package's info/recipe/ written to ``dest`` (paths checked: nothing outside)."""
    from .. import package

    files = package.read_info_tree(package_path, "recipe")
    if not files:
        raise VerifyFailed(f"{package_path} stores no recipe in info/recipe/")
    for relative, data in files.items():
        target = (dest / relative).resolve()
        if not target.is_relative_to(dest.resolve()):
            raise PackageError(f"{package_path}: info/recipe/{relative} points outside")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return dest


def check_sources(statement: Mapping[str, Any], recipe_dir: Path, cache: Path) -> int:
    """Every recorded source digest against the file the rebuild would use; returns how many
    were checked. A mismatch raises, naming the file."""
    checked = 0
    for entry in provenance.sources_of(statement):
        expected = entry.get("digest", {}).get("sha256")
        kind = entry.get("annotations", {}).get("kind")
        if not expected:
            continue
        if kind == "path":
            from ..build.attest import path_sha256

            path = recipe_dir / str(entry.get("name"))
            actual = path_sha256(path) if path.exists() else None
        else:
            path = cache / str(expected)
            if not path.is_file():
                continue  # the rebuild downloads it, and checks the recipe's checksum
            actual = sha256_file(path)
        if actual != expected:
            raise VerifyFailed(
                f"source {path} ({entry.get('name')}) has sha256 {actual}, but the package "
                f"was built from {expected}",
                hint="the source changed after the build: restore it, or delete it from the "
                "source cache to download it again",
            )
        checked += 1
    return checked


@contextlib.contextmanager
def _epoch(seconds: int) -> Iterator[None]:
    """SOURCE_DATE_EPOCH as the original build had it (the build reads the environment)."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(seconds)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


_INFO_FILES = (
    "index.json", "paths.json", "files", "about.json", "hash_input.json", "run_exports.json",
    "cfl.json", "sbom.cdx.json", "provenance.json",
)  # fmt: skip


def differences(original: Path, rebuilt: Path) -> list[str]:
    """The info/ files and payload paths whose contents differ between two packages."""
    from .. import package

    def paths(pkg: Path) -> dict[str, Any]:
        data = json.loads(package.read_info(pkg, "paths.json") or b"{}")
        return {p["_path"]: (p.get("sha256"), p.get("prefix_placeholder")) for p in data["paths"]}

    def info(pkg: Path) -> dict[str, bytes | None]:
        named = {n: package.read_info(pkg, n) for n in _INFO_FILES}
        for folder in ("recipe", "test", "licenses"):
            tree = package.read_info_tree(pkg, folder)
            named.update({f"{folder}/{k}": v for k, v in tree.items()})
        return named

    before, after = info(original), info(rebuilt)
    found = [f"info/{n}" for n in sorted(set(before) | set(after)) if before.get(n) != after.get(n)]
    old, new = paths(original), paths(rebuilt)
    found += [p for p in sorted(set(old) | set(new)) if old.get(p) != new.get(p)]
    return found or ["the archive itself (same members, other bytes)"]


def verify(
    package_path: Path, source_cache: Path, work: Path, channels: tuple[str, ...] = ()
) -> Verified:
    from .. import api

    statement = read_statement(package_path)
    build = statement["predicate"]["buildDefinition"]
    params = build["externalParameters"]
    recipe_dir = extract_recipe(package_path, work / "recipe")
    checked = check_sources(statement, recipe_dir, source_cache)
    variant = dict(params.get("variant") or {})
    target = str(variant.pop("target_platform", params.get("target_platform")))
    fmt = "conda" if package_path.name.endswith(".conda") else "tar.bz2"
    with _epoch(int(build["internalParameters"].get("source_date_epoch") or 0)):
        results = api.build(
            [recipe_dir / str(params["recipe"]["file"])], output_dir=work / "channel",
            target_platform=target, overrides=[f"{k}={v}" for k, v in variant.items()],
            channels=channels, test=False, package_format=fmt, source_cache=source_cache,
        )  # fmt: skip
    rebuilt = next((r.package for r in results if r.package and r.package.name ==
                    package_path.name), None)  # fmt: skip
    if rebuilt is None:
        raise VerifyFailed(
            f"the recorded recipe does not build {package_path.name} again "
            f"(it built {', '.join(r.package.name for r in results if r.package) or 'nothing'})",
            hint="the variant files of the original build are not recorded; pass the same -c",
        )
    if rebuilt.read_bytes() != package_path.read_bytes():
        raise RebuildDiffers(
            f"the rebuild of {package_path.name} differs in: "
            + ", ".join(differences(package_path, rebuilt)),
            hint=f"the rebuilt package is {rebuilt}",
        )
    return Verified(package_path, rebuilt, sha256_file(rebuilt), checked)
