#!/bin/bash
set -ex
echo top >> "${CFL_TEST_TOP_COUNTER:-/dev/null}"
mkdir -p built "$PREFIX/include/v0shared" "$PREFIX/lib/pkgconfig" "$PREFIX/share/v0shared"
echo "static archive" > built/libv0shared.a
echo "#define V0SHARED 1" > "$PREFIX/include/v0shared/v0shared.h"
echo "Name: v0shared" > "$PREFIX/lib/pkgconfig/v0shared.pc"
echo data > "$PREFIX/lib/v0shared.txt"
echo doc > "$PREFIX/share/v0shared/README"
