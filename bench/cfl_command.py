"""The ``cfl`` command as the benchmarks run it: what the installed console script runs.

pip's ``cfl`` script is ``from conda_forge_like.cli import main; sys.exit(main())``; ``python -m
conda_forge_like.cli`` would add runpy's own imports, which no user's ``cfl`` pays for. The
checkout's package comes first on PYTHONPATH (each bench sets it).
"""

from __future__ import annotations

import sys

ENTRY = "import sys; from conda_forge_like.cli import main; sys.exit(main())"


def cfl(*args: str) -> list[str]:
    return [sys.executable, "-c", ENTRY, *args]
