"""The base plate as data: resolution, CPU flags, wrapper commands, generated files, env."""

from __future__ import annotations

import pytest

from conda_forge_like import baseplate
from conda_forge_like.baseplate import env, wrappers
from conda_forge_like.baseplate.targets import TARGETS
from conda_forge_like.baseplate.tools import Tools
from conda_forge_like.errors import VariantError

VERSIONS = {"zig": "0.17.1", "gcc": "12.2.0", "clang": "14.0.6"}
TOOLS = Tools(
    zig="/opt/zig", gcc="/usr/bin/gcc", gxx="/usr/bin/g++", clang="/usr/bin/clang",
    clangxx="/usr/bin/clang++", llvm={"strip": "/usr/bin/llvm-strip", "nm": "/usr/bin/llvm-nm"},
)  # fmt: skip


def plate(subdir: str = "linux-64", **variant: object) -> baseplate.BasePlate:
    return baseplate.resolve({"c_compiler": "zig", **variant}, subdir, VERSIONS)


@pytest.mark.parametrize(
    ("subdir", "zig_target", "triple"),
    [
        ("linux-64", "x86_64-linux-gnu.2.17", "x86_64-conda-linux-gnu"),
        ("linux-aarch64", "aarch64-linux-gnu.2.17", "aarch64-conda-linux-gnu"),
        ("osx-64", "x86_64-macos.11.0", "x86_64-apple-darwin13.4.0"),
        ("osx-arm64", "aarch64-macos.11.0", "arm64-apple-darwin20.0.0"),
        ("win-64", "x86_64-windows-gnu", "x86_64-w64-mingw32"),
    ],
)
def test_each_subdir_has_a_target_with_its_libc_floor(
    subdir: str, zig_target: str, triple: str
) -> None:
    resolved = plate(subdir)
    assert resolved.target.zig_target == zig_target
    assert resolved.target.conda_triple == triple
    assert resolved.cxx_stdlib == "libc++"


@pytest.mark.parametrize(
    ("toolchain", "level", "flags"),
    [
        ("zig", 1, ("-mcpu=x86_64",)),
        ("zig", 3, ("-mcpu=x86_64_v3",)),
        ("zig", 4, ("-mcpu=x86_64_v4", "-mprefer-vector-width=512")),
        ("gcc", 1, ("-march=x86-64", "-mtune=generic")),
        ("gcc", 3, ("-march=x86-64-v3", "-mtune=generic", "-mneeded")),
        ("gcc", 4, ("-march=x86-64-v4", "-mtune=generic", "-mneeded", "-mprefer-vector-width=512")),
        ("clang", 2, ("-march=x86-64-v2", "-mtune=generic")),
    ],
)
def test_cpu_level_flags(toolchain: str, level: int, flags: tuple[str, ...]) -> None:
    assert baseplate.cpu_flags(toolchain, VERSIONS[toolchain], level) == flags


def test_clang_marks_the_isa_level_through_the_linker() -> None:
    resolved = baseplate.resolve(
        {"c_compiler": "clang", "microarch_level": 3}, "linux-64", VERSIONS
    )
    assert "-Wl,-z,x86-64-v3" in resolved.ldflags


def test_level_applies_to_x86_64_only() -> None:
    assert plate("linux-aarch64", microarch_level=4).microarch_level is None
    assert plate("linux-aarch64", microarch_level=4).cpu_flags == ()
    assert plate("osx-64", microarch_level="3").microarch_level == 3


def test_fingerprint_changes_with_level_and_toolchain() -> None:
    fingerprints = {
        plate(microarch_level=1).fingerprint,
        plate(microarch_level=4).fingerprint,
        baseplate.resolve({"c_compiler": "gcc"}, "linux-64", VERSIONS).fingerprint,
    }
    assert len(fingerprints) == 3
    assert plate(microarch_level=1).fingerprint == plate(microarch_level="1").fingerprint


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ({"c_compiler": "msvc"}, "not a base-plate toolchain"),
        ({"c_compiler": "zig", "microarch_level": 5}, "not an x86-64 level"),
        ({"c_compiler": "zig", "c_compiler_version": "0.16"}, "but the base plate has zig 0.17.1"),
    ],
)
def test_bad_variants_are_explained(variant: dict[str, object], message: str) -> None:
    with pytest.raises(VariantError, match=message) as info:
        baseplate.resolve(variant, "linux-64", VERSIONS)
    assert info.value.hint


def test_host_compilers_build_natively_only() -> None:
    with pytest.raises(VariantError, match="builds only for linux-64") as info:
        baseplate.resolve({"c_compiler": "gcc"}, "linux-aarch64", VERSIONS)
    assert "zig" in (info.value.hint or "")


def test_pinned_version_prefix_matches() -> None:
    resolved = baseplate.resolve(
        {"c_compiler": "gcc", "c_compiler_version": "12"}, "linux-64", VERSIONS
    )
    assert resolved.version == "12.2.0"


