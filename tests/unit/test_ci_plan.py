"""The CI planner and providers on hand-made rendered outputs: no files, no rendering."""

from __future__ import annotations

from typing import Any

import yaml

from conda_forge_like import ci
from conda_forge_like.ci.group import group, merged_variant
from conda_forge_like.ci.plan import RecipeMatrix, job_name, plan
from conda_forge_like.render.model import RenderedRecipe, Requirements
from conda_forge_like.variants.config import VariantConfig

CONFIG = VariantConfig(
    values={
        "c_compiler": ("zig", "gcc"),
        "microarch_level": (1, 3),
        "zlib": ("1.3",),
        "python": ("3.11",),
    },
    pin_run_as_build={"zlib": {"max_pin": "x.x"}},
)


def build(
    name: str,
    subdir: str = "linux-64",
    host: tuple[str, ...] = (),
    noarch: str | None = None,
    **variant: Any,
) -> RenderedRecipe:
    tag = "".join(f"{k}{v}" for k, v in sorted(variant.items()))
    return RenderedRecipe(
        name=name,
        version="1.0",
        build_number=0,
        build_string=f"h{abs(hash(tag)) % 10**7:07d}_0",
        subdir="noarch" if noarch else subdir,
        variant={**variant, "target_platform": subdir},
        hash_input="{}",
        requirements=Requirements(host=host),
        recipe_path=f"recipes/{name}",
        recipe_format="v1",
        noarch=noarch,
    )


def matrix(recipe: str, subdir: str, *builds: RenderedRecipe) -> RecipeMatrix:
    return RecipeMatrix(recipe, subdir, builds, CONFIG)


def test_job_name_is_conda_smithy_like() -> None:
    axes = [("microarch_level", 3), ("c_compiler", "zig")]
    assert job_name("", "linux-64", axes) == "linux_64_microarch_level3c_compilerzig"
    assert job_name("zlib", "osx-arm64", []) == "zlib_osx_arm64"
    assert (
        job_name("", "linux-64", [("python", "3.12.* *_cpython")])
        == "linux_64_python3_12_____cpython"
    )


def test_varying_keys_become_axes_and_constant_keys_do_not() -> None:
    builds = [
        build("lib", microarch_level=level, c_compiler=cc, zlib="1.3")
        for level in (1, 3)
        for cc in ("gcc", "zig")
    ]
    result = plan([matrix("recipes/lib", "linux-64", *builds)])
    names = [j.name for j in result.jobs]
    assert names == [
        "linux_64_c_compilergccmicroarch_level1",
        "linux_64_c_compilerzigmicroarch_level1",
        "linux_64_c_compilergccmicroarch_level3",
        "linux_64_c_compilerzigmicroarch_level3",
    ]
    assert all(len(j.builds) == 1 for j in result.jobs)


def test_job_variant_is_self_contained() -> None:
    builds = [build("lib", microarch_level=level) for level in (1, 3)]
    job = plan([matrix("recipes/lib", "linux-64", *builds)]).jobs[1]
    assert job.variant == {
        "c_compiler": ["zig"],
        "microarch_level": [3],
        "zlib": ["1.3"],
        "python": ["3.11"],
        "pin_run_as_build": {"zlib": {"max_pin": "x.x"}},
    }
    assert all(len(v) == 1 for k, v in job.variant.items() if k != "pin_run_as_build")
    text = ci.variant_text(job)
    assert yaml.safe_load(text)["microarch_level"] == [3]
    assert "cfl build recipes/lib -m ci/variants/linux_64_microarch_level3.yaml" in text


def test_output_not_using_an_axis_rides_along_in_every_job() -> None:
    builds = [
        build("lib", microarch_level=1),
        build("lib", microarch_level=3),
        build("lib-data"),
    ]
    jobs = plan([matrix("recipes/lib", "linux-64", *builds)]).jobs
    assert len(jobs) == 2
    assert all(any("lib-data" in b for b in j.builds) for j in jobs)


