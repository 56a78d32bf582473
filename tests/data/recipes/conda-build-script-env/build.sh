#!/bin/bash
set -euo pipefail

out="$PREFIX/share/$PKG_NAME"
mkdir -p "$out"
# Variables a conda-forge build script may read; `set -u` fails on a missing one. Their values
# go into the package (not the path-valued ones: the package may not hold build paths).
for name in CONDA_BUILD CONDA_BUILD_STATE SHLIB_EXT CONDA_BUILD_CROSS_COMPILATION \
    build_platform target_platform host_platform SUBDIR ARCH HOST BUILD build_alias host_alias \
    CONDA_TOOLCHAIN_HOST CONDA_TOOLCHAIN_BUILD CPU_COUNT PKG_NAME PKG_VERSION PKG_BUILDNUM \
    PKG_HASH PKG_BUILD_STRING PYTHONNOUSERSITE; do
  printf '%s=%s\n' "$name" "${!name}" >> "$out/env.txt"
done
for name in PREFIX BUILD_PREFIX SRC_DIR RECIPE_DIR CONDA_PREFIX CONDA_DEFAULT_ENV \
    PKG_CONFIG_PATH CMAKE_ARGS MESON_ARGS CC CXX CC_FOR_BUILD CXX_FOR_BUILD AR RANLIB STRIP NM LD \
    CFLAGS CXXFLAGS CPPFLAGS LDFLAGS; do
  test -n "${!name}"
  printf '%s is set\n' "$name" >> "$out/env.txt"
done
if [[ "${CROSSCOMPILING_EMULATOR:-}" != "" ]]; then
  printf 'CROSSCOMPILING_EMULATOR is set\nQEMU_LD_PREFIX=%s\n' "$QEMU_LD_PREFIX" >> "$out/env.txt"
fi
test -f "$SRC_DIR/data/input.txt"
test "$PWD" = "$SRC_DIR"
