"""The conda subdirs cfl knows, as a closed set; a module of its own so that the command line
names them without loading anything else."""

from __future__ import annotations

from typing import Literal, get_args

# Every subdir conda knows (conda's ``KNOWN_SUBDIRS``): rendering works for each of them; a
# build for one the base plate cannot target fails in ``baseplate.resolve`` with the list of
# those it can.
Subdir = Literal[
    "linux-64", "linux-aarch64", "linux-ppc64le", "linux-32", "linux-armv6l", "linux-armv7l",
    "linux-ppc64", "linux-riscv64", "linux-s390x", "osx-64", "osx-arm64", "win-64",
    "win-arm64", "win-32", "freebsd-64", "emscripten-wasm32", "wasi-wasm32", "zos-z", "noarch",
]  # fmt: skip
SUBDIRS: tuple[str, ...] = get_args(Subdir)
