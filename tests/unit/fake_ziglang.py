"""A fake ziglang wheel install for the zig cache tests: a zig file, lib sources and a RECORD
listing them, written in pip's order (RECORD last)."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from pathlib import Path

LIB_FILES = {"std/std.zig": b"pub const a = 1;\n", "compiler_rt.zig": b"// rt\n" * 40,
             "libc/include/stdio.h": b"int puts(const char *);\n"}  # fmt: skip


def record_hash(data: bytes) -> str:
    """A RECORD row's hash field (sha256, urlsafe base64 without padding)."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def write_install(site: Path, files: dict[str, bytes] = LIB_FILES, record_extra: str = "") -> Path:
    """ziglang installed into ``site`` as pip does (the files first, RECORD last)."""
    package = site / "ziglang"
    (package / "lib").mkdir(parents=True, exist_ok=True)
    zig = package / "zig"
    zig.write_bytes(b"\x7fELF fake zig")
    zig.chmod(0o755)
    rows = ["ziglang/zig,sha256=x,13"]
    for rel, data in files.items():
        path = package / "lib" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        rows.append(f"ziglang/lib/{rel},{record_hash(data)},{len(data)}")
    info = site / "ziglang-0.17.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "RECORD").write_text("\n".join(rows) + "\n" + record_extra)
    newest = max(os.stat(package / "lib" / rel).st_mtime_ns for rel in files)
    os.utime(info / "RECORD", ns=(newest + 10**9, newest + 10**9))  # pip writes it last
    return zig


def reinstall(site: Path, files: dict[str, bytes] = LIB_FILES, record_extra: str = "") -> None:
    """The same wheel again: every file replaced by a new one (new inode, later mtime)."""
    shutil.rmtree(site / "ziglang")
    shutil.rmtree(site / "ziglang-0.17.1.dist-info")
    write_install(site, files, record_extra)
    later = os.stat(site / "ziglang-0.17.1.dist-info" / "RECORD").st_mtime_ns + 10**9
    for path in (site / "ziglang" / "lib").rglob("*"):
        if path.is_file():
            os.utime(path, ns=(later, later))
    os.utime(site / "ziglang-0.17.1.dist-info" / "RECORD", ns=(later + 10**9,) * 2)
