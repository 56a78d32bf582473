#!/usr/bin/env bash
set -euo pipefail
case "$target_platform" in
  linux-64) target=linux-x86_64 ;;
  linux-aarch64) target=linux-aarch64 ;;
  osx-64) target=darwin64-x86_64-cc ;;
  osx-arm64) target=darwin64-arm64-cc ;;
  *) echo "openssl: no Configure target for $target_platform" >&2; exit 1 ;;
esac
# libcrypto keeps its compiler command line (`openssl version -f`): name the compiler by name
# (it is on PATH) and leave the path maps out of it (the base plate's compiler adds the
# source tree's map itself), so no path of this build machine is in the library.
export CC=${CC##*/}
CFLAGS=$(sed -E 's/(^| )-f[a-z-]*prefix-map=[^ ]*//g' <<< "${CFLAGS:-}")
CXXFLAGS=$(sed -E 's/(^| )-f[a-z-]*prefix-map=[^ ]*//g' <<< "${CXXFLAGS:-}")
export CFLAGS CXXFLAGS
# Configure reads CC/CFLAGS/LDFLAGS from the environment; --libdir=lib keeps lib64 away.
perl ./Configure "$target" --prefix="$PREFIX" --openssldir="$PREFIX/ssl" --libdir=lib \
  shared threads no-ssl3 no-zlib no-tests enable-legacy
make -j"${CPU_COUNT:-2}"
make install_sw install_ssldirs >/dev/null
rm -f "$PREFIX"/lib/*.a
rm -rf "$PREFIX/ssl/misc" "$PREFIX/share"
