"""The text of a compiler wrapper (``x86_64-conda-linux-gnu-cc``): the base plate's compiler
with gcc's observable behaviour, wherever build systems notice a difference.

Pure. ``compiler_script(["/.../zig", "cc", "-target", "x86_64-linux-gnu.2.17"], ...)`` -> a
bash script that, on top of the command:

- maps ``$SRC_DIR``, the prefixes and the work directory in ``__FILE__`` and debug info
  (``-ffile-prefix-map``), and adds the string-merge guard (``guards``), in the compiler
  itself so a script that replaces ``$CFLAGS`` (``cmake -DCMAKE_C_FLAGS=-O3``, CMake's ASM
  compiles, ``$CC -O2 -o x x.c``) still leaks no build path and merges no prefix string;
- zig only: no DWARF without ``-g`` (zig emits it by default, and links its runtime's; gcc
  does neither); ``-c`` with
  several sources and no ``-o`` writes one ``x.o`` per source in the current directory, as gcc
  does (zig writes one object for all of them, and ``x.obj`` for windows targets); a link step
  on Linux accepts a version script naming undefined symbols (GNU ld does; lld needs
  ``--undefined-version``), so configure scripts do not conclude "no shared library support";
- zig only: drops gcc flags zig rejects or warns about that change nothing it does
  (``-static-libgcc``, ``-static-libstdc++``, ``-Wl,-O2``, ``-Wl,-Bsymbolic-functions``,
  ``-Wl,-rpath-link``, ``-L`` of a folder that does not exist);
- links the ISA-level note object into x86-64-v2+ link steps.
"""

from __future__ import annotations

import shlex

from ..records import dataclass


@dataclass(frozen=True)
class CompilerBehaviour:
    zig: bool  # apply the zig-to-gcc corrections
    os: str  # the target's os: linux | osx | win
    link_object: str | None = None  # the ISA note, added to link steps
    cxx: bool = False  # the C++ driver (zig links its libc++ statically into what it links)
    before: str = ""  # shell lines run first (the lazy warm-up of a runtime not built yet)
    guards: tuple[str, ...] = ()  # added to every compile of C/C++ code (string-merge guard)
    runtime_debug_script: str | None = None  # zig, linux: drops the runtime's DWARF in -g links


_SOURCES = "*.c|*.cc|*.cpp|*.cxx|*.C|*.c++|*.m|*.mm|*.s|*.S|*.sx|*.asm"

