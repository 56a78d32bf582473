#!/bin/bash
set -ex
test "$PKG_NAME" = v0shared-static
cp built/libv0shared.a "$PREFIX/lib/"
