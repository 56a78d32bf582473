#!/usr/bin/env bash
# Top-level build: compile once into the shared work directory; the outputs install from it.
set -euo pipefail
CFLAGS="${CFLAGS:-} -fPIC" ./configure --prefix="$PREFIX" --shared
make -j"${CPU_COUNT:-2}"
if [[ "${CONDA_BUILD_CROSS_COMPILATION:-0}" != 1 ]]; then
  make check
fi