# gcc flags zig rejects or warns about that change nothing it does: its runtime is linked
# statically anyway, lld has no -O levels to set here, and without -Bsymbolic-functions
# binding is the default one (correct, only without that optimization).
_DROPPED = "-static-libgcc|-static-libstdc++|-Wl,-O[0-9]|-Wl,-Bsymbolic-functions|-Wl,-rpath-link,*"
# The build machine's own header and library folders (CPython's setup.py adds
# /usr/include/<multiarch> and /usr/local/include): zig compiles against its own libc for the
# target, whose headers do not mix with this machine's.
_SYSTEM_DIRS = "|".join(
    f"{flag}{folder}|{flag}{folder}/*"
    for flag, folders in (
        ("-I", ("/usr/include", "/usr/local/include")),
        ("-L", ("/usr/lib", "/usr/lib64", "/usr/local/lib", "/lib", "/lib64")),
    )
    for folder in folders
)
# A library folder that does not exist adds nothing, but zig warns "unable to open library
# directory" for it on every link (LDFLAGS' -L$PREFIX/lib before anything is installed there).
# GNU ld options lld rejects that only make ld print something (ncurses' configure adds
# `-Wl,-soname,NAME,-stats,-lc`): dropped from inside a comma-joined -Wl list; a library
# (`-l...`) inside one, which zig's driver rejects there, becomes a driver argument, and
# GNU ld's short `-hNAME` (CPython's libpython link) its long form `-soname,NAME`.
_DROPPED_LINKER = "-stats"
_FILTER = f"""\
kept=()
for arg in "$@"; do
  case $arg in
    {_DROPPED}|{_SYSTEM_DIRS}) continue ;;
    -L?*) [ -d "${{arg#-L}}" ] || continue ;;
  esac
  case ,$arg, in
    ,-Wl,*,{_DROPPED_LINKER},*|,-Wl,{_DROPPED_LINKER},*|,-Wl,-[lh]*|,-Wl,*,-[lh]*)
      IFS=, read -ra parts <<< "${{arg#-Wl,}}"
      arg=-Wl libs=()
      for part in "${{parts[@]}}"; do
        case $part in
          {_DROPPED_LINKER}) ;;
          -l*) libs+=("$part") ;;
          -h) arg+=",-soname" ;;
          -h*=*) arg+=",$part" ;;
          -h*) arg+=",-soname,${{part#-h}}" ;;
          *) arg+=",$part" ;;
        esac
      done
      [ "$arg" = -Wl ] || kept+=("$arg")
      kept+=("${{libs[@]}}")
      continue ;;
    *.so,|*.so.*)
      # an object file named like a shared library (readline's shlib/*.so): zig's driver
      # takes it for one and fails, so it gets an object's name (a link in a private dir)
      if [ -f "$arg" ]; then
        case $(od -An -tx1 -j16 -N2 -- "$arg" 2>/dev/null) in
          " 01 00"|" 00 01")
            objlinks=${{objlinks:-$(mktemp -d "${{TMPDIR:-/tmp}}/cfl-objects.XXXXXX")}}
            ln -s "$(cd "$(dirname -- "$arg")" && pwd)/${{arg##*/}}" "$objlinks/${{#kept[@]}}.o"
            arg=$objlinks/${{#kept[@]}}.o ;;
        esac
      fi ;;
  esac
  kept+=("$arg")
done
set -- "${{kept[@]}}"
"""

_SCAN = f"""\
compile=0 link=0 out=0 debug=0 shared=0 code=0 asm=0 sources=()
prev=
for arg in "$@"; do
  case $prev in -o|-x|-MF|-MT|-MQ|-include|-isystem|-I|-L|-D|-U) prev=; continue ;; esac
  case $arg in
    -shared) shared=1 ;;
    -c) compile=1 ;;
    -S|-E|-M|-MM) compile=2 ;;
    -o) out=1 ;;
    -g0|-gno-*) ;;
    -g*) debug=1 ;;
    *.s|*.S|*.sx|*.asm) sources+=("$arg"); link=1; asm=1 ;;
    {_SOURCES}) sources+=("$arg"); link=1; code=1 ;;
    *.o|*.obj|*.a|*.lo|@*) link=1 ;;
  esac
  prev=$arg
done
[ "$compile" = 0 ] || link=0
"""

_PER_SOURCE = """\
if [ "$compile" = 1 ] && [ "$out" = 0 ] && [ "${#sources[@]}" -gt 1 ] || \\
   { [ "$compile" = 1 ] && [ "$out" = 0 ] && [ "${#sources[@]}" = 1 ] && [ "$windows" = 1 ]; }; then
  # gcc: one object per source, named after it (x.o, also for windows targets)
  others=()
  for arg in "$@"; do
    keep=1
    for s in "${sources[@]}"; do [ "$arg" = "$s" ] && keep=0; done
    [ "$keep" = 1 ] && others+=("$arg")
  done
  for s in "${sources[@]}"; do
    base=${s##*/}
    "$0" "${others[@]}" "$s" -o "${base%.*}.o" || exit $?
  done
  exit 0
fi
"""

# zig's driver fails on a link whose inputs are all libraries (CPython's libpython3.so is
# `-shared -o libpython3.so -Wl,-hlibpython3.so libpython3.11.so`): an empty object is added.
_LIBRARIES_ONLY = """\
if [ "$compile" = 0 ] && [ "$link" = 0 ] && [ "$out" = 1 ]; then
  objlinks=${objlinks:-$(mktemp -d "${TMPDIR:-/tmp}/cfl-objects.XXXXXX")}
  "$0" -c -x c /dev/null -o "$objlinks/empty.o" || { rm -rf "$objlinks"; exit 1; }
  set -- "$objlinks/empty.o" "$@"
  link=1
fi
"""


