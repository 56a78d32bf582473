"""Run inside an environment holding kernels-python: times each kernel called from Python.

Prints ``build <info>``, ``module <path>`` and one ``kernel NAME US`` line per kernel (best
of 5 rounds, microseconds per call, the Python call included). The sizes and call counts
are kernelbench's own (bench.c), so the two benchmarks compare.
"""

import ctypes
import sys
import time

import kernels


def aligned(n: int, scale: float) -> memoryview:
    """n float32 values starting on a 64-byte boundary (a whole zmm load per cache line)."""
    raw = bytearray(n * 4 + 64)
    skip = -ctypes.addressof(ctypes.c_char.from_buffer(raw)) % 64
    view = memoryview(raw)[skip : skip + n * 4].cast("f")
    for i in range(n):
        view[i] = scale * ((i * 7919) % 1000) / 1000.0
    return view


def best(call, calls: int, rounds: int) -> float:
    fastest = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        fastest = min(fastest, (time.perf_counter() - start) / calls * 1e6)
    return fastest


def main() -> int:
    quick = "--quick" in sys.argv
    small, large, mat = 4096, 1 << 23, 192
    x, y, out = aligned(small, 1.0), aligned(small, 0.5), aligned(small, 0.0)
    big_x, big_y = aligned(large, 1.0), aligned(large, 0.25)
    a, b, c = aligned(mat * mat, 1.0), aligned(mat * mat, 0.5), aligned(mat * mat, 0.0)
    runs = {
        "dot": (lambda: kernels.dot(x, y), 20000),
        "saxpy": (lambda: kernels.saxpy(1e-6, big_x, big_y), 8),
        "matmul": (lambda: kernels.matmul(a, b, c, mat), 20),
        "poly": (lambda: kernels.poly(x, out), 4000),
    }
    print("build", kernels.build_info())
    print("module", kernels._kernels.__file__)
    for name, (call, calls) in runs.items():
        n = max(1, calls // 100) if quick else calls
        print(f"kernel {name} {best(call, n, 1 if quick else 5):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