def test_noarch_recipe_builds_once_on_the_first_platform() -> None:
    matrices = [
        matrix("recipes/tool", subdir, build("tool", subdir, noarch="generic"))
        for subdir in ("linux-64", "osx-arm64", "win-64")
    ]
    jobs = plan(matrices).jobs
    assert [(j.name, j.subdir) for j in jobs] == [("linux_64", "linux-64")]


def test_a_noarch_matrix_is_one_job_whose_variant_file_keeps_the_lists() -> None:
    config = VariantConfig(
        values={"level": (1, 1, 2), "arch": ("a", "b", "c"), "zlib": ("1.3",)},
        zip_keys=(("level", "arch"),),
    )
    builds = [
        build("marker", noarch="generic", level=lv, arch=n)
        for lv, n in ((1, "a"), (1, "b"), (2, "c"))
    ]
    jobs = plan([RecipeMatrix("recipes/marker", "linux-64", tuple(builds), config)]).jobs
    assert [(j.name, len(j.builds)) for j in jobs] == [("linux_64", 3)]
    assert jobs[0].variant["level"] == [1, 1, 2]
    assert jobs[0].variant["arch"] == ["a", "b", "c"]
    assert jobs[0].variant["zip_keys"] == [["level", "arch"]]
    assert jobs[0].variant["zlib"] == ["1.3"]


def test_recipe_names_prefix_jobs_when_several_recipes() -> None:
    result = plan(
        [matrix("recipes/a", "linux-64", build("a")), matrix("b/meta.yaml", "linux-64", build("b"))]
    )
    assert [j.name for j in result.jobs] == ["a_linux_64", "b_linux_64"]


def test_dependent_recipes_get_needs_edges_per_platform() -> None:
    matrices = []
    for subdir in ("linux-64", "win-64"):
        matrices.append(
            matrix("recipes/app", subdir, build("app", subdir, host=("libz 1.*", "python")))
        )
        matrices.append(matrix("recipes/libz", subdir, build("libz", subdir)))
    result = plan(matrices)
    by_name = {j.name: j for j in result.jobs}
    assert by_name["app_linux_64"].needs == ("libz_linux_64",)
    assert by_name["app_win_64"].needs == ("libz_win_64",)
    assert by_name["libz_linux_64"].needs == ()
    order = [j.name for j in result.jobs]
    assert order.index("libz_linux_64") < order.index("app_linux_64")
    stages = result.stages()
    assert [sorted(j.name for j in s) for s in stages] == [
        ["libz_linux_64", "libz_win_64"],
        ["app_linux_64", "app_win_64"],
    ]


def test_needs_reach_a_noarch_dependency_on_another_platform() -> None:
    matrices = [
        matrix("recipes/data", "linux-64", build("data", noarch="generic")),
        matrix("recipes/data", "win-64", build("data", "win-64", noarch="generic")),
        matrix("recipes/app", "win-64", build("app", "win-64", host=("data",))),
    ]
    result = plan(matrices)
    assert result.job("app_win_64").needs == ("data_linux_64",)


def test_max_jobs_merges_one_recipes_jobs_with_zipped_axes() -> None:
    builds = [
        build("lib", microarch_level=level, c_compiler=cc) for level, cc in ((1, "gcc"), (3, "zig"))
    ]
    result = plan([matrix("recipes/lib", "linux-64", *builds)], max_jobs=1)
    (job,) = result.jobs
    assert job.name == "linux_64"
    assert len(job.builds) == 2
    assert job.variant["zip_keys"] == [["c_compiler", "microarch_level"]]
    assert job.variant["c_compiler"] == ["gcc", "zig"]
    assert job.variant["microarch_level"] == [1, 3]


def test_max_jobs_merges_equal_variant_recipes_and_keeps_needs() -> None:
    matrices = [
        matrix("recipes/a", "linux-64", build("a")),
        matrix("recipes/b", "linux-64", build("b")),
        matrix("recipes/c", "linux-64", build("c", host=("a", "b"))),
        matrix("recipes/a", "win-64", build("a", "win-64")),
    ]
    jobs = plan(matrices, max_jobs=3).jobs
    assert [j.name for j in jobs] == ["linux_64_group1", "c_linux_64", "a_win_64"]
    assert jobs[0].recipes == ("recipes/a", "recipes/b")
    assert jobs[1].needs == ("linux_64_group1",)


