#!/usr/bin/env bash
set -euxo pipefail
# Every tool runs from the build prefix's links, not from wherever PATH would find it.
for tool in make patch m4 autoreconf aclocal automake libtoolize yasm pkg-config; do
  test "$(command -v "$tool")" = "$BUILD_PREFIX/bin/$tool"
done

printf 'hello\n' > greeting.txt
printf -- '--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+hello, patched\n' > fix.patch
patch -p1 < fix.patch
grep -q 'hello, patched' greeting.txt

printf 'define(`WHO'"'"', `plate'"'"')dnl\nbuilt by WHO\n' > who.m4
test "$(m4 who.m4)" = "built by plate"

# autoreconf finds libtool.m4 and pkg.m4 (the machine's own /usr/share/aclocal) from the links.
cat > configure.ac <<'AC'
AC_INIT([plate-tools], [1.0])
AM_INIT_AUTOMAKE([foreign])
AC_PROG_CC
LT_INIT
PKG_PROG_PKG_CONFIG
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
AC
printf 'bin_SCRIPTS =\n' > Makefile.am
autoreconf -fi
test -x configure && test -f ltmain.sh

cp "$BUILD_PREFIX/share/gnuconfig/config.sub" "$BUILD_PREFIX/share/gnuconfig/config.guess" .
test "$(./config.sub x86_64-linux-gnu)" = "x86_64-pc-linux-gnu"

printf 'global answer\nanswer: dd 42\n' > answer.asm
yasm -f elf64 -o answer.o answer.asm
test -s answer.o

mkdir -p "$PREFIX/lib/pkgconfig" "$PREFIX/share/plate-tools"
printf 'Name: plate-tools\nDescription: a test\nVersion: 1.0\n' > "$PREFIX/lib/pkgconfig/plate-tools.pc"
PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" pkg-config --modversion plate-tools
cp greeting.txt "$PREFIX/share/plate-tools/"
