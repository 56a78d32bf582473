"""The base plate's zig compiler wrappers behave like gcc where configure, make and CMake
notice: one object per source, a version script naming undefined symbols, ``x.o`` for windows
targets, no DWARF without ``-g``, no build path from ``__FILE__``."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conda_forge_like import baseplate
from conda_forge_like.baseplate import tools, wrappers

if tools.find_tools().zig is None:
    pytest.skip("zig (the ziglang wheel) is not installed", allow_module_level=True)


def cc(tmp: Path, subdir: str) -> tuple[str, dict[str, str]]:
    plate = baseplate.resolve({"c_compiler": "zig"}, subdir, tools.detect_versions())
    installed = wrappers.install(plate, tools.find_tools(), tmp / f"build_env-{subdir}")
    return installed.tools["cc"], dict(os.environ)


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def symbols(obj: Path) -> str:
    return subprocess.run(["nm", str(obj)], capture_output=True, text=True, check=True).stdout


def test_two_sources_with_c_make_one_object_each(tmp_path: Path) -> None:
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "a.c").write_text("int a(void) { return 1; }\n")
    (tmp_path / "b.c").write_text("int b(void) { return 2; }\n")
    run([compiler, "-O2", "-c", "a.c", "b.c"], tmp_path, env)
    assert " T a" in symbols(tmp_path / "a.o")
    assert " T b" not in symbols(tmp_path / "a.o")
    assert " T b" in symbols(tmp_path / "b.o")


def test_a_version_script_may_name_an_undefined_symbol(tmp_path: Path) -> None:
    """zlib's configure links a shared library with a version script listing symbols some
    builds lack; GNU ld accepts it, and so must the base plate, or configure silently builds
    only the static library."""
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "z.c").write_text("int zlibVersion(void) { return 1; }\n")
    (tmp_path / "z.map").write_text("ZLIB_1 { global: zlibVersion; gzopen64; local: *; };\n")
    run([compiler, "-shared", "-fPIC", "-o", "libz.so", "z.c", "-Wl,--version-script,z.map"],
        tmp_path, env)  # fmt: skip
    assert (tmp_path / "libz.so").is_file()


def test_windows_objects_are_named_dot_o(tmp_path: Path) -> None:
    compiler, env = cc(tmp_path, "win-64")
    (tmp_path / "x.c").write_text("int x(void) { return 3; }\n")
    run([compiler, "-c", "x.c"], tmp_path, env)
    assert (tmp_path / "x.o").is_file()
    assert not (tmp_path / "x.obj").exists()


def _debug_sections(obj: Path) -> int:
    out = subprocess.run(["readelf", "-S", str(obj)], capture_output=True, text=True).stdout
    return out.count(".debug_")


def test_no_dwarf_without_g_and_dwarf_with_it(tmp_path: Path) -> None:
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "d.c").write_text("int d(int x) { return x * 2; }\n")
    run([compiler, "-O2", "-c", "d.c", "-o", "plain.o"], tmp_path, env)
    run([compiler, "-O2", "-g", "-c", "d.c", "-o", "debug.o"], tmp_path, env)
    assert _debug_sections(tmp_path / "plain.o") == 0
    assert _debug_sections(tmp_path / "debug.o") > 0


def test_file_macro_holds_no_work_path(tmp_path: Path) -> None:
    compiler, env = cc(tmp_path, "linux-64")
    src = tmp_path / "work" / "src"
    src.mkdir(parents=True)
    (src / "f.c").write_text("const char *where(void) { return __FILE__; }\n")
    env.update(SRC_DIR=str(src), PKG_NAME="demo", PKG_VERSION="1.0")
    # CMake passes absolute source paths, and a script may replace $CFLAGS entirely.
    run([compiler, "-g", "-c", str(src / "f.c"), "-o", "f.o"], src, env)
    data = (src / "f.o").read_bytes()
    assert str(src).encode() not in data
    assert b"/usr/local/src/conda/demo-1.0/f.c" in data


def test_a_cxx_link_without_g_carries_no_runtime_dwarf(tmp_path: Path) -> None:
    """zig links its own libc++/libunwind, whose DWARF names the zig install and cache."""
    plate = baseplate.resolve({"c_compiler": "zig"}, "linux-64", tools.detect_versions())
    cxx = wrappers.install(plate, tools.find_tools(), tmp_path / "build_env").tools["c++"]
    (tmp_path / "s.cpp").write_text('#include <string>\nstd::string s() { return "x"; }\n')
    run([cxx, "-O2", "-shared", "-fPIC", "-o", "libs.so", "s.cpp"], tmp_path)
    assert _debug_sections(tmp_path / "libs.so") == 0
    assert b"ziglang" not in (tmp_path / "libs.so").read_bytes()


@pytest.mark.parametrize(
    "flag",
    [
        "-static-libgcc",
        "-Wl,-O2",
        "-Wl,-Bsymbolic-functions",
        "-Wl,-rpath-link,/nonexistent",
        "-L/nonexistent/lib",  # LDFLAGS -L$PREFIX/lib before anything is installed there
    ],
)
def test_gcc_link_flags_from_conda_forge_ldflags_link_quietly(tmp_path: Path, flag: str) -> None:
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "m.c").write_text("int main(void) { return 0; }\n")
    done = subprocess.run(
        [compiler, "m.c", "-o", "m", flag], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr


@pytest.mark.parametrize(
    "soname",
    [
        "-Wl,-soname,libt.so.6,-stats,-lc",  # ncurses: lld has no -stats, zig no -Wl,-l
        "-Wl,-hlibt.so.6",  # CPython's libpython: GNU ld's short form of -soname
        "-Wl,-h,libt.so.6",
    ],
)
def test_gnu_ld_spellings_inside_a_wl_list_link_with_zig(tmp_path: Path, soname: str) -> None:
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "t.c").write_text("int t(void) { return 1; }\n")
    done = subprocess.run(
        [compiler, "-shared", "-fPIC", soname, "-o", "libt.so", "t.c"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    dynamic = subprocess.run(
        ["readelf", "-d", str(tmp_path / "libt.so")], capture_output=True, text=True, check=True
    ).stdout
    assert "Library soname: [libt.so.6]" in dynamic


def test_objects_named_like_shared_libraries_link_as_objects(tmp_path: Path) -> None:
    """readline's shlib/ compiles `x.c` to `x.so` objects and links those into libhistory."""
    compiler, env = cc(tmp_path, "linux-64")
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "t.c").write_text("int t(void) { return 1; }\n")
    run([compiler, "-c", "-fPIC", "-o", "t.so", "t.c"], tmp_path, env)
    run([compiler, "-shared", "-o", "libt.so.8", "t.so"], tmp_path, env)
    symbols = subprocess.run(
        ["nm", "-D", "--defined-only", str(tmp_path / "libt.so.8")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert " T t" in symbols
    assert not list((tmp_path / "tmp").iterdir())  # the renaming links are gone


def test_a_shared_library_linked_from_libraries_alone(tmp_path: Path) -> None:
    """CPython's libpython3.so: `-shared -o libpython3.so -Wl,-hlibpython3.so libpython3.11.so`."""
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "a.c").write_text("int a(void) { return 1; }\n")
    run([compiler, "-shared", "-fPIC", "-o", "liba.so.1", "a.c"], tmp_path, env)
    run([compiler, "-shared", "-Wl,--no-as-needed", "-o", "libb.so", "-Wl,-hlibb.so", "liba.so.1"],
        tmp_path, env)  # fmt: skip
    dynamic = subprocess.run(
        ["readelf", "-d", str(tmp_path / "libb.so")], capture_output=True, text=True, check=True
    ).stdout
    assert "Shared library: [liba.so.1]" in dynamic
    assert "Library soname: [libb.so]" in dynamic


def test_the_build_machines_header_folders_never_reach_zig(tmp_path: Path) -> None:
    """CPython's setup.py adds -I/usr/include/x86_64-linux-gnu: glibc's headers of this machine
    do not mix with zig's (unknown type name '__time64_t')."""
    compiler, env = cc(tmp_path, "linux-64")
    (tmp_path / "s.c").write_text("#include <sys/select.h>\nint f(void) { return FD_SETSIZE; }\n")
    run([compiler, "-c", "-I/usr/include/x86_64-linux-gnu", "-I/usr/local/include",
         "-L/usr/lib/x86_64-linux-gnu", "-o", "s.o", "s.c"], tmp_path, env)  # fmt: skip


def test_cxx_shared_libraries_each_with_static_libcxx_load_together(tmp_path: Path) -> None:
    """gtest + gmock_main: each shared library links zig's libc++ statically; one library's
    static initializer must not run another copy's (not yet initialized) iostreams."""
    plate = baseplate.resolve({"c_compiler": "zig"}, "linux-64", tools.detect_versions())
    cxx = wrappers.install(plate, tools.find_tools(), tmp_path / "build_env").tools["c++"]
    for name in ("a", "b"):
        (tmp_path / f"{name}.cpp").write_text(
            "#include <iostream>\n#include <string>\n"
            f'struct Init{name} {{ Init{name}() {{ std::cout << std::string("{name} ") '
            f"<< 1 << std::endl; }} }};\nstatic Init{name} init_{name};\n"
            f"int f{name}() {{ return 1; }}\n"
        )
        run([cxx, "-O2", "-shared", "-fPIC", "-o", f"lib{name}.so", f"{name}.cpp"], tmp_path)
    (tmp_path / "main.cpp").write_text(
        "#include <iostream>\nint fa(); int fb();\n"
        'int main() { std::cout << "main " << fa() + fb() << std::endl; }\n'
    )
    run([cxx, "-O2", "-o", "main", "main.cpp", "-L.", "-lb", "-la", "-Wl,-rpath,$ORIGIN"],
        tmp_path)  # fmt: skip
    out = run([str(tmp_path / "main")], tmp_path)
    assert "main 2" in out
