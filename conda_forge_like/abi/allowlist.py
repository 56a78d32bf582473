"""Which shared libraries the base plate guarantees on a user's machine (pure).

``is_system_library("libm.so.6", "linux-64")`` -> True; ``is_system_library("libz.so.1",
"linux-64")`` -> False; ``is_system_library("KERNEL32.dll", "win-64")`` -> True.
"""

from __future__ import annotations

import fnmatch
import posixpath

# glibc and the GCC runtime are part of every Linux system conda packages run on; libstdc++ is
# allowed only because the base plate links it statically into nothing and the system one is
# newer than the GLIBCXX floor (checked separately by the glibc-floor check).
_LINUX = (
    "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libutil.so.1",
    "libresolv.so.2", "libcrypt.so.1", "libnsl.so.1", "libanl.so.1", "libmvec.so.1",
    "ld-linux*.so.*", "ld-linux-x86-64.so.2", "ld64.so.*", "linux-vdso.so.1",
    "libgcc_s.so.1", "libstdc++.so.6",
)  # fmt: skip
_MACOS = (
    "/usr/lib/libSystem.B.dylib", "/usr/lib/libc++.1.dylib", "/usr/lib/libc++abi.dylib",
    "/usr/lib/libobjc.A.dylib", "/usr/lib/libz.1.dylib", "/usr/lib/libiconv.2.dylib",
    "/System/Library/Frameworks/*",
)  # fmt: skip
_WINDOWS = (
    "kernel32.dll", "user32.dll", "gdi32.dll", "advapi32.dll", "shell32.dll", "ole32.dll",
    "oleaut32.dll", "ws2_32.dll", "msvcrt.dll", "ucrtbase.dll", "api-ms-win-*.dll",
    "ntdll.dll", "comdlg32.dll", "comctl32.dll", "crypt32.dll", "bcrypt.dll", "secur32.dll",
    "shlwapi.dll", "version.dll", "winmm.dll", "iphlpapi.dll", "userenv.dll", "dbghelp.dll",
    "psapi.dll", "rpcrt4.dll", "setupapi.dll", "mswsock.dll", "imm32.dll", "opengl32.dll",
    "vcruntime140.dll", "vcruntime140_1.dll", "msvcp140.dll",
)  # fmt: skip


def system_patterns(subdir: str) -> tuple[str, ...]:
    """The allow-list of ``subdir``'s platform (glob patterns)."""
    if subdir.startswith("osx"):
        return _MACOS
    if subdir.startswith("win"):
        return _WINDOWS
    return _LINUX


def is_system_library(needed: str, subdir: str) -> bool:
    """Whether a DT_NEEDED / LC_LOAD_DYLIB / PE import name is on the platform's allow-list."""
    name = needed.lower() if subdir.startswith("win") else needed
    for pattern in system_patterns(subdir):
        target = name if "/" in pattern else posixpath.basename(name)
        if fnmatch.fnmatchcase(target, pattern):
            return True
    return False


def provided_names(files: frozenset[str] | set[str], subdir: str) -> set[str]:
    """The library names a set of package files can satisfy (basenames; lowercase on Windows)."""
    windows = subdir.startswith("win")
    return {posixpath.basename(f).lower() if windows else posixpath.basename(f) for f in files}


def library_key(needed: str, subdir: str) -> str:
    """The name to look up in ``provided_names``: ``@rpath/libz.1.dylib`` -> ``libz.1.dylib``."""
    base = posixpath.basename(needed.replace("\\", "/"))
    return base.lower() if subdir.startswith("win") else base
