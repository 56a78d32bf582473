"""Render every CI job of the real feedstocks in ``../shared/corpus`` with cfl and, for the
recipe.yaml jobs, with py-rattler-build, each as one whole process, in the same run.

    python bench/corpus_render.py [--repeat 3]

A job is one ``.ci_support/*.yaml`` file used as the variant file of its feedstock's recipe
(the target platform from its ``target_platform`` key or the file name). Prints the best and
median wall time of: cfl over every job, cfl over the recipe.yaml jobs, rattler-build over the
same recipe.yaml jobs, and the ratio cfl / rattler-build on those (below 1.0: cfl is faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

# Each side reads job lines (recipe, variant file, platform) on stdin and renders them all.
_CFL = """
import json, sys
from conda_forge_like import api
from conda_forge_like.errors import CflError
failed = 0
for line in sys.stdin:
    recipe, job, platform = json.loads(line)
    try:
        api.render([recipe], variant_files=[job], target_platform=platform)
    except CflError:
        failed += 1
print(failed)
"""
_PEER = """
import json, sys, warnings
warnings.simplefilter('ignore')
from rattler_build import build_recipes
failed = 0
for line in sys.stdin:
    recipe, job, platform = json.loads(line)
    try:
        build_recipes([recipe + '/recipe.yaml'], render_only=True, target_platform=platform,
                      variant_config=[job], output_dir=sys.argv[1])
    except Exception:
        failed += 1
print(failed)
"""


def jobs() -> list[tuple[Path, Path, str]]:
    found = []
    for job in sorted(CORPUS.glob("*/.ci_support/*.yaml")):
        variant = yaml.safe_load(job.read_text()) or {}
        platform = (variant.get("target_platform") or ["-".join(job.stem.split("_")[:2])])[0]
        found.append((job.parent.parent / "recipe", job, str(platform)))
    return found


def timed(code: str, lines: list[str], out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        input="".join(lines), capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return time.perf_counter() - start, int(result.stdout.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}: this benchmark needs ../shared/corpus")
        return 0
    all_jobs = jobs()
    v1 = [j for j in all_jobs if (j[0] / "recipe.yaml").is_file()]
    line = lambda j: json.dumps([str(j[0]), str(j[1]), j[2]]) + "\n"  # noqa: E731
    out = Path(tempfile.mkdtemp(prefix="cfl-bench-corpus-"))  # rattler-build's scratch output
    runs: dict[str, list[float]] = {"cfl all": [], "cfl v1": [], "rattler-build v1": []}
    failed: dict[str, int] = {}
    for _ in range(args.repeat):  # alternate the sides so both see the same machine state
        for name, code, subset in (
            ("cfl all", _CFL, all_jobs), ("cfl v1", _CFL, v1), ("rattler-build v1", _PEER, v1),
        ):  # fmt: skip
            seconds, failed[name] = timed(code, [line(j) for j in subset], out)
            runs[name].append(seconds)
    print(f"corpus: {len(all_jobs)} jobs, {len(v1)} recipe.yaml jobs ({CORPUS})")
    for name, times in runs.items():
        count = len(all_jobs) if name == "cfl all" else len(v1)
        print(
            f"{name:18} best {min(times):6.2f} s  median {statistics.median(times):6.2f} s  "
            f"({count} jobs, {failed[name]} failed)"
        )
    ratio = statistics.median(runs["cfl v1"]) / statistics.median(runs["rattler-build v1"])
    print(f"ratio cfl / rattler-build (v1 jobs, median): {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
