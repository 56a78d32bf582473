"""A hand-written channel for the governed-channel tests: noarch/ with an MIT and a GPL
"package" (a few bytes its repodata record describes; nothing is built)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conda_forge_like.govern.policy import LicenseRule, Policy
from conda_forge_like.index import channel as disk
from conda_forge_like.index import repodata

NO_GPL = Policy(license=LicenseRule(deny=("GPL-*",)), source="prod.yaml")


def record(name: str, license: str, data: bytes) -> dict[str, object]:
    return {
        "name": name, "version": "1.0", "build": "h0_0", "build_number": 0, "depends": [],
        "subdir": "noarch", "license": license, "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }  # fmt: skip


def make_channel(root: Path) -> Path:
    """noarch/ with an MIT and a GPL package, listed in repodata.json (as any indexer does)."""
    noarch = root / "noarch"
    noarch.mkdir(parents=True)
    records = {}
    for name, lic in (("mitpkg", "MIT"), ("gplpkg", "GPL-3.0-or-later")):
        filename = f"{name}-1.0-h0_0.conda"
        data = f"package {name}".encode()
        (noarch / filename).write_bytes(data)
        records[filename] = record(name, lic, data)
    disk.write(noarch, repodata.with_records(repodata.empty("noarch"), records))
    return root
