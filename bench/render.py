"""Render 50 recipe.yaml files x 12 variants with cfl and with py-rattler-build, in one run.

    python bench/render.py [--repeat 5]

Each recipe gets its own ``variants.yaml`` (python/numpy zipped x3, zlib x2, libpng x2 = 12
variants). Both sides read the recipe and variant files from disk and render every variant;
rattler-build through its offline Python API (``Stage0Recipe.render``), cfl in-process through
``conda_forge_like.api.render``. Prints the best wall time of each, variants per second, and the
ratio cfl / rattler-build (below 1.0 means cfl is faster).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import rattler_build as rb

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per side (best wins)")
    args = parser.parse_args(argv)
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
