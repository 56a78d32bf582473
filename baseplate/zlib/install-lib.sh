#!/usr/bin/env bash
set -euo pipefail
make install prefix="$PREFIX" >/dev/null
# libzlib holds the run-time library only.
rm -rf "$PREFIX/include" "$PREFIX/lib/pkgconfig" "$PREFIX/share" "$PREFIX"/lib/libz.a
rm -f "$PREFIX"/lib/libz.so "$PREFIX"/lib/libz.dylib
