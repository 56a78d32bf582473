#!/usr/bin/env bash
set -euo pipefail
./configure --prefix="$PREFIX" --build="$BUILD" --host="$HOST" --disable-static \
  --with-curses --disable-install-examples
# readline's shared libraries name their terminal library, so programs need not
make -j"${CPU_COUNT:-2}" SHLIB_LIBS="-L$PREFIX/lib -ltinfow"
make install SHLIB_LIBS="-L$PREFIX/lib -ltinfow"
rm -rf "$PREFIX/share" "$PREFIX/bin"
