"""ABI checks against real binaries compiled here: each fixture trips exactly one check.

zig (``python -m ziglang cc -target x86_64-linux-gnu.2.17``) builds binaries that honour the
glibc 2.17 floor and the baseline ISA; the host gcc (this machine's glibc is newer) builds the
one that must trip the glibc floor.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conda_forge_like import cli, package
from conda_forge_like.abi import (
    CheckContext,
    check,
    diff_symbols,
    exported_symbols,
    inspect_package,
)
from conda_forge_like.abi.isa import disassembler
from conda_forge_like.package import PackageMetadata

GCC = shutil.which("gcc")
pytestmark = [
    pytest.mark.skipif(platform.machine() != "x86_64", reason="fixtures are x86-64 binaries"),
    pytest.mark.skipif(disassembler() is None, reason="objdump is not installed"),
]
needs_gcc = pytest.mark.skipif(GCC is None, reason="gcc is not installed")
ZIG_TARGET = ("-target", "x86_64-linux-gnu.2.17")

MAIN_C = '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n'
VECTOR_C = """
void scale(float *restrict a, const float *restrict b, int n) {
    for (int i = 0; i < n; i++) a[i] += b[i] * 2.0f;
}
int main(void) { return 0; }
"""
DISPATCH_C = """
__attribute__((target("avx512f")))
void scale512(float *restrict a, const float *restrict b, int n) {
    for (int i = 0; i < n; i++) a[i] += b[i] * 2.0f;
}
void scale(float *restrict a, const float *restrict b, int n) {
    for (int i = 0; i < n; i++) a[i] += b[i];
}
int main(void) {
    float a[64] = {0}, b[64] = {0};
    if (__builtin_cpu_supports("avx512f")) scale512(a, b, 64); else scale(a, b, 64);
    return (int)a[0];
}
"""
GLIBC_NEW_C = """
#include <stdio.h>
#include <stdlib.h>
int main(void) { void *p = reallocarray(NULL, 4, 8); printf("%p\\n", p); free(p); return 0; }
"""


def zig(*args: str | Path) -> None:
    command = [sys.executable, "-m", "ziglang", "cc", *ZIG_TARGET, *map(str, args)]
    subprocess.run(command, check=True, capture_output=True)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def context(files: list[str], **changes: object) -> CheckContext:
    fields: dict[str, object] = {
        "subdir": "linux-64",
        "package_files": frozenset(files),
        "run_depends": (),
        "dependency_files": {},
        "microarch_level": 1,
    }
    fields.update(changes)
    return CheckContext(**fields)  # type: ignore[arg-type]


def shared_lib(dest: Path, soname: str, source: str, tmp: Path) -> Path:
    src = write(tmp / f"{soname}.c", source)
    zig("-shared", "-fPIC", f"-Wl,-soname,{soname}", "-o", dest, src)
    return dest


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    (tmp_path / "prefix" / "bin").mkdir(parents=True)
    (tmp_path / "prefix" / "lib").mkdir()
    return tmp_path / "prefix"


def test_clean_binary_trips_nothing(prefix: Path, tmp_path: Path) -> None:
    zig("-O2", "-o", prefix / "bin/tool", write(tmp_path / "main.c", MAIN_C))
    files = ["bin/tool"]
    leak = str(tmp_path / "build_env")
    assert check(prefix, files, context(files, leak_strings=(leak,))) == []


@needs_gcc
def test_glibc_too_new(prefix: Path, tmp_path: Path) -> None:
    assert GCC is not None
    src = write(tmp_path / "main.c", GLIBC_NEW_C)
    subprocess.run([GCC, "-O2", "-o", str(prefix / "bin/tool"), str(src)], check=True)
    findings = check(prefix, ["bin/tool"], context(["bin/tool"], glibc_floor="2.17"))
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("error", "glibc-floor", "bin/tool")
    ]
    assert "GLIBC_2.26" in findings[0].message
    assert "reallocarray@GLIBC_2.26" in findings[0].message
    # The tip names the floor that fits this binary; with that floor the check passes.
    newest = findings[0].message.split("needs GLIBC_", 1)[1].split()[0].rstrip(",")
    assert f"set c_stdlib_version: '{newest}'" in findings[0].hint
    assert f"__glibc >={newest}" in findings[0].hint
    assert check(prefix, ["bin/tool"], context(["bin/tool"], glibc_floor=newest)) == []


def test_avx512_in_baseline(prefix: Path, tmp_path: Path) -> None:
    zig("-O3", "-mavx512f", "-o", prefix / "bin/tool", write(tmp_path / "v.c", VECTOR_C))
    findings = check(prefix, ["bin/tool"], context(["bin/tool"], microarch_level=1))
    assert [(f.severity, f.code, f.path) for f in findings] == [("error", "isa-level", "bin/tool")]
    assert "x86-64-v4" in findings[0].message
    # the same binary is fine in a level-4 variant whose package requires a level-4 machine
    marker = ("_x86_64-microarch-level >=4",)
    level4 = context(["bin/tool"], microarch_level=4, run_depends=marker)
    assert check(prefix, ["bin/tool"], level4) == []
    # ... and without that run dependency it would install (and crash) on older machines
    findings = check(prefix, ["bin/tool"], context(["bin/tool"], microarch_level=4))
    assert [(f.severity, f.code) for f in findings] == [("error", "microarch-marker")]
    assert "_x86_64-microarch-level >=4" in findings[0].hint


def test_avx512_with_runtime_dispatch_is_a_warning(prefix: Path, tmp_path: Path) -> None:
    zig("-O3", "-o", prefix / "bin/tool", write(tmp_path / "d.c", DISPATCH_C))
    findings = check(prefix, ["bin/tool"], context(["bin/tool"]))
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("warning", "isa-level", "bin/tool")
    ]
    assert "runtime dispatch" in findings[0].message


def test_overlinking(prefix: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shared_lib(elsewhere / "libbar.so.1", "libbar.so.1", "int bar(void) { return 1; }\n", tmp_path)
    main = write(tmp_path / "main.c", "int bar(void);\nint main(void) { return bar(); }\n")
    zig("-o", prefix / "bin/tool", main, elsewhere / "libbar.so.1")
    files = ["bin/tool"]
    findings = check(prefix, files, context(files))
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("warning", "overlinking", "bin/tool")
    ]
    assert "libbar.so.1" in findings[0].message
    # a host dependency provides it but is not a run dependency: still overlinking, named
    deps = {"libbar": frozenset({"lib/libbar.so.1"})}
    findings = check(prefix, files, context(files, dependency_files=deps))
    assert [f.code for f in findings] == ["overlinking"]
    assert "add libbar" in findings[0].hint
    # once it is a run dependency, or shipped in the package, nothing is reported
    assert (
        check(prefix, files, context(files, dependency_files=deps, run_depends=("libbar",))) == []
    )
    ok = context(files, dependency_files=deps, run_depends=("libbar >=1",))
    assert check(prefix, files, ok) == []
    shared_lib(prefix / "lib/libbar.so.1", "libbar.so.1", "int bar(void) { return 1; }\n", tmp_path)
    own = ["bin/tool", "lib/libbar.so.1"]
    assert check(prefix, own, context(own)) == []
    # severity is the recipe's to raise
    strict = check(prefix, files, context(files, severities={"overlinking": "error"}))
    assert [(f.severity, f.code) for f in strict] == [("error", "overlinking")]


def test_overdepending(prefix: Path, tmp_path: Path) -> None:
    zig("-o", prefix / "bin/tool", write(tmp_path / "main.c", MAIN_C))
    files = ["bin/tool"]
    deps = {"libbar": frozenset({"lib/libbar.so.1", "include/bar.h"})}
    ctx = context(files, dependency_files=deps, host_run_exporters=("libbar",))
    findings = check(prefix, files, ctx)
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("warning", "overdepending", "info/index.json")
    ]
    assert "libbar" in findings[0].message


def test_rpath_outside_prefix_is_a_leak(prefix: Path, tmp_path: Path) -> None:
    build_prefix = str(tmp_path / "build_env")
    zig(
        "-o",
        prefix / "bin/tool",
        write(tmp_path / "main.c", MAIN_C),
        f"-Wl,-rpath,{build_prefix}/lib",
    )
    findings = check(prefix, ["bin/tool"], context(["bin/tool"], leak_strings=(build_prefix,)))
    assert [(f.severity, f.code, f.path) for f in findings] == [("error", "leak", "bin/tool")]
    assert "RPATH" in findings[0].message


def test_build_path_string_is_a_leak(prefix: Path, tmp_path: Path) -> None:
    work = str(tmp_path / "work")
    source = f'#include <stdio.h>\nint main(void) {{ puts("{work}/data"); return 0; }}\n'
    zig("-o", prefix / "bin/tool", write(tmp_path / "main.c", source))
    write(prefix / "share/tool.cfg", f"data={work}/share\n")
    write(prefix / "share/clean.cfg", "data=relative\n")
    files = ["bin/tool", "share/clean.cfg", "share/tool.cfg"]
    findings = check(prefix, files, context(files, leak_strings=(work,)))
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("error", "leak", "bin/tool"),
        ("error", "leak", "share/tool.cfg"),
    ]


def test_abi_break_between_two_builds(tmp_path: Path) -> None:
    old_root, new_root = tmp_path / "old", tmp_path / "new"
    for root in (old_root, new_root):
        (root / "lib").mkdir(parents=True)
    both = "int foo(void) { return 1; }\n"
    shared_lib(
        old_root / "lib/libfoo.so.1",
        "libfoo.so.1",
        both + "int bar(void) { return 2; }\n",
        tmp_path / "o",
    )
    shared_lib(new_root / "lib/libfoo.so.1", "libfoo.so.1", both, tmp_path / "n")
    old = exported_symbols(old_root, ["lib/libfoo.so.1"])
    new = exported_symbols(new_root, ["lib/libfoo.so.1"])
    assert "bar" in old["libfoo.so.1"]
    findings = diff_symbols(old, new)
    assert [(f.severity, f.code, f.path) for f in findings] == [
        ("error", "abi-break", "libfoo.so.1")
    ]
    assert "bar" in findings[0].message
    assert diff_symbols(new, old)[0].code == "abi-added"


def test_inspect_package(prefix: Path, tmp_path: Path) -> None:
    zig("-O3", "-mavx512f", "-o", prefix / "bin/tool", write(tmp_path / "v.c", VECTOR_C))
    placeholder = "/opt/cfl/host_env" + "_placehold" * 8
    write(prefix / "etc/tool.cfg", f"prefix={placeholder}\n")
    records = [
        package.file_record(prefix, "bin/tool"),
        package.file_record(prefix, "etc/tool.cfg", placeholder),
    ]
    meta = PackageMetadata(
        name="tool", version="1.0", build="h0_0", build_number=0, subdir="linux-64",
        depends=(), license="MIT",
    )  # fmt: skip
    archive = package.write(prefix, records, meta, tmp_path / "out")
    report = inspect_package(archive)
    tool = report["binaries"]["bin/tool"]
    assert tool["format"] == "elf"
    assert tool["arch"] == "x86_64"
    assert tool["needed"] == ["libc.so.6"]
    assert tool["max_versions"] == {"GLIBC": "GLIBC_2.2.5"}
    assert tool["avx512"] > 0
    assert tool["isa_level"] == 4
    assert report["prefix_placeholders"] == [
        {"path": "etc/tool.cfg", "placeholder": placeholder, "file_mode": "text"}
    ]
    assert list(report["binaries"]) == ["bin/tool"]
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("isa-level", "bin/tool")]


def test_cfl_inspect_json_and_text(
    prefix: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zig("-o", prefix / "bin/tool", write(tmp_path / "main.c", MAIN_C), "-Wl,-rpath,$ORIGIN/../lib")
    meta = PackageMetadata(
        name="tool", version="1.0", build="h0_0", build_number=0, subdir="linux-64",
        depends=(), license="MIT",
    )  # fmt: skip
    archive = package.write(prefix, [package.file_record(prefix, "bin/tool")], meta, tmp_path)
    assert cli.main(["inspect", str(archive), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["binaries"]["bin/tool"]["runpath"] == ["$ORIGIN/../lib"]
    assert report["binaries"]["bin/tool"]["isa_level"] == 1
    assert cli.main(["inspect", str(archive)]) == 0
    text = capsys.readouterr().out
    assert "bin/tool: elf x86_64" in text
    assert "libc.so.6" in text
    assert "[isa-level]" not in text  # a baseline binary in a baseline package
    assert cli.main(["inspect", str(tmp_path / "missing.conda")]) != 0


def test_any_builds_work_path_is_a_leak_but_the_host_prefix_is_not(tmp_path: Path) -> None:
    from conda_forge_like.abi import CheckContext, check
    from conda_forge_like.build.abi_step import LEAK_PATTERNS

    prefix = tmp_path / ("h_env" + "_placehold" * 20)
    (prefix / "share").mkdir(parents=True)
    (prefix / "share" / "ok.txt").write_text(f"{prefix}/share\n")
    (prefix / "share" / "bad.txt").write_text("/tmp/other/work/linux-64-zlib-1.3-h0_0/src/x.c\n")
    ctx = CheckContext(
        subdir="linux-64", package_files=frozenset({"share/ok.txt", "share/bad.txt"}),
        run_depends=(), dependency_files={}, leak_patterns=LEAK_PATTERNS, prefix=str(prefix),
    )  # fmt: skip
    leaks = [f.path for f in check(prefix, ["share/ok.txt", "share/bad.txt"], ctx)]
    assert leaks == ["share/bad.txt"]


def test_a_split_library_exported_by_a_host_dependency_is_not_overdepending(
    prefix: Path, tmp_path: Path
) -> None:
    """zstd links libz.so.1, which lives in libzlib, the run export of zlib (in host)."""
    lib = tmp_path / "dep" / "libz.so.1"
    lib.parent.mkdir()
    shared_lib(lib, "libz.so.1", "int zlibVersion(void) { return 1; }\n", tmp_path)
    main = write(
        tmp_path / "main.c", "int zlibVersion(void);\nint main(void) { return zlibVersion(); }\n"
    )
    zig("-o", prefix / "bin/zstd", main, lib)
    files = ["bin/zstd"]
    deps = {
        "zlib": frozenset({"include/zlib.h", "lib/libz.so"}),
        "libzlib": frozenset({"lib/libz.so.1", "lib/libz.so.1.3.1"}),
    }
    split = context(
        files, dependency_files=deps, host_run_exporters=("zlib",),
        run_depends=("libzlib >=1.3",), export_targets={"zlib": ("libzlib",)},
    )  # fmt: skip
    assert [f.code for f in check(prefix, files, split)] == []
    unknown = context(files, dependency_files=deps, host_run_exporters=("zlib",),
                      run_depends=("libzlib >=1.3",))  # fmt: skip
    assert [f.code for f in check(prefix, files, unknown)] == ["overdepending"]
