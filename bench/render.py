"""Render 50 recipe.yaml files x 12 variants with cfl and with py-rattler-build, in one run.

    python bench/render.py [--repeat 5] [--processes [--corpus-jobs N]]

Each recipe gets its own ``variants.yaml`` (python/numpy zipped x3, zlib x2, libpng x2 = 12
variants). Both sides read the recipe and variant files from disk and render every variant;
rattler-build through its offline Python API (``Stage0Recipe.render``), cfl in-process through
``conda_forge_like.api.render``. Prints the best wall time of each, variants per second, and the
ratio cfl / rattler-build (below 1.0 means cfl is faster).

``--processes`` measures whole processes instead, as a user and a CI job run them (start-up
and imports included; byte-code caching on): the 600 variants rendered by one ``cfl render``
process against one py-rattler-build process (alternating, median of ``--repeat``); ``cfl
--version`` and ``cfl render`` of one recipe (``recipes/libgreet``); and every job of
``../shared/corpus`` rendered by its own ``cfl render RECIPE -m JOB --target-platform P``
process as CI does (``--corpus-jobs N`` takes the first N), with the per-job median, beside
py-rattler-build's per-process median on the recipe.yaml jobs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rattler_build as rb
from cfl_command import cfl

from conda_forge_like import api

RECIPES = 50
VARIANTS_PER_RECIPE = 12
PLATFORM = "linux-64"

VARIANTS = """\
python: ["3.10", "3.11", "3.12"]
numpy: ["1.26", "2.0", "2.1"]
zlib: ["1.2", "1.3"]
libpng: ["1.5", "1.6"]
c_compiler: [gcc]
c_compiler_version: ["13"]
cxx_compiler: [gxx]
cxx_compiler_version: ["13"]
c_stdlib: [sysroot]
c_stdlib_version: ["2.17"]
openssl: ["3"]
zip_keys:
  - [python, numpy]
"""

# {i} numbers the recipe; the feature lines below differ between recipes so that no two are
# the same text (and no cache can pretend they are).
RECIPE = """\
context:
  name: bench-pkg{i}
  version: "1.{i}.{patch}"
  major: ${{{{ (version | split('.'))[0] }}}}

package:
  name: ${{{{ name }}}}
  version: ${{{{ version }}}}

source:
  url: https://example.com/${{{{ name }}}}-${{{{ version }}}}.tar.gz
  sha256: {sha}

build:
  number: {number}
  script:
    - cmake -DPYTHON=${{{{ python }}}} -DMAJOR=${{{{ major }}}} .
    - make install

requirements:
  build:
    - ${{{{ compiler('c') }}}}
    - ${{{{ compiler('cxx') }}}}
    - ${{{{ stdlib('c') }}}}
    - cmake
    - if: unix
      then: [make, pkg-config]
      else: m2-make
  host:
    - python
    - numpy
    - zlib
    - libpng
{extra_host}
  run:
    - python
    - numpy >=${{{{ numpy }}}}
    - if: linux
      then: libgcc-ng >=${{{{ c_compiler_version }}}}
{extra_run}

tests:
  - script:
      - test -f $PREFIX/lib/lib${{{{ name }}}}.so
      - python -c "import pkg{i}"

about:
  summary: Benchmark package {i} (major ${{{{ major }}}})
  license: MIT
