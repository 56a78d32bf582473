#!/usr/bin/env bash
set -euo pipefail
make install prefix="$PREFIX" >/dev/null
rm -f "$PREFIX"/lib/libz.a
rm -rf "$PREFIX/share"
