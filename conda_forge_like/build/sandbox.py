"""The build script's sandbox: bubblewrap with only the work directory writable, no network.

``wrap(["bash", "build.sh"], [Path("out/work/x")])`` -> ``["bwrap", "--ro-bind", "/", "/",
..., "--bind", "out/work/x", "out/work/x", "--unshare-net", "--die-with-parent", "--",
"bash", "build.sh"]``; ``works()`` says whether bwrap runs here (it needs user namespaces).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


@functools.cache
def works() -> bool:
    """Whether ``bwrap`` is installed and can make its namespaces on this machine."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    try:
        probe = subprocess.run(wrap(["true"], []), capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def default(environ: Mapping[str, str]) -> bool:
    """On by default in CI (``CI=true``) when bwrap works, off elsewhere."""
    return environ.get("CI", "").lower() == "true" and works()


def wrap(
    command: Sequence[str], writable: Sequence[Path], readable: Sequence[Path] = ()
) -> list[str]:
    """``command`` under bwrap: the whole file system read-only except ``writable``, a private
    /tmp, no network; the sandbox dies with cfl. ``readable`` (the tools' installs: cfl's
    Python environment, zig) stay visible even when they live under /tmp."""
    private_tmp = "/tmp"  # noqa: S108 - a fresh tmpfs inside the sandbox, not the host's /tmp
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    args += ["--tmpfs", private_tmp]
    for path in readable:
        real = os.path.realpath(path)
        if os.path.commonpath([real, private_tmp]) == private_tmp and os.path.isdir(real):
            args += ["--ro-bind", real, real]
    for path in writable:
        real = os.path.realpath(path)
        args += ["--bind", real, real]
    return [*args, "--unshare-net", "--die-with-parent", "--", *command]
