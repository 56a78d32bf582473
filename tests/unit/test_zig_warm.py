"""zig's runtime warm-up: only the languages a recipe compiles, announced once, then silent."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from conda_forge_like import baseplate
from conda_forge_like.baseplate import wrappers
from conda_forge_like.build.runner import compiled_languages
from conda_forge_like.render.model import RenderedRecipe, Requirements


def _plate() -> baseplate.BasePlate:
    versions = {"zig": "0.17.1", "gcc": "12.2.0", "clang": "14.0.6"}
    return baseplate.resolve({"c_compiler": "zig", "microarch_level": 3}, "linux-64", versions)


def _fake_compiler(path: Path, calls: Path) -> str:
    """Records its arguments and succeeds, like a compiler that had nothing to do."""
    path.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _rendered(variant: dict[str, str], build: tuple[str, ...] = ()) -> RenderedRecipe:
    return RenderedRecipe(
        name="x", version="1", build_string="h0_0", build_number=0, subdir="linux-64",
        variant=variant, hash_input="{}", requirements=Requirements(build=build),
        recipe_path="recipe.yaml", recipe_format="v1",
    )  # fmt: skip


def test_a_recipe_warms_only_the_runtimes_it_compiles_with() -> None:
    assert compiled_languages(_rendered({"c_compiler": "zig"})) == {"c"}
    assert compiled_languages(_rendered({}, ("zig_linux-64 0.17.*",))) == {"c"}
    assert compiled_languages(_rendered({"cxx_compiler": "zig"})) == {"c", "c++"}
    assert compiled_languages(_rendered({"target_platform": "noarch"}, ("make",))) == set()


def test_warm_commands_follow_the_languages() -> None:
    tools = {"cc": "/p/cc", "c++": "/p/c++"}
    c_only = wrappers._warm_commands(_plate(), tools, {"c"})
    assert {name for _, name in c_only} == {"warm.c"}
    assert {cmd[0] for cmd, _ in c_only} == {"/p/cc"}
    both = wrappers._warm_commands(_plate(), tools, {"c", "c++"})
    assert {name for _, name in both} == {"warm.c", "warm.cpp"}


def test_the_first_warm_up_is_announced_and_the_second_is_silent(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    tools = {
        "cc": _fake_compiler(tmp_path / "cc", calls),
        "c++": _fake_compiler(tmp_path / "cxx", calls),
    }
    heard: list[str] = []
    for _ in range(2):
        wrappers.warm_zig_cache(_plate(), tools, tmp_path / "cache", {"c"}, heard.append)
    assert len(heard) == 1
    assert "C runtime for linux-64" in heard[0]
    assert "one-time" in heard[0]
    assert "libc++" not in heard[0]
    assert all("warm.cpp" not in line for line in calls.read_text().splitlines())
    # C++ later: its own (announced) warm-up, naming libc++.
    wrappers.warm_zig_cache(_plate(), tools, tmp_path / "cache", {"c", "c++"}, heard.append)
    assert len(heard) == 2
    assert "libc++" in heard[1]


def test_an_unwarmed_runtime_is_built_from_the_warm_folder_on_first_use(tmp_path: Path) -> None:
    """A C recipe whose build still runs C++ (CMake's default languages): the C++ wrapper's
    first run builds libc++ from the warm-up folder, once, and stamps it as install() would."""
    calls = tmp_path / "calls"
    cxx = tmp_path / "cxx"
    cxx.write_text(f'#!/bin/sh\necho "$PWD $*" >> {calls}\n')
    cxx.chmod(cxx.stat().st_mode | stat.S_IXUSR)
    tools = {"cc": str(cxx), "c++": str(cxx)}
    cache = tmp_path / "cache"
    wrappers._write_warm_sources(cache / "warm")
    snippet = wrappers._lazy_warm(_plate(), tools, cache, wrappers.ALL_LANGUAGES)
    for _ in range(2):
        subprocess.run(["bash", "-c", snippet], check=True, cwd=tmp_path)
    lines = calls.read_text().splitlines()
    assert len(lines) == 4  # C and C++, bare and with the plate's flags; the second run: none
    assert all(line.startswith(f"{cache / 'warm'} ") for line in lines)
    commands = wrappers._warm_commands(_plate(), tools, wrappers.ALL_LANGUAGES)
    assert wrappers._stamp(_plate(), commands, cache)[1].exists()
    heard: list[str] = []
    wrappers.warm_zig_cache(_plate(), tools, cache, wrappers.ALL_LANGUAGES, heard.append)
    assert heard == []  # install() of a later C++ recipe finds it done
