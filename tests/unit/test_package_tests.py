"""Package tests as data: the specs of both formats, package_contents, the script text."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like import platforms
from conda_forge_like.build import test_contents, tests
from conda_forge_like.render.v0_outputs import TOP_LEVEL


@pytest.mark.parametrize(
    ("subdir", "expected"),
    [
        ("linux-64", [["lib/foo.so", "lib/foo.so.*", "lib/libfoo.so", "lib/libfoo.so.*"]]),
        (
            "osx-arm64",
            [["lib/foo.dylib", "lib/foo.*.dylib", "lib/libfoo.dylib", "lib/libfoo.*.dylib"]],
        ),
        ("win-64", [["Library/bin/foo.dll"], ["Library/lib/foo.lib"]]),
    ],
)
def test_lib_names_expand_per_platform(subdir: str, expected: list[list[str]]) -> None:
    assert test_contents.expand("lib", "foo", subdir) == expected


def test_explicit_library_names_are_taken_as_written() -> None:
    assert test_contents.expand("lib", "libfoo.so.1", "linux-64") == [["lib/libfoo.so.1"]]
    assert test_contents.expand("lib", "libfoo.a", "osx-64") == [["lib/libfoo.a"]]
    assert test_contents.expand("lib", "foo.dll", "win-64") == [["Library/bin/foo.dll"]]


def test_bin_include_and_site_packages_expand_per_platform() -> None:
    assert test_contents.expand("bin", "foo", "linux-64") == [["bin/foo"]]
    assert "Library/bin/foo.exe" in test_contents.expand("bin", "foo", "win-64")[0]
    assert test_contents.expand("include", "foo.h", "win-64") == [["Library/include/foo.h"]]
    assert test_contents.expand("include", "foo.h", "osx-64") == [["include/foo.h"]]
    assert test_contents.expand("site_packages", "a.b", "linux-64") == [
        ["lib/python*/site-packages/a/b.py", "lib/python*/site-packages/a/b/__init__.py"]
    ]


LINUX_PATHS = ["lib/libz.so.1.3", "lib/libz.so", "include/zlib.h", "bin/zpipe", "share/doc/z"]


def test_contents_met_and_unmet() -> None:
    ok = {"lib": ["z"], "include": ["zlib.h"], "bin": ["zpipe"], "files": ["share/**"]}
    assert test_contents.problems(ok, LINUX_PATHS, "linux-64") == []
    assert test_contents.problems({"lib": ["z"]}, ["lib/libz.dylib"], "osx-64") == []
    bad = {"lib": ["png"], "include": {"not_exists": ["zlib.h"]}}
    assert test_contents.problems(bad, LINUX_PATHS, "linux-64") == [
        "include: zlib.h should not exist but include/zlib.h does",
        "lib: no match for png",
    ]


def test_windows_lib_needs_both_dll_and_import_library() -> None:
    assert test_contents.problems({"lib": ["z"]}, ["Library/bin/z.dll"], "win-64") == [
        "lib: no match for z"
    ]


def test_strict_names_every_unmatched_path() -> None:
    spec = {"strict": True, "lib": ["z"], "include": ["zlib.h"]}
    found = test_contents.problems(spec, LINUX_PATHS, "linux-64")
    assert found == ["strict: 2 path(s) no entry names: bin/zpipe, share/doc/z"]


def test_v0_specs_run_test_sh_only_for_the_top_level_package() -> None:
    meta = {TOP_LEVEL: True, "test": {"commands": ["true"], "source_files": ["data/"]}}
    [spec] = tests.test_specs(meta, "v0", {"run_test.sh", "meta.yaml"})
    assert spec.script == "run_test.sh"
    assert spec.source_files == ("data/",)
    [output] = tests.test_specs({"test": {"commands": ["true"]}}, "v0", {"run_test.sh"})
    assert output.script is None
    # A recipe with only run_test.sh (no test section) still has a test.
    assert tests.test_specs({TOP_LEVEL: True}, "v0", {"run_test.sh"})[0].script == "run_test.sh"
    assert tests.test_specs({TOP_LEVEL: True}, "v0", {"meta.yaml"}) == []


def test_v1_specs_files_requirements_and_contents() -> None:
    [spec] = tests.test_specs(
        {"tests": [{
            "script": {"content": ["foo --help"]},
            "requirements": {"run": ["pytest"], "build": ["cmake"]},
            "files": {"recipe": ["t/"], "source": ["tests/data.txt"]},
            "package_contents": {"lib": {"exists": ["foo"]}, "strict": True},
        }]},
        "v1",
    )  # fmt: skip
    assert spec.commands == ("foo --help",)
    assert spec.requires == ("pytest", "cmake")
    assert (spec.files, spec.source_files) == (("t/",), ("tests/data.txt",))
    assert spec.contents["strict"] is True
    assert tests.load(tests.dump([spec])) == [spec]


def test_v0_shell_text_is_conda_builds_run_test_sh() -> None:
    spec = tests.TestSpec(commands=("foo --version", "test -f x"), recipe_format="v0")
    assert tests.v0_shell_text(spec, "echo mine\n") == (
        "echo mine\n\n\nset -ex\n\nfoo --version\ntest -f x\nexit 0\n"
    )
    assert tests.v0_shell_text(tests.TestSpec(recipe_format="v0"), None) == ""


def test_driver_runs_imports_then_the_shell_test() -> None:
    v0 = tests.TestSpec(commands=("x",), imports=("foo",), recipe_format="v0")
    assert tests.driver_text(v0, True, "run_test.sh") == (
        'set -e\npython -s -c "import foo"\nbash -e "./run_test.sh"\n'
    )
    assert tests.driver_text(v0, False, "run_test.sh") == 'set -e\nbash -e "./run_test.sh"\n'
    v1 = tests.TestSpec(commands=("a", "b"))
    assert tests.driver_text(v1, False, None) == "set -e\nset -x\na\nb\n"


def test_test_env_has_conda_builds_test_variables() -> None:
    runs = platforms.Execution("linux-64", True)
    index = {"name": "z", "version": "1.3", "build": "h1_2", "build_number": 2}
    env = tests.test_env(
        {"PATH": "/usr/bin", "HOME": "/root"}, Path("/t/env"), {**index, "subdir": "linux-64"},
        runs, "linux-64", Path("/t/work"),
    )  # fmt: skip
    assert env["PREFIX"] == env["CONDA_PREFIX"] == "/t/env"
    assert (env["PKG_NAME"], env["PKG_VERSION"], env["PKG_BUILDNUM"]) == ("z", "1.3", "2")
    assert (env["SHLIB_EXT"], env["target_platform"], env["SRC_DIR"]) == (
        ".so", "linux-64", "/t/work",
    )  # fmt: skip
    assert env["CONDA_BUILD_STATE"] == "TEST"
    assert env["PATH"] == "/t/env/bin:/usr/bin"
    assert env["HOME"] == "/root"
    qemu = platforms.Execution("linux-aarch64", True, "/q", (("QEMU_LD_PREFIX", "/usr/a"),))
    cross = tests.test_env({}, Path("/e"), {**index, "subdir": "linux-aarch64"}, qemu,
                           "linux-64", Path("/w"))  # fmt: skip
    assert cross["QEMU_LD_PREFIX"] == "/usr/a"
    assert cross["CONDA_BUILD_CROSS_COMPILATION"] == "1"
    assert cross["ARCH"] == "aarch64"
