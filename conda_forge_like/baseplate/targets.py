"""The five targets of the base plate, and the CPU-level flag table.

Pure data. ``TARGETS["linux-aarch64"].conda_triple`` -> ``"aarch64-conda-linux-gnu"``;
``cpu_flags("zig", 4)`` -> ``("-mcpu=x86_64_v4", "-mprefer-vector-width=512")``.
"""

from __future__ import annotations

from .model import Target

# The C library floors every package is built against (glibc 2.17 = CentOS 7, macOS 11).
GLIBC_FLOOR = "2.17"
MACOS_FLOOR = "11.0"

# conda-forge's compiler names map onto the base plate's three toolchains.
TOOLCHAIN_OF = {
    "zig": "zig", "zigxx": "zig", "gcc": "gcc", "gxx": "gcc", "clang": "clang", "clangxx": "clang",
}  # fmt: skip

TARGETS: dict[str, Target] = {
    "linux-64": Target(
        "linux-64", "linux", "x86_64", "x86_64-conda-linux-gnu", "x86_64-unknown-linux-gnu",
        "glibc", GLIBC_FLOOR, "Linux", "x86_64", "linux", "x86_64",
    ),
    "linux-aarch64": Target(
        "linux-aarch64", "linux", "aarch64", "aarch64-conda-linux-gnu",
        "aarch64-unknown-linux-gnu", "glibc", GLIBC_FLOOR, "Linux", "aarch64", "linux", "aarch64",
    ),
    "osx-64": Target(
        "osx-64", "osx", "x86_64", "x86_64-apple-darwin13.4.0", "x86_64-apple-macos11.0",
        "macos", MACOS_FLOOR, "Darwin", "x86_64", "darwin", "x86_64",
    ),
    "osx-arm64": Target(
        "osx-arm64", "osx", "arm64", "arm64-apple-darwin20.0.0", "arm64-apple-macos11.0",
        "macos", MACOS_FLOOR, "Darwin", "arm64", "darwin", "aarch64",
    ),
    "win-64": Target(
        "win-64", "win", "x86_64", "x86_64-w64-mingw32", "x86_64-w64-windows-gnu",
        "mingw", "", "Windows", "AMD64", "windows", "x86_64", ".exe",
    ),
}  # fmt: skip

# x86-64 micro-architecture levels (psABI): what each adds over the one below.
LEVEL_FEATURES: dict[int, str] = {
    1: "baseline x86-64 (SSE2)",
    2: "SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT, CMPXCHG16B, LAHF/SAHF",
    3: "AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE, XSAVE",
    4: "AVX-512 F, BW, CD, DQ, VL",
}
ARCHSPEC_NAMES = {1: "x86_64", 2: "x86_64_v2", 3: "x86_64_v3", 4: "x86_64_v4"}
