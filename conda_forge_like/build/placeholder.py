"""The prefix placeholder a package records: one fixed string, whatever the output directory.

A build's host prefix is ``<output>/work/<build>/h_env_placehold_placehold...``, padded to 255
characters; files that keep it (a compiled-in data path, a shebang) are recorded in
``info/paths.json`` with it as their ``prefix_placeholder``, and the installer replaces it with
the install prefix. Left as it is, the package's bytes name the build's output directory, so
the same recipe built into two folders gives two different packages. Before packaging, the host
prefix in those files is replaced by ``CANONICAL`` padded to the same length (binary files keep
their layout, C strings their terminators), and that is the placeholder recorded:
``canonical(255)`` -> ``"/opt/cfl/h_env_placehold_placehold..."`` (255 characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..package import PathRecord, file_record
from .environments import PREFIX_LENGTH, padded_to

CANONICAL = "/opt/cfl/h_env"


def canonical(length: int = PREFIX_LENGTH) -> str:
    """The placeholder for a host prefix of ``length`` characters."""
    return padded_to(CANONICAL, length)


def rewrite(root: Path, records: Sequence[PathRecord], host_prefix: str) -> list[PathRecord]:
    """Replace ``host_prefix`` in the recorded files under ``root``; their new records."""
    old = host_prefix.encode()
    new_text = canonical(len(host_prefix))
    new = new_text.encode()
    out: list[PathRecord] = []
    for record in records:
        if record.prefix_placeholder != host_prefix or record.path_type != "hardlink":
            out.append(record)
            continue
        path = root / record.path
        data = path.read_bytes()
        changed = data.replace(old, new)
        if changed != data:
            mode = path.stat().st_mode
            path.unlink()  # a fresh file: never write through a link to another one
            path.write_bytes(changed)
            path.chmod(mode)
        out.append(file_record(root, record.path, new_text, record.file_mode, record.no_link))
    return out
