#!/usr/bin/env bash
set -euo pipefail
ver2=${PKG_VERSION%.*}

args=(--prefix="$PREFIX" --build="$BUILD" --host="$HOST" --enable-shared --enable-ipv6
      --with-ensurepip=no --with-computed-gotos --without-static-libpython
      --disable-test-modules --with-system-expat=no --with-dbmliborder=
      --with-tzpath="$PREFIX/share/zoneinfo:/usr/share/zoneinfo")
if [[ -f "$PREFIX/include/openssl/ssl.h" ]]; then
  args+=(--with-openssl="$PREFIX" --with-openssl-rpath=no)
fi
if [[ "${CONDA_BUILD_CROSS_COMPILATION:-0}" == 1 ]]; then
  # the steps that run Python (sysconfig, compileall) use the build machine's
  args+=(--with-build-python="$BUILD_PREFIX/bin/python$ver2"
         ac_cv_file__dev_ptmx=yes ac_cv_file__dev_ptc=no ac_cv_buggy_getaddrinfo=no)
fi
# The base plate refuses __DATE__/__TIME__ (-Werror=date-time: the same sources give the same
# bytes); the build date `sys.version` shows is the source's date instead.
stamp=${SOURCE_DATE_EPOCH:-$(stat -c %Y Modules/getbuildinfo.c)}
sed -i -e "s/^#define DATE __DATE__$/#define DATE \"$(LC_ALL=C date -u -d "@$stamp" '+%b %e %Y')\"/" \
       -e "s/^#define TIME __TIME__$/#define TIME \"$(LC_ALL=C date -u -d "@$stamp" '+%T')\"/" Modules/getbuildinfo.c
# an out-of-tree build keeps the source tree clean for the other outputs
mkdir -p build && cd build
../configure "${args[@]}"
make -j"${CPU_COUNT:-2}"
make install

cd "$PREFIX"
rm -f "lib/libpython$ver2.a" lib/python$ver2/config-$ver2-*/libpython$ver2*.a
ln -sf "python$ver2" bin/python
ln -sf "python$ver2-config" bin/python-config
ln -sf "pydoc$ver2" bin/pydoc

# What the interpreter remembers of its build (sysconfig, python-config, the Makefile that
# extensions' build tools read) names the compilers by name, as on conda-forge, and the
# source tree by the path the binaries' debug info uses: no path of this build machine.
source_map="/usr/local/src/conda/$PKG_NAME-$PKG_VERSION"
for f in lib/python$ver2/_sysconfigdata_*.py lib/python$ver2/config-$ver2-*/Makefile \
         bin/python$ver2-config lib/pkgconfig/python-*.pc; do
  [[ -f "$f" ]] || continue
  sed -i -e "s|$BUILD_PREFIX/bin/||g" -e "s|$SRC_DIR/build|$source_map|g" \
         -e "s|$SRC_DIR|$source_map|g" -e "s|$BUILD_PREFIX|/usr/local/src/conda-build-prefix|g" \
         -e "s| -f[a-z-]*prefix-map=[^ '\"]*||g" "$f"
done
# their byte code was compiled before that edit
rm -f lib/python$ver2/__pycache__/_sysconfigdata_*.pyc
