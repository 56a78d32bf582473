#!/usr/bin/env bash
set -euo pipefail
# the database tools run at install time: when cross-compiling they are built for this machine
extra=()
if [[ "${CONDA_BUILD_CROSS_COMPILATION:-0}" == 1 ]]; then
  extra+=(--with-build-cc="$CC_FOR_BUILD" --with-build-cflags="" --with-build-ldflags="")
fi
./configure --prefix="$PREFIX" --build="$BUILD" --host="$HOST" \
  --with-shared --without-debug --without-normal --without-ada --without-cxx \
  --without-cxx-binding --without-manpages --without-tests --disable-stripping \
  --enable-widec --with-termlib --enable-overwrite --enable-symlinks \
  --enable-pc-files --with-pkg-config-libdir="$PREFIX/lib/pkgconfig" \
  --with-default-terminfo-dir="$PREFIX/share/terminfo" \
  --with-terminfo-dirs="$PREFIX/share/terminfo" \
  --disable-rpath-hack "${extra[@]}"
make -j"${CPU_COUNT:-2}"
make install

# The names programs ask for without the `w`: libncurses, libtinfo, ncurses.pc, ...
cd "$PREFIX/lib"
for lib in ncurses tinfo form menu panel; do
  for f in lib${lib}w.*; do
    [[ -e "$f" ]] || continue
    ln -sf "$f" "${f/${lib}w/${lib}}"
  done
  [[ -f pkgconfig/${lib}w.pc ]] && ln -sf "${lib}w.pc" "pkgconfig/${lib}.pc"
done
ln -sf libncursesw.so libcurses.so 2>/dev/null || true
cd "$PREFIX/include"
[[ -e ncursesw ]] || ln -s . ncursesw
[[ -e ncurses ]] || ln -s . ncurses
