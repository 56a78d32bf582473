#!/usr/bin/env bash
set -euo pipefail
cmake -S . -B build -G Ninja ${CMAKE_ARGS:-} \
  -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_BUILD_TYPE=Release
cmake --build build
cmake --install build