# The build's directories in __FILE__ and debug info, in the compiler itself so a script
# that replaces $CFLAGS (`cmake -DCMAKE_C_FLAGS=-O3`, `$CC -O2 -o x x.c`) leaks no build path.
# The work directory (the parent of SRC_DIR, holding both prefixes) comes first on the
# command line: gcc and newer clang try the last map first, clang 14 the longest first.
_PATH_MAPS = """\
if [ -n "${SRC_DIR:-}" ]; then
  set -- "-ffile-prefix-map=$SRC_DIR=/usr/local/src/conda/${PKG_NAME:-pkg}-${PKG_VERSION:-0}" "$@"
  [ -z "${PREFIX:-}" ] || set -- "-fdebug-prefix-map=$PREFIX=/usr/local/src/conda-prefix" "$@"
  [ -z "${BUILD_PREFIX:-}" ] ||
    set -- "-ffile-prefix-map=$BUILD_PREFIX=/usr/local/src/conda-build-prefix" "$@"
  work=${SRC_DIR%/*}
  [ -z "$work" ] || set -- "-ffile-prefix-map=$work=/usr/local/src/conda-work" "$@"
fi
"""


def compiler_script(command: list[str], zig_cache: str | None, how: CompilerBehaviour) -> str:
    lines = ["#!/bin/bash", "# Written by cfl: the base plate's compiler for this target."]
    if zig_cache:
        # One shared cache: zig builds libc/libc++ once per target, not once per package.
        lines.append(f': "${{ZIG_GLOBAL_CACHE_DIR:={shlex.quote(zig_cache)}}}"')
        lines.append("export ZIG_GLOBAL_CACHE_DIR")
    if how.before:
        lines.append(how.before)
    if how.zig:
        lines.append(_FILTER)
    lines.append(_SCAN)
    extra = []
    if how.zig:
        lines.append(f"windows={1 if how.os == 'win' else 0}")
        lines.append(_PER_SOURCE)
        lines.append(_LIBRARIES_ONLY)
        extra.append('[ "$debug" = 1 ] || set -- -g0 "$@"')
        strip = {"linux": "-Wl,--strip-debug", "osx": "-Wl,-S"}.get(how.os)
        if strip:
            # zig's own runtime (libc++, libunwind, crt) carries DWARF naming where it was
            # built; without -g the linked output has none, as with gcc.
            extra.append(f'[ "$debug" = 1 ] || [ "$link" = 0 ] || set -- "$@" {strip}')
        if how.os == "linux":
            extra.append('[ "$link" = 1 ] && set -- "$@" -Wl,--undefined-version')
        if how.runtime_debug_script:
            script = shlex.quote(f"-Wl,-T,{how.runtime_debug_script}")
            extra.append(f'[ "$debug" = 0 ] || [ "$link" = 0 ] || set -- "$@" {script}')
        if how.cxx and how.os == "linux":
            # Each shared library holds its own static libc++: bound to itself, one library's
            # C++ runtime never runs on another's uninitialized state (gtest + gmock).
            extra.append('[ "$shared" = 1 ] && [ "$link" = 1 ] && set -- "$@" -Wl,-Bsymbolic')
    if how.link_object:
        extra.append(f'[ "$link" = 1 ] && set -- "$@" {shlex.quote(how.link_object)}')
    if how.guards:
        # C or C++ compiled here (not a link of objects, not assembly alone, where clang
        # warns the flag is unused)
        extra.append(
            '{ [ "$code" = 1 ] || { [ "$link" = 0 ] && [ "$asm" = 0 ]; }; } && '
            f'set -- {shlex.join(how.guards)} "$@"'
        )
    lines += [_PATH_MAPS, *extra]
    if how.zig:  # renamed objects or the empty one: run, then remove them
        lines.append(
            f'if [ -n "${{objlinks:-}}" ]; then {shlex.join(command)} "$@"; rc=$?; '
            'rm -rf "$objlinks"; exit "$rc"; fi'
        )
    lines.append(f'exec {shlex.join(command)} "$@"')
    return "\n".join(lines) + "\n"
