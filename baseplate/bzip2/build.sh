#!/usr/bin/env bash
set -euo pipefail
flags=(CC="$CC" AR="${AR:-ar}" RANLIB="${RANLIB:-ranlib}" CFLAGS="${CFLAGS:-} -fPIC -D_FILE_OFFSET_BITS=64" LDFLAGS="${LDFLAGS:-}")
make -j"${CPU_COUNT:-2}" libbz2.a bzip2 bzip2recover "${flags[@]}"
if [[ "${CONDA_BUILD_CROSS_COMPILATION:-0}" != 1 ]]; then
  make check "${flags[@]}"
fi
make install PREFIX="$PREFIX" "${flags[@]}"

objs=(blocksort.o huffman.o crctable.o randtable.o compress.o decompress.o bzlib.o)
case "$target_platform" in
  linux-*)
    $CC -shared -Wl,-soname -Wl,libbz2.so.1.0 -o "$PREFIX/lib/libbz2.so.$PKG_VERSION" "${objs[@]}" ${LDFLAGS:-}
    ln -sf "libbz2.so.$PKG_VERSION" "$PREFIX/lib/libbz2.so.1.0"
    ln -sf "libbz2.so.$PKG_VERSION" "$PREFIX/lib/libbz2.so"
    ;;
  osx-*)
    $CC -dynamiclib -install_name @rpath/libbz2.1.0.dylib -current_version "$PKG_VERSION" \
      -compatibility_version 1.0 -o "$PREFIX/lib/libbz2.$PKG_VERSION.dylib" "${objs[@]}" ${LDFLAGS:-}
    ln -sf "libbz2.$PKG_VERSION.dylib" "$PREFIX/lib/libbz2.1.0.dylib"
    ln -sf "libbz2.$PKG_VERSION.dylib" "$PREFIX/lib/libbz2.dylib"
    ;;
esac
# upstream installs its man pages under $PREFIX/man and symlinks with absolute targets
rm -rf "$PREFIX/man"
for tool in bzcmp bzegrep bzfgrep bzless; do
  [[ -L "$PREFIX/bin/$tool" ]] && ln -sf "$(basename "$(readlink "$PREFIX/bin/$tool")")" "$PREFIX/bin/$tool"
done
