"""Time the prefix scan, relocation and ABI checks over ~200 MB of real ELF binaries.

    python bench/inspect [--size-mb 200] [--repeat 3]

Builds a package-like tree under a padded 255-character host prefix (as ``cfl build`` does):
a real shared library and a program that link each other through an absolute RPATH, plus
large ELF shared objects whose ``.rodata`` holds a 16 MB pseudo-random table (``.incbin``),
copied until the tree reaches the size asked for; every other large object holds the padded
prefix in a C string. Times ``relocate.scan`` (best of ``--repeat``), ``relocate.relocate``
(the first run rewrites the RPATHs with patchelf) and ``abi.check`` with the prefix-string
checks on, and prints MB/s for each and whether the scan reaches the 1 GB/s target.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from conda_forge_like import abi, relocate
from conda_forge_like.build.environments import padded_prefix

TABLE_MB = 16
SCAN_TARGET = 1000.0  # MB/s
COMPILER = [sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-linux-gnu.2.17"]
FLAGS = ["-O2", "-fPIC", "-fwritable-strings"]  # the base plate's zig flags

LIBRARY_C = """
const char *bench_datadir(void) { return DATADIR; }
int bench_add(int a, int b) { return a + b; }
"""
PROGRAM_C = """
#include <stdio.h>
const char *bench_datadir(void);
int bench_add(int, int);
int main(void) { printf("%s %d\\n", bench_datadir(), bench_add(2, 3)); return 0; }
"""
TABLE_C = """
__asm__(".section .rodata.bench_table,\\"a\\"\\n"
        ".globl bench_table\\nbench_table:\\n.incbin \\"TABLE\\"\\n.previous");
extern const unsigned char bench_table[];
const unsigned char *bench_table_start(void) { return bench_table; }
#ifdef DATADIR
static const char datadir[] = DATADIR;
const char *bench_datadir(void) { return datadir; }
#endif
"""


def compile_c(work: Path, name: str, source: str, output: Path, *flags: str) -> None:
    path = work / f"{name}.c"
    path.write_text(source, encoding="utf-8")
    command = [*COMPILER, *FLAGS, *flags, "-o", str(output), str(path)]
    subprocess.run(command, check=True, capture_output=True, cwd=work)


def build_tree(work: Path, prefix: Path, size_mb: int) -> list[str]:
    """The package's files (relative to ``prefix``), ELF only, about ``size_mb`` MB in all."""
    (prefix / "lib").mkdir(parents=True)
    (prefix / "bin").mkdir()
    datadir = f'-DDATADIR="{prefix}/share/bench"'
    rpath = f"-Wl,-rpath,{prefix}/lib"
    compile_c(work, "library", LIBRARY_C, prefix / "lib" / "libbench.so", "-shared", datadir,
              "-Wl,-soname,libbench.so")  # fmt: skip
    compile_c(work, "program", PROGRAM_C, prefix / "bin" / "bench", str(prefix / "lib" /
              "libbench.so"), rpath)  # fmt: skip
    (work / "table.bin").write_bytes(random.Random(0).randbytes(TABLE_MB << 20))
    plain, holding = work / "plain.so", work / "holding.so"
    table = TABLE_C.replace("TABLE", str(work / "table.bin"))
    compile_c(work, "plain", table, plain, "-shared", rpath)
    compile_c(work, "holding", table, holding, "-shared", rpath, datadir)
    files = ["lib/libbench.so", "bin/bench"]
    for i in range(max(1, size_mb // TABLE_MB)):
        relpath = f"lib/libtable{i:02d}.so"
        shutil.copyfile(holding if i % 2 else plain, prefix / relpath)
        files.append(relpath)
    return files


def megabytes(root: Path, files: list[str]) -> float:
    return sum((root / f).stat().st_size for f in files) / 1e6


def timed(repeat: int, func: Callable[[], object], before: Callable[[], object] = list
          ) -> tuple[float, object]:  # fmt: skip
    """The best wall time of ``func`` (``before`` runs untimed ahead of each) and its result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def restore(pristine: Path, prefix: Path) -> None:
    """Put the unrelocated tree back, so every relocation run rewrites the RPATHs again."""
    shutil.rmtree(prefix, ignore_errors=True)
    shutil.copytree(pristine, prefix, symlinks=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="size of the binaries (MB)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (best wins)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cfl-bench-") as tmp:
        work = Path(tmp)
        prefix, pristine = padded_prefix(work), work / "pristine"
        files = build_tree(work, prefix, args.size_mb)
        shutil.copytree(prefix, pristine, symlinks=True)
        size, text = megabytes(prefix, files), str(prefix)
        # The order of a build: relocate (RPATHs), then scan for paths.json, then check.
        reloc_s, report = timed(args.repeat, lambda: relocate.relocate(prefix, files, text,
                                "linux-64"), lambda: restore(pristine, prefix))  # fmt: skip
        scan_s, matches = timed(args.repeat, lambda: relocate.scan(prefix, files, text))
        ctx = abi.CheckContext("linux-64", frozenset(files), (), {}, prefix=text)
        check_s, findings = timed(args.repeat, lambda: abi.check(prefix, files, ctx))
    assert isinstance(report, relocate.RelocationReport)
    assert isinstance(matches, list)
    assert isinstance(findings, list)
    print(f"{len(files)} ELF files, {size:.0f} MB under a {len(text)}-character prefix")
    print(f"relocation rewrote {len(report.changed)} RPATH(s); {len(matches)} file(s) still "
          f"hold the prefix; ABI findings: {len(findings)}")  # fmt: skip
    steps = (("prefix scan", scan_s), ("relocation", reloc_s), ("abi check", check_s))
    for label, seconds in steps:
        print(f"{label:<12} best {seconds:.3f} s  {size / seconds:,.0f} MB/s")
    verdict = "meets" if size / scan_s >= SCAN_TARGET else "misses"
    print(f"prefix scan {verdict} the target of >= {SCAN_TARGET / 1000:.0f} GB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
