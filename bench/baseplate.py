"""Build the base plate's Python chain from upstream sources and time each recipe.

    python bench/baseplate.py [--target-platform linux-64] [--channel DIR] [--core]
                              [--source-cache ../shared/sources] [--jobs N]

Builds ``baseplate/{zlib,bzip2,xz,libffi,ncurses,readline,openssl,python}`` in dependency
order, one ``cfl build`` process per recipe into one channel, offline from the source cache,
and prints one row per package: wall time of its recipe's build (shared by the outputs of one
recipe), and the package's size. ``--core`` builds the short chain CI builds (zlib, libffi and
python with ``cpython_libs=core``). A cross target (``linux-aarch64``) needs the linux-64
python in the channel first: the script builds it when missing. Tests run as part of each
build, as for a user.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from cfl_command import cfl

ROOT = Path(__file__).resolve().parents[1]
FULL = ["zlib", "bzip2", "xz", "libffi", "ncurses", "readline", "openssl", "python"]
CORE = ["zlib", "libffi", "python"]


def build(recipe: str, channel: Path, target: str, cache: Path, extra: list[str]) -> float:
    command = cfl("build", str(ROOT / "baseplate" / recipe), "--output-dir", str(channel),
                  "--target-platform", target, "--source-cache", str(cache), "--skip-existing",
                  *extra)  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{recipe} ({target}) failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def packages(channel: Path, target: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    repodata = channel / target / "repodata.json"
    if repodata.is_file():
        data = json.loads(repodata.read_text())
        for filename, record in data.get("packages.conda", {}).items():
            found[record["name"]] = channel / target / filename
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target-platform", default="linux-64")
    parser.add_argument("--channel", type=Path, default=ROOT / "output" / "baseplate")
    shared = next((p / "shared" for p in ROOT.parents[:2] if (p / "shared").is_dir()), ROOT.parent)
    parser.add_argument("--source-cache", type=Path, default=shared / "sources")
    parser.add_argument("--core", action="store_true", help="the short chain CI builds")
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # byte code cached, as for an install
    extra = ["--variant", "cpython_libs=core"] if args.core else []
    chain = CORE if args.core else FULL
    target = args.target_platform
    if target != "linux-64" and "python" not in packages(args.channel, "linux-64"):
        print("building the linux-64 chain first: the cross build runs its python")
        for recipe in chain:
            build(recipe, args.channel, "linux-64", args.source_cache, extra)
    print(f"{'package':<12} {'recipe':<10} {'seconds':>8} {'MB':>7}")
    for recipe in chain:
        before = set(packages(args.channel, target))
        seconds = build(recipe, args.channel, target, args.source_cache, extra)
        for name, path in sorted(packages(args.channel, target).items()):
            if name not in before:
                size = path.stat().st_size / 1e6
                print(f"{name:<12} {recipe:<10} {seconds:8.0f} {size:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
