#!/usr/bin/env bash
set -euo pipefail
# --disable-multi-os-directory: the library goes to $PREFIX/lib, never lib64 or lib/../lib64.
./configure --prefix="$PREFIX" --build="$BUILD" --host="$HOST" --disable-static \
  --disable-debug --disable-docs --disable-multi-os-directory --disable-exec-static-tramp
make -j"${CPU_COUNT:-2}"
make install
rm -f "$PREFIX"/lib/*.la
rm -rf "$PREFIX/share"
