"""Time kernels-python's kernels called from Python, for every x86-64 level built.

    python bench/python_kernels.py --channel DIR [--runs 3]

``DIR`` holds the base plate's Python chain and the build backends (see the README section
"Python packages"); when it has no ``kernels-python`` builds yet, they are built into it from
``examples/kernels-python`` (levels 1, 3 and 4: the recipe's variants.yaml) with the CPU-level
markers. Every build is
installed with ``python`` into its own prefix by py-rattler, solved against this machine's
virtual packages (a level the CPU lacks is reported as skipped), and
``bench/python/time_kernels.py`` runs in it with that prefix's Python: microseconds per call
of ``dot``, ``saxpy``, ``matmul`` and ``poly`` (kernelbench's sizes; the Python call is
included) and the speedup ``x`` over the level-1 build (above 1.0 = faster).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import microarch  # bench/microarch.py: the same table, notes and install

from conda_forge_like import api

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "examples" / "kernels-python"
TIMER = Path(__file__).resolve().parent / "python" / "time_kernels.py"


def run(prefix: Path, runs: int) -> tuple[dict[str, float], str, str]:
    best: dict[str, float] = {}
    module = info = ""
    for _ in range(runs):
        out = subprocess.run([prefix / "bin" / "python", TIMER], capture_output=True, text=True,
                             check=True).stdout  # fmt: skip
        for line in out.splitlines():
            word, _, rest = line.partition(" ")
            if word == "kernel":
                name, value = rest.split()
                best[name] = min(best.get(name, float("inf")), float(value))
            elif word == "module":
                module = rest
            elif word == "build":
                info = rest.split(" (")[0]
    return best, module, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channel", type=Path, required=True,
                        help="channel: python, build backends, kernels-python")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="runs per build (best time wins)")
    args = parser.parse_args(argv)
    channel = args.channel.resolve()
    if not microarch.builds(channel, "kernels-python"):
        markers = ROOT / "recipes" / "x86_64-microarch-level"
        api.build([markers, RECIPE], output_dir=channel, target_platform="linux-64", jobs=2)
    results = []
    with tempfile.TemporaryDirectory(prefix="cfl-bench-pykernels-") as tmp:
        for build in microarch.builds(channel, "kernels-python"):
            prefix = Path(tmp) / f"env-{build.level}"
            specs = ["python", f"kernels-python ==1.0.0 {build.build}"]
            if not microarch.install([channel], specs, prefix):
                results.append(microarch.Result(build, None))
                continue
            times, module, info = run(prefix, args.runs)
            results.append(microarch.Result(build, times, module, info))
    print(f"kernels-python: us per call from Python (best of {args.runs} runs x 5 rounds);")
    print("x = speedup over the level-1 build")
    print("\n".join(microarch.table(results)))
    for r in results:
        if r.times is not None:
            print(f"v{r.build.level}: {r.isa}, imported {r.library}")
    for line in microarch.notes(results):
        print("note: " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
