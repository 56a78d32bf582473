"""Whole-process builds with cfl and with py-rattler-build, in one run, on the same recipes.

    python bench/build.py [--runs 5] [--variants 16] [--jobs 2]

1. ``bench/recipes/trivial`` (no compiler, no dependency, no source, no test) built ``--runs``
   times by each side, alternating, each run a new process into a new output channel; prints
   both medians and the ratio cfl / rattler-build (target below 1.0).
2. ``bench/recipes/small-c`` over a ``--variants``-value matrix (``level: [1..16]``):
   ``cfl build --jobs 2`` against py-rattler-build building the same variants one after
   another in one process; prints both medians and the ratio (target 0.6 or less). cfl builds
   with its base plate (``compiler('c')`` is zig, and its ABI checks run); py-rattler-build
   resolves ``compiler('c')`` to a compiler package that no offline channel has, so its copy
   of the recipe drops that line and its script calls the machine's gcc (``${CC:-gcc}``).
3. The no-op rerun: ``cfl build --skip-existing`` into the channel of (2), where every
   variant is already built (target below 0.5 s); and ``cfl --version`` beside
   ``python -c pass``, the interpreter's own start-up.

Every process runs with ``sys.executable`` and byte-code caching on (PYTHONDONTWRITEBYTECODE
unset, as for an installed package); one warm-up run per side comes first. py-rattler-build
builds against an empty local channel (it needs no network). Runs with tests off on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cfl_command import cfl

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "bench" / "recipes"

_PEER = """
import sys, warnings
warnings.simplefilter("ignore")
import rattler_build
recipe, out, channel, variants = sys.argv[1:5]
rattler_build.build_recipes([recipe], channel=[channel], output_dir=out, test="skip",
                            variant_config=[variants] if variants else None)
"""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's cfl
    return env


def run(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=environment(), cwd=ROOT)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n" + "\n".join(tail))
    return elapsed


def peer(recipe: Path, out: Path, channel: Path, variants: Path | None = None) -> list[str]:
    return [sys.executable, "-c", _PEER, str(recipe), str(out), channel.as_uri(),
            str(variants or "")]  # fmt: skip


def empty_channel(root: Path) -> Path:
    for subdir in ("noarch", "linux-64"):
        (root / subdir).mkdir(parents=True, exist_ok=True)
        data = {"info": {"subdir": subdir}, "packages": {}, "packages.conda": {}}
        (root / subdir / "repodata.json").write_text(json.dumps(data))
    return root


def alternate(
    runs: int, ours: Callable[[int], list[str]], theirs: Callable[[int], list[str]]
) -> tuple[list[float], list[float]]:
    """Warm up both, then time ``runs`` of each, alternating (the same load on both)."""
    run(ours(-1))
    run(theirs(-1))
    cfl_times, peer_times = [], []
    for i in range(runs):
        cfl_times.append(run(ours(i)))
        peer_times.append(run(theirs(i)))
    return cfl_times, peer_times


def show(label: str, ours: list[float], theirs: list[float], target: str) -> None:
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"{label}")
    print(f"  cfl            median {a:.3f} s  (runs: {', '.join(f'{t:.2f}' for t in ours)})")
    print(f"  rattler-build  median {b:.3f} s  (runs: {', '.join(f'{t:.2f}' for t in theirs)})")
    print(f"  ratio cfl/rattler-build: {a / b:.2f} (target {target})")


def peer_recipe(tmp: Path) -> Path:
    """small-c without ``compiler('c')`` (no channel offline has a compiler package)."""
    folder = tmp / "small-c-peer"
    shutil.copytree(RECIPES / "small-c", folder)
    text = (folder / "recipe.yaml").read_text()
    (folder / "recipe.yaml").write_text(text.split("requirements:")[0])
    return folder / "recipe.yaml"


def trivial(tmp: Path, runs: int, channel: Path) -> None:
    recipe = RECIPES / "trivial"
    ours, theirs = alternate(
        runs,
        lambda i: cfl("build", str(recipe), "--output-dir", str(tmp / f"cfl-trivial-{i}")),
        lambda i: peer(recipe / "recipe.yaml", tmp / f"rb-trivial-{i}", channel),
    )
    show("1. trivial recipe, one build per process", ours, theirs, "< 1.0")


def matrix(tmp: Path, runs: int, count: int, jobs: int, channel: Path) -> Path:
    variants = tmp / "variants.yaml"
    variants.write_text(f"level: [{', '.join(str(i) for i in range(1, count + 1))}]\n")
    recipe, theirs_recipe = RECIPES / "small-c", peer_recipe(tmp)
    last = tmp / f"cfl-matrix-{runs - 1}"
    options = ["-m", str(variants), "--jobs", str(jobs)]
    ours, theirs = alternate(
        runs,
        lambda i: cfl("build", str(recipe), *options, "--output-dir", str(tmp / f"cfl-matrix-{i}")),
        lambda i: peer(theirs_recipe, tmp / f"rb-matrix-{i}", channel, variants),
    )
    built = len(list((last / "linux-64").glob("*.conda")))
    peer_built = len(list((tmp / f"rb-matrix-{runs - 1}" / "linux-64").glob("*.conda")))
    show(f"2. small C recipe x {count} variants: cfl --jobs {jobs} vs rattler-build one after "
         f"another ({built} and {peer_built} packages)", ours, theirs, "<= 0.6")  # fmt: skip
    return last


def noop(runs: int, channel: Path, recipe: list[str], what: str) -> None:
    args = ["build", *recipe, "--skip-existing", "--output-dir", str(channel)]
    times = [run(cfl(*args)) for _ in range(runs)]
    print(f"3. no-op rerun, --skip-existing over {what}")
    print(f"  cfl            median {statistics.median(times):.3f} s (target < 0.5 s)")
    version = [run(cfl("--version")) for _ in range(runs)]
    bare = [run([sys.executable, "-c", "pass"]) for _ in range(runs)]
    print(f"  cfl --version  median {statistics.median(version):.3f} s (target < 0.15 s); "
          f"python -c pass {statistics.median(bare):.3f} s")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per side (median)")
    parser.add_argument("--variants", type=int, default=16, help="size of the C matrix")
    parser.add_argument("--jobs", type=int, default=2, help="cfl build --jobs for the matrix")
    parser.add_argument("--skip-matrix", action="store_true",
                        help="no part 2; part 3 reruns the trivial recipe")  # fmt: skip
    args = parser.parse_args(argv)
    print(f"{os.uname().nodename}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="cfl-bench-build-") as name:
        tmp = Path(name)
        channel = empty_channel(tmp / "empty-channel")
        trivial(tmp, args.runs, channel)
        if args.skip_matrix:
            noop(args.runs, tmp / "cfl-trivial-0", [str(RECIPES / "trivial")], "the trivial one")
        else:
            built = matrix(tmp, args.runs, args.variants, args.jobs, channel)
            recipe = [str(RECIPES / "small-c"), "-m", str(tmp / "variants.yaml")]
            noop(args.runs, built, recipe, f"{args.variants} built variants")
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