def test_zig_wrapper_commands_bake_in_target_and_cpu() -> None:
    commands = wrappers.commands(plate(microarch_level=3), TOOLS)
    assert commands["cc"] == [
        "/opt/zig",
        "cc",
        "-target",
        "x86_64-linux-gnu.2.17",
        "-mcpu=x86_64_v3",
        # debug info names zig's headers by one name, wherever ziglang is installed
        "-ffile-prefix-map=/opt/lib=/usr/local/share/zig/lib",
    ]
    assert commands["c++"][:2] == ["/opt/zig", "c++"]
    assert commands["ar"] == ["/opt/zig", "ar"]
    assert commands["ld"] == ["/opt/zig", "ld.lld"]
    assert commands["strip"] == ["/usr/bin/llvm-strip"]
    assert wrappers.commands(plate("osx-arm64"), TOOLS)["ld"] == ["/opt/zig", "ld64.lld"]


def test_wrapper_names_follow_conda_forge() -> None:
    assert wrappers.wrapper_name(plate("linux-aarch64"), "c++") == "aarch64-conda-linux-gnu-c++"
    assert wrappers.wrapper_name(plate(), "cc") == "x86_64-conda-linux-gnu-cc"


def test_isa_note_sets_cumulative_level_bits() -> None:
    text = wrappers.isa_note_asm(3)
    assert ".long 0xc0008002" in text
    assert ".long 7" in text  # baseline | v2 | v3
    assert ".note.cfl.isa" in text


INSTALLED = wrappers.Installed(
    {role: f"/b/bin/x-{role}" for role in wrappers.ROLES}, "/b/tc.cmake", "/b/cross.ini"
)


def test_cmake_toolchain_for_cross_targets_names_the_system() -> None:
    text = wrappers.cmake_toolchain(plate("linux-aarch64"), INSTALLED.tools, TOOLS)
    assert "set(CMAKE_SYSTEM_NAME Linux)" in text
    assert "set(CMAKE_SYSTEM_PROCESSOR aarch64)" in text
    assert 'set(CMAKE_C_COMPILER "/b/bin/x-cc")' in text
    assert "CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY" in text
    native = wrappers.cmake_toolchain(plate("linux-64"), INSTALLED.tools, TOOLS)
    assert "CMAKE_SYSTEM_NAME" not in native
    darwin = wrappers.cmake_toolchain(plate("osx-64"), INSTALLED.tools, TOOLS)
    assert 'CMAKE_OSX_DEPLOYMENT_TARGET "11.0"' in darwin
    assert 'set(CMAKE_INSTALL_NAME_DIR "@rpath")' in darwin
    assert "CMAKE_INSTALL_NAME_DIR" not in native


def test_meson_cross_file() -> None:
    text = wrappers.meson_cross(plate("win-64"), INSTALLED.tools)
    assert "system = 'windows'" in text
    assert "cpu_family = 'x86_64'" in text
    assert "needs_exe_wrapper = true" in text


def test_build_env_exports_the_design_contract() -> None:
    paths = env.BuildPaths("/h", "/b", "/src", "/recipe")
    package = env.PackageInfo("foo", "1.0", 2, "h1234567_2", "h1234567")
    variables = env.build_env(
        plate(microarch_level=4), INSTALLED, paths, package, {"microarch_level": 4, "zlib": "1.3"},
        cpu_count=2,
    )  # fmt: skip
    for key in (
        "CC", "CXX", "AR", "RANLIB", "LD", "STRIP", "NM", "CFLAGS", "CXXFLAGS", "LDFLAGS",
        "CPPFLAGS", "CMAKE_ARGS", "target_platform", "build_platform", "CPU_COUNT", "PREFIX",
        "BUILD_PREFIX", "SRC_DIR", "PKG_NAME", "PKG_VERSION", "PKG_BUILDNUM", "PKG_HASH",
    ):  # fmt: skip
        assert variables[key], key
    assert variables["CC"] == "/b/bin/x-cc"
    assert variables["zlib"] == "1.3"
    assert variables["microarch_level"] == "4"
    # The level and the build-path maps are in the compiler wrappers, not in what users
    # override: `$CC -O2 -o x x.c` gets them too (test_compiler_script.py).
    assert "-mcpu=x86_64_v4" not in variables["CFLAGS"]
    assert "-DCMAKE_TOOLCHAIN_FILE=/b/tc.cmake" in variables["CMAKE_ARGS"]
    assert "-DCMAKE_INSTALL_PREFIX=/h" in variables["CMAKE_ARGS"]
    assert "-Wl,-rpath,/h/lib" in variables["LDFLAGS"]
    assert "prefix-map" not in variables["CFLAGS"]
    assert " " not in variables["CC"]


def test_windows_flags_have_no_fpic() -> None:
    assert "-fPIC" not in plate("win-64").cflags
    assert "-fPIC" in plate("linux-64").cflags


def test_targets_table_covers_the_five_subdirs() -> None:
    assert set(TARGETS) == {"linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64"}


@pytest.mark.parametrize(
    ("compiler", "flag"),
    [
        ("zig", "-fwritable-strings"),
        ("clang", "-fwritable-strings"),
        ("gcc", "-fno-merge-constants"),
    ],
)
def test_no_toolchain_lets_the_linker_merge_string_literals(compiler: str, flag: str) -> None:
    # A literal merged into the tail of the prefix string breaks install-time replacement:
    # the guard is the wrappers' (every compile), not $CFLAGS' (a script may drop those).
    built = plate(c_compiler=compiler)
    assert built.guard_flags == (flag,)
    assert flag not in built.cflags
