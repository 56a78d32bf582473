"""``cfl debug``: one output prepared like a build (sources, environments, wrappers), with its
environment and build script written out to rerun by hand.

``prepare_debug(rendered, options, report)`` -> ``DebugSetup(work, src, activate, script)``:
``source <activate> && bash <script>`` in ``src`` reruns the build.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from ..records import dataclass
from ..render.model import RenderedRecipe
from . import abi_step
from .runner import Build, BuildOptions, Reporter, output_script


@dataclass(frozen=True)
class DebugSetup:
    work: Path
    src: Path
    activate: Path
    script: Path | None


def prepare_debug(rendered: RenderedRecipe, options: BuildOptions, report: Reporter) -> DebugSetup:
    """Sources, environments and the build environment of one output, ready to run by hand."""
    abi_step.severities(rendered)  # a wrong abi_check mapping fails before any work
    job = Build(rendered, options, report)
    s = job.setup()
    activate = job.work / "build_env_setup.sh"
    changed = {k: v for k, v in s.env.items() if os.environ.get(k) != v}
    lines = ["# Written by cfl debug: the environment the build script runs with."]
    lines += [
        f"export {k}={shlex.quote(v)}" for k, v in sorted(changed.items()) if k.isidentifier()
    ]
    activate.write_text("\n".join(lines) + "\n")
    script = output_script(rendered)
    script_path = None
    if script is not None:
        script_path = job.work / f"build_script{script.suffix}"
        head = "" if script.interpreter == "python" else "set -ex\n"
        script_path.write_text(head + script.text + "\n")
    return DebugSetup(job.work, s.src, activate, script_path)