"""

EXTRAS = [
    ("    - libcurl >=8", "    - libcurl"),
    ("    - openssl", "    - ca-certificates"),
    ("    - if: linux\n      then: libuuid", "    - tzdata"),
    ("    - pybind11 >=2.10", "    - libstdcxx-ng"),
    ("    - cython", "    - typing-extensions >=4"),
]


def write_recipes(root: Path) -> list[Path]:
    dirs = []
    for i in range(RECIPES):
        host, run = EXTRAS[i % len(EXTRAS)]
        text = RECIPE.format(
            i=i, patch=i % 7, number=i % 3, sha=f"{i:064x}", extra_host=host, extra_run=run
        )
        folder = root / f"bench-pkg{i:02d}"
        folder.mkdir()
        (folder / "recipe.yaml").write_text(text, encoding="utf-8")
        (folder / "variants.yaml").write_text(VARIANTS, encoding="utf-8")
        dirs.append(folder)
    return dirs


def render_cfl(dirs: list[Path]) -> list[tuple[str, str]]:
    rendered = api.render(dirs, use_default_variants=False, target_platform=PLATFORM)
    return [(r.name, r.build_string) for r in rendered]


def render_rattler(dirs: list[Path]) -> list[tuple[str, str]]:
    platform = rb.PlatformConfig(target_platform=PLATFORM)
    jinja = rb.JinjaConfig(platform=platform)
    render_config = rb.RenderConfig(platform=platform)
    out = []
    for folder in dirs:
        recipe = rb.Stage0Recipe.from_file(str(folder / "recipe.yaml"))
        variants = rb.VariantConfig.from_file_with_context(str(folder / "variants.yaml"), jinja)
        for rv in recipe.render(variants, render_config):
            stage1 = rv.recipe
            stage1.requirements.to_dict()  # read the result, as cfl builds its objects
            out.append((stage1.package.name, stage1.build.string))
    return out


def best_of(repeat: int, func: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
# One whole py-rattler-build process: the same offline render as render_rattler().
_PEER_PROCESS = """
import sys
import rattler_build as rb
platform = rb.PlatformConfig(target_platform=sys.argv[1])
jinja, config = rb.JinjaConfig(platform=platform), rb.RenderConfig(platform=platform)
count = 0
for folder in sys.argv[2:]:
    recipe = rb.Stage0Recipe.from_file(folder + "/recipe.yaml")
    variants = rb.VariantConfig.from_file_with_context(folder + "/variants.yaml", jinja)
    for rv in recipe.render(variants, config):
        rv.recipe.requirements.to_dict()
        count += 1
print(count)
"""
# One CI job with py-rattler-build, as corpus_render.py's peer runs it (offline render only).
_PEER_JOB = """
import sys, warnings
warnings.simplefilter("ignore")
from rattler_build import build_recipes
recipe, job, platform, out = sys.argv[1:5]
build_recipes([recipe + "/recipe.yaml"], render_only=True, target_platform=platform,
              variant_config=[job], output_dir=out)
"""


def process(command: list[str]) -> tuple[float, bool]:
    """Wall time of one whole process (this checkout's cfl, .pyc caching on) and success."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, cwd=ROOT, check=False)
    return time.perf_counter() - start, done.returncode == 0


def median_of(repeat: int, command: list[str]) -> float:
    process(command)  # warm-up: byte-code written, files in the page cache
    return statistics.median(process(command)[0] for _ in range(repeat))


def corpus_jobs(corpus: Path, limit: int | None) -> list[tuple[Path, Path, str]]:
    sys.path.insert(0, str(ROOT / "bench"))
    import corpus_render  # the same jobs (recipe, variant file, platform)

    corpus_render.CORPUS = corpus
    return corpus_render.jobs()[:limit]


def whole_processes(dirs: list[Path], repeat: int, limit: int | None, corpus: Path) -> None:
    folders = [str(d) for d in dirs]
    ours_cmd = cfl("render", *folders, "--no-default-variants", "--target-platform", PLATFORM)
    theirs_cmd = [sys.executable, "-c", _PEER_PROCESS, PLATFORM, *folders]
    process(ours_cmd), process(theirs_cmd)  # warm-up
    ours, theirs = [], []
    for _ in range(repeat):  # alternating: both sides see the same load
        ours.append(process(ours_cmd)[0])
        theirs.append(process(theirs_cmd)[0])
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"one process, {RECIPES * VARIANTS_PER_RECIPE} variants: cfl median {a:.3f} s, "
          f"rattler-build median {b:.3f} s, ratio {a / b:.2f} (target < 1.0)")  # fmt: skip
    version = median_of(repeat, cfl("--version"))
    bare = median_of(repeat, [sys.executable, "-c", "pass"])
    one = median_of(repeat, cfl("render", "recipes/libgreet"))
    print(f"cfl --version median {version:.3f} s (target < 0.15 s; python -c pass {bare:.3f} s)")
    print(f"cfl render recipes/libgreet median {one:.3f} s (target < 0.3 s)")
    if not corpus.is_dir():
        print(f"no corpus at {corpus}: the per-job part needs ../shared/corpus (or --corpus)")
        return
    corpus_processes(corpus_jobs(corpus, limit))


