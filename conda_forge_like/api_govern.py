"""The governed-channel part of the stable API (``conda_forge_like.govern`` behind it).

``policy_check("ch", "prod.yaml")`` -> ``[Violation]``; ``index("ch", "prod.yaml")`` ->
``IndexReport``; ``promote(["x"], "ch", "dev", "prod", "prod.yaml")`` -> ``Promotion``;
``mirror("upstream", "ours", "prod.yaml")`` -> ``MirrorReport``; ``sbom("x.conda")`` /
``sbom("envs/test")`` -> CycloneDX JSON bytes; ``verify("x.conda")`` -> ``Verified``;
``serve("ch", port=0)`` -> an HTTP server to run (``serve_forever``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import UsageError

if TYPE_CHECKING:
    from .govern.gate import IndexReport
    from .govern.mirror import MirrorReport
    from .govern.policy import Policy, Violation
    from .govern.promote import Promotion
    from .govern.verify import Verified

PathLike = str | os.PathLike[str]


def load_policy(path: PathLike | None) -> Policy | None:
    from .govern import policy_file

    return None if path is None else policy_file.load(Path(path))


def _required_policy(path: PathLike) -> Policy:
    from .govern import policy_file

    return policy_file.load(Path(path))


def policy_check(target: PathLike, policy: PathLike) -> list[Violation]:
    """Every violation of a package file, or of every package file in a channel."""
    from .govern import gate

    return gate.check(Path(target), _required_policy(policy))


def index(channel: PathLike, policy: PathLike) -> IndexReport:
    """``cfl index --policy``: repodata.json lists only packages the policy accepts."""
    from .govern import gate

    path = Path(channel)
    if not path.is_dir():
        raise UsageError(f"channel directory {channel} does not exist")
    return gate.index(path, _required_policy(policy))


def promote(
    packages: list[str], channel: PathLike, source: str, target: str, policy: PathLike | None
) -> Promotion:
    from .govern import promote as promote_stage

    path = Path(channel)
    if not path.is_dir():
        raise UsageError(f"channel directory {channel} does not exist")
    return promote_stage.promote(path, packages, source, target, load_policy(policy))


def mirror(src: PathLike, dest: PathLike, policy: PathLike | None = None) -> MirrorReport:
    from .govern import mirror as mirror_stage

    return mirror_stage.mirror(Path(src), Path(dest), load_policy(policy))


def sbom(target: PathLike) -> bytes:
    """A package's own SBOM (one made from its index.json when it has none), or an installed
    environment's (a folder with ``conda-meta/``)."""
    from . import package
    from .govern import sbom as sbom_stage

    path = Path(target)
    if (path / "conda-meta").is_dir():
        records = [_json(p) for p in sorted((path / "conda-meta").glob("*.json"))]
        return sbom_stage.environment_document(path.name, [r for r in records if r])
    if not path.is_file():
        raise UsageError(
            f"{target} is neither a package file nor an environment (no conda-meta/)",
            hint="pass a .conda/.tar.bz2 file or an environment prefix",
        )
    own = package.read_info(path, "sbom.cdx.json")
    if own is not None:
        return own
    index = package.read_index(path)
    return sbom_stage.environment_document(path.name, [index])


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def verify(
    package_path: PathLike,
    source_cache: PathLike | None = None,
    channels: tuple[str, ...] = (),
    keep: bool = False,
) -> Verified:
    """Rebuild a package from its recorded recipe and sources; raises when bytes differ."""
    from . import channels as channels_stage
    from . import source
    from .govern import verify as verify_stage

    path = Path(package_path).resolve()
    if not path.is_file():
        raise UsageError(f"package {package_path} does not exist")
    cache = source.resolve_dir(source_cache, os.environ)
    work = Path(tempfile.mkdtemp(prefix="cfl-verify-"))
    try:
        done = verify_stage.verify(path, cache, work, channels_stage.resolve_all(channels))
    except verify_stage.RebuildDiffers:
        raise  # the rebuild stays in ``work`` to compare by hand (the error's hint names it)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return done


def serve(
    channel: PathLike, port: int = 0, label: str = "main", policy: PathLike | None = None
) -> ThreadingHTTPServer:
    from .govern import serve as serve_stage

    return serve_stage.make_server(Path(channel), port, label, load_policy(policy))
