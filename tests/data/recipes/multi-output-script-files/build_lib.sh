# Run by bash from the recipe folder's file, not as a command named build_lib.sh.
mkdir -p "$PREFIX/share/multi-script"
echo "lib $PKG_NAME $PKG_VERSION" > "$PREFIX/share/multi-script/lib.txt"
