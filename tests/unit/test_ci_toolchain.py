"""CI jobs pinning a host gcc/clang install it before the build; zig jobs do not (pure)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from conda_forge_like import ci
from conda_forge_like.ci.group import group
from conda_forge_like.ci.plan import job_name
from conda_forge_like.ci.toolchain import HostCompiler, host_compilers, links, packages
from conda_forge_like.errors import VariantError

GCC12 = {"c_compiler": ["gcc"], "c_compiler_version": ["12"], "cxx_compiler": ["zig"]}
ZIG = {"c_compiler": ["zig"], "c_compiler_version": ["0.17"]}
CLANG18 = {"c_compiler": ["clang"], "c_compiler_version": ["18"], "cxx_compiler": ["clangxx"]}


def job(name: str, variant: dict[str, Any], recipe: str = "recipes/k") -> ci.Job:
    return ci.Job(name, (recipe,), "linux-64", (), variant, (f"linux-64/{name}.conda",))


def generate(provider: str, *jobs: ci.Job) -> dict[str, Any]:
    files = ci.files(ci.Plan(jobs, ("linux-64",)), provider)
    path = next(p for p in files if not p.startswith("ci/variants/"))
    data: dict[str, Any] = yaml.safe_load(files[path])
    return data


def test_gcc_pin_needs_gcc_and_gxx_of_that_major_version() -> None:
    assert host_compilers(GCC12) == (HostCompiler("gcc", "12"),)
    assert host_compilers({**GCC12, "c_compiler_version": ["12.2.*"]}) == (
        HostCompiler("gcc", "12"),
    )
    assert packages(host_compilers(GCC12)) == "gcc-12 g++-12"
    assert links(host_compilers(GCC12)) == "gcc=gcc-12 g++=g++-12 cc=gcc-12 c++=g++-12"


def test_zig_or_an_unpinned_host_compiler_needs_nothing() -> None:
    assert host_compilers(ZIG) == ()
    assert host_compilers({"c_compiler": ["gcc"]}) == ()
    assert host_compilers({"microarch_level": [3]}) == ()


def test_clang_pin_installs_clang_and_links_both_drivers() -> None:
    (clang,) = host_compilers(CLANG18)
    assert clang.packages == ("clang-18",)
    assert links([clang]) == "clang=clang-18 clang++=clang++-18"


def test_cxx_compiler_picks_the_toolchain_when_c_compiler_is_absent() -> None:
    variant = {"cxx_compiler": ["gxx"], "cxx_compiler_version": ["13"]}
    assert host_compilers(variant) == (HostCompiler("gcc", "13"),)


def test_merged_job_needs_the_host_compiler_of_its_zipped_gcc_builds() -> None:
    merged = {
        "c_compiler": ["zig", "gcc"],
        "c_compiler_version": ["0.17", "12"],
        "microarch_level": [1, 3],
        "zip_keys": [["c_compiler", "c_compiler_version"]],
    }
    assert host_compilers(merged) == (HostCompiler("gcc", "12"),)


def test_a_version_that_is_no_package_name_is_an_error() -> None:
    with pytest.raises(VariantError, match="c_compiler_version 'latest'"):
        host_compilers({"c_compiler": ["gcc"], "c_compiler_version": ["latest"]})


def test_github_gcc12_job_gets_the_install_step_and_zig_job_skips_it() -> None:
    data = generate("github", job("gcc_job", GCC12), job("zig_job", ZIG))
    (stage,) = data["jobs"].values()
    gcc_entry, zig_entry = stage["strategy"]["matrix"]["include"]
    assert gcc_entry["compiler_packages"] == "gcc-12 g++-12"
    assert gcc_entry["compiler_links"] == "gcc=gcc-12 g++=g++-12 cc=gcc-12 c++=g++-12"
    assert zig_entry["compiler_packages"] == zig_entry["compiler_links"] == ""
    names = [s.get("name") for s in stage["steps"]]
    step = stage["steps"][names.index("Host compiler")]
    assert names.index("Host compiler") < names.index("Build")
    assert step["if"] == "matrix.compiler_packages != ''"
    assert step["env"]["CFL_COMPILER_PACKAGES"] == "${{ matrix.compiler_packages }}"
    install = 'echo "$CFL_COMPILER_PACKAGES" | xargs sudo apt-get install -y -q'
    assert install in step["run"]
    assert 'echo "$RUNNER_TEMP/cfl-compilers" >> "$GITHUB_PATH"' in step["run"]


def test_github_workflow_without_host_compilers_has_no_step() -> None:
    data = generate("github", job("zig_job", ZIG))
    (stage,) = data["jobs"].values()
    assert "compiler_packages" not in stage["strategy"]["matrix"]["include"][0]
    assert "Host compiler" not in [s.get("name") for s in stage["steps"]]


def test_gitlab_clang_job_extends_the_compiler_template_as_root() -> None:
    data = generate("gitlab", job("clang_job", CLANG18), job("zig_job", ZIG))
    assert data["clang_job"]["extends"] == ".cfl_build_host_compiler"
    assert data["clang_job"]["variables"]["CFL_COMPILER_PACKAGES"] == "clang-18"
    assert data["zig_job"]["extends"] == ".cfl_build"
    assert "CFL_COMPILER_PACKAGES" not in data["zig_job"]["variables"]
    before = data[".cfl_build_host_compiler"]["before_script"]
    assert before[1].endswith("| xargs apt-get install -y -q --no-install-recommends")
    assert 'export PATH="$CI_PROJECT_DIR/.cfl-compilers:$PATH"' in before
    assert before[-1] == "python -m pip install -e ."  # the setup the template replaces


def test_azure_gcc12_job_prepends_the_compiler_dir_to_path() -> None:
    data = generate("azure", job("gcc_job", GCC12), job("zig_job", ZIG))
    (stage,) = data["jobs"]
    matrix = stage["strategy"]["matrix"]
    assert matrix["gcc_job"]["CFL_COMPILER_PACKAGES"] == "gcc-12 g++-12"
    assert matrix["zig_job"]["CFL_COMPILER_PACKAGES"] == ""
    (step,) = [s for s in stage["steps"] if s.get("displayName") == "Host compiler"]
    assert step["condition"] == "and(succeeded(), ne(variables['CFL_COMPILER_PACKAGES'], ''))"
    assert "##vso[task.prependpath]$(Agent.TempDirectory)/cfl-compilers" in step["script"]


def test_grouping_never_merges_two_versions_of_one_host_compiler() -> None:
    def axis_job(version: str, level: int) -> ci.Job:
        axes = (("c_compiler_version", version), ("microarch_level", level))
        variant = {**GCC12, "c_compiler_version": [version], "microarch_level": [level]}
        name = job_name("k", "linux-64", axes)
        return ci.Job(name, ("recipes/k",), "linux-64", axes, variant, (f"linux-64/{name}",))

    jobs = [axis_job(v, level) for v in ("12", "13") for level in (1, 3)]
    merged = group(jobs, max_jobs=1)
    assert [(j.name, host_compilers(j.variant)) for j in merged] == [
        ("k_linux_64", (HostCompiler("gcc", "12"),)),
        ("k_linux_64_2", (HostCompiler("gcc", "13"),)),
    ]
    assert merged[1].variant["microarch_level"] == [1, 3]