def corpus_processes(found: list[tuple[Path, Path, str]]) -> None:
    per_job, failed, v1_ours, v1_theirs = [], 0, [], []
    with tempfile.TemporaryDirectory(prefix="cfl-bench-jobs-") as out:
        for recipe, job, platform in found:
            seconds, ok = process(cfl("render", str(recipe), "-m", str(job),
                                      "--target-platform", platform))  # fmt: skip
            per_job.append(seconds)
            failed += not ok
            if (recipe / "recipe.yaml").is_file():
                v1_ours.append(seconds)
                v1_theirs.append(
                    process(
                        [sys.executable, "-c", _PEER_JOB, str(recipe), str(job), platform, out]
                    )[0]
                )
    print(f"corpus, one process per job: {len(per_job)} jobs ({failed} failed), cfl per-job "
          f"median {statistics.median(per_job):.3f} s, total {sum(per_job):.1f} s")  # fmt: skip
    if v1_ours:
        a, b = statistics.median(v1_ours), statistics.median(v1_theirs)
        print(f"  recipe.yaml jobs ({len(v1_ours)}): cfl per-job median {a:.3f} s, "
              f"rattler-build {b:.3f} s, ratio {a / b:.2f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per side (best wins)")
    parser.add_argument("--processes", action="store_true", help="time whole processes")
    parser.add_argument("--corpus-jobs", type=int, default=None, metavar="N",
                        help="with --processes: only the first N corpus jobs")  # fmt: skip
    parser.add_argument("--corpus", type=Path, default=CORPUS, help=f"default: {CORPUS}")
    args = parser.parse_args(argv)
    if args.processes:
        print(f"{os.uname().nodename}: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
        with tempfile.TemporaryDirectory(prefix="cfl-bench-") as tmp:
            whole_processes(write_recipes(Path(tmp)), args.repeat, args.corpus_jobs, args.corpus)
        print(f"load after: {os.getloadavg()[0]:.2f}")
        return 0
    with tempfile.TemporaryDirectory(prefix="cfl-bench-") as tmp:
        dirs = write_recipes(Path(tmp))
        ours, theirs = render_cfl(dirs), render_rattler(dirs)  # warm-up and verification
        expected = RECIPES * VARIANTS_PER_RECIPE
        if len(ours) != expected or len(theirs) != expected:
            print(f"expected {expected} variants: cfl {len(ours)}, rattler-build {len(theirs)}")
            return 1
        if sorted(ours) != sorted(theirs):
            print("cfl and rattler-build rendered different build strings")
            return 1
        cfl_best, cfl_median = best_of(args.repeat, lambda: render_cfl(dirs))
        rb_best, rb_median = best_of(args.repeat, lambda: render_rattler(dirs))
    print(f"{RECIPES} recipes x {VARIANTS_PER_RECIPE} variants = {expected} variants each side")
    print(f"build strings identical on both sides: {len(set(ours))} distinct")
    for label, best, median in (
        ("cfl", cfl_best, cfl_median),
        ("rattler-build", rb_best, rb_median),
    ):
        print(
            f"{label:<14} best {best:.3f} s  median {median:.3f} s  "
            f"{expected / best:,.0f} variants/s"
        )
    print(f"ratio cfl/rattler-build: {cfl_best / rb_best:.2f} (target < 1.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
