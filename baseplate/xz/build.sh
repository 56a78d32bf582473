#!/usr/bin/env bash
set -euo pipefail
./configure --prefix="$PREFIX" --build="$BUILD" --host="$HOST" \
  --disable-static --disable-doc --disable-nls --disable-scripts
make -j"${CPU_COUNT:-2}"
if [[ "${CONDA_BUILD_CROSS_COMPILATION:-0}" != 1 ]]; then
  make check -j"${CPU_COUNT:-2}"
fi
make install
rm -f "$PREFIX"/lib/*.la
rm -rf "$PREFIX/share"
