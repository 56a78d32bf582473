#!/usr/bin/env bash
set -euo pipefail
# Windows packages keep bin/, lib/ and include/ under %LIBRARY_PREFIX% ($PREFIX/Library), as
# conda-forge's do; LIBRARY_PREFIX is set only for win targets.
cmake -S . -B build -G Ninja ${CMAKE_ARGS:-} \
  -DCMAKE_INSTALL_PREFIX="${LIBRARY_PREFIX:-$PREFIX}" -DCMAKE_PREFIX_PATH="${LIBRARY_PREFIX:-$PREFIX}" -DCMAKE_BUILD_TYPE=Release
cmake --build build
cmake --install build
