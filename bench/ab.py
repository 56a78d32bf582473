"""Two cfl trees on the same ``cfl build``, alternating, as whole processes.

    python bench/ab.py OLD_TREE [--runs 15] [-- BUILD ARGS...]

``OLD_TREE`` is a checkout (or ``git archive``) of another commit, e.g. made with
``git archive COMMIT conda_forge_like variants baseplate | tar -x -C /tmp/old``; the other
side is this checkout. Each run starts cfl as its console script does, with that tree first on
``PYTHONPATH`` and byte-code caching on, into a new output directory; one warm-up run per side
comes first. Prints the median wall time and the median CPU time (user + system, the process
and its children) of each side: CPU time moves less than wall time on a busy machine. The build
arguments default to ``bench/recipes/trivial``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(tree: Path, args: list[str], out: Path) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    command = [sys.executable, "-c", "from conda_forge_like.cli import main; main()", "build",
               *args, "--output-dir", str(out)]  # fmt: skip
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)  # fmt: skip
    _, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: cfl build failed\n{stderr.decode(errors='replace')[-2000:]}")
    return wall, _child_cpu()


_last = [0.0]


def _child_cpu() -> float:
    """CPU time of the child processes waited for since the last call."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _last[0] = total - _last[0], total
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old", type=Path, help="the other tree (a checkout of another commit)")
    parser.add_argument("--runs", type=int, default=15)
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    ns = parser.parse_args(argv[:split])
    args = argv[split + 1 :] or [str(ROOT / "bench" / "recipes" / "trivial")]
    args = [str(Path(a).resolve()) if Path(a).exists() else a for a in args]
    sides = {"old": ns.old.resolve(), "new": ROOT}
    figures: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in sides}
    with tempfile.TemporaryDirectory(prefix="cfl-ab-") as tmp:
        for run in range(ns.runs + 1):  # run 0 warms both sides up
            for side, tree in sides.items():
                wall, cpu = one(tree, args, Path(tmp) / side)
                if run:
                    figures[side][0].append(wall)
                    figures[side][1].append(cpu)
    for side, (walls, cpus) in figures.items():
        wall, cpu = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
        print(f"{side} ({sides[side]}): wall median {wall:.1f} ms, CPU median {cpu:.1f} ms "
              f"over {ns.runs} runs")  # fmt: skip


if __name__ == "__main__":
    main()