def test_max_jobs_never_merges_platforms() -> None:
    matrices = [matrix("recipes/a", s, build("a", s)) for s in ("linux-64", "win-64", "osx-64")]
    assert len(plan(matrices, max_jobs=1).jobs) == 3


def test_merged_variant_with_one_differing_key_needs_no_zip() -> None:
    merged = merged_variant([{"a": [1], "b": ["x"]}, {"a": [3], "b": ["x"]}])
    assert merged == {"a": [1, 3], "b": ["x"]}
    assert group([], 1) == []


def _files(provider: str) -> dict[str, str]:
    matrices = [
        matrix("recipes/libz", "linux-64", build("libz")),
        matrix("recipes/app", "linux-64", build("app", host=("libz",))),
    ]
    return ci.files(plan(matrices), provider)


def test_github_workflow_has_a_matrix_per_stage() -> None:
    files = _files("github")
    data = yaml.safe_load(files[".github/workflows/recipes.yml"])
    jobs = data["jobs"]
    assert list(jobs) == ["build_1", "build_2"]
    assert jobs["build_2"]["needs"] == ["build_1"]
    (entry,) = jobs["build_2"]["strategy"]["matrix"]["include"]
    assert entry == {
        "job": "app_linux_64", "recipes": "recipes/app", "subdir": "linux-64",
        "runner": "ubuntu-latest", "needs": "libz_linux_64",
    }  # fmt: skip
    uses = [s.get("uses", "") for s in jobs["build_2"]["steps"]]
    assert "actions/download-artifact@v4" in uses
    assert "actions/cache@v4" in uses
    assert not any(s.get("name") == "Upload" for s in jobs["build_2"]["steps"])
    assert "ci/variants/app_linux_64.yaml" in files


def test_gitlab_jobs_carry_needs_and_the_command() -> None:
    data = yaml.safe_load(_files("gitlab")[".gitlab-ci.yml"])
    assert data["stages"] == ["build_1", "build_2"]
    assert data["app_linux_64"]["needs"] == [{"job": "libz_linux_64", "artifacts": True}]
    assert data["app_linux_64"]["script"] == [
        "cfl build recipes/app -m ci/variants/app_linux_64.yaml --target-platform linux-64 "
        "--output-dir output"
    ]


def test_azure_has_a_named_matrix_per_stage() -> None:
    data = yaml.safe_load(_files("azure")["azure-pipelines.yml"])
    assert [j["job"] for j in data["jobs"]] == ["build_1", "build_2"]
    assert data["jobs"][1]["dependsOn"] == ["build_1"]
    assert data["jobs"][1]["strategy"]["matrix"]["app_linux_64"]["CFL_SUBDIR"] == "linux-64"


def test_upload_step_only_when_asked() -> None:
    options = ci.ProviderOptions(upload="anaconda upload output/*/*.conda")
    text = ci.files(plan([matrix("recipes/a", "linux-64", build("a"))]), "github", options)
    assert "anaconda upload" in text[".github/workflows/recipes.yml"]


def test_jobs_install_the_checkout_only_inside_cfls_own_tree() -> None:
    from conda_forge_like.ci import ProviderOptions, for_repository

    own = for_repository(ProviderOptions(), True, ["recipes/a/**"], "1.2.3")
    assert own.setup == "python -m pip install -e ."
    assert own.cache_files == ("pyproject.toml", "variants/**")
    feedstock = for_repository(ProviderOptions(), False, ["recipe/**"], "1.2.3")
    assert feedstock.setup == "python -m pip install conda-forge-like==1.2.3"
    assert feedstock.cache_files == ("recipe/**", "ci/variants/**")
    chosen = for_repository(ProviderOptions(), False, [], "1.2.3", install="pipx install cfl")
    assert chosen.setup == "pipx install cfl"
