"""Pure build planning: base-plate specs, run_exports, build order, file selection, tests."""

from __future__ import annotations

import pytest

from conda_forge_like.build import files, plan, tests
from conda_forge_like.errors import CflError
from conda_forge_like.records import replace
from conda_forge_like.render.model import (
    IgnoreRunExports,
    PendingPin,
    RenderedRecipe,
    Requirements,
)


def rendered(
    name: str,
    host: tuple[str, ...] = (),
    build: tuple[str, ...] = (),
    run: tuple[str, ...] = (),
    ignore: IgnoreRunExports | None = None,
) -> RenderedRecipe:
    return RenderedRecipe(
        name=name, version="1.0", build_number=0, build_string="h0_0", subdir="linux-64",
        variant={}, hash_input="{}", requirements=Requirements(build, host, run),
        recipe_path=f"/r/{name}/recipe.yaml", recipe_format="v1",
        ignore_run_exports=ignore or IgnoreRunExports(),
    )  # fmt: skip


def test_compilers_stdlib_and_tools_are_provided_unless_a_channel_has_them() -> None:
    specs = ["zig_linux-64 0.17.*", "sysroot_linux-64 2.17.*", "cmake", "ninja", "zlib"]
    provided, solve = plan.split_build_specs(specs, "linux-64", solvable={"ninja"})
    assert provided == ["zig_linux-64 0.17.*", "sysroot_linux-64 2.17.*", "cmake"]
    assert solve == ["ninja", "zlib"]
    assert plan.is_base_plate_spec("gxx_linux-aarch64", "linux-aarch64")
    assert not plan.is_base_plate_spec("gcc", "linux-64")


def test_weak_exports_come_from_host_strong_from_build_and_host() -> None:
    host = [plan.Exporter("libgreet", "1.4.2", {"weak": ["libgreet >=1.4.2,<1.5.0a0"]})]
    build = [
        plan.Exporter("tool", "1", {"weak": ["tool-runtime"], "strong": ["libgcc >=12"]}),
    ]
    item = rendered("app", host=("libgreet 1.4.*",), build=("tool",), run=("python",))
    depends, constrains = plan.run_depends(item, host, build)
    assert depends == ["python", "libgreet >=1.4.2,<1.5.0a0", "libgcc >=12"]
    assert constrains == []


def test_only_the_packages_a_recipe_names_export() -> None:
    """conda-build's explicit specs, rattler-build's direct dependencies: what python itself
    needs (libffi) is not a run dependency of a package that lists python."""
    host = [
        plan.Exporter("python", "3.11.2", {"weak": ["python_abi 3.11.* *_cp311"]}),
        plan.Exporter("libffi", "3.4.4", {"weak": ["libffi >=3.4.4,<3.5.0a0"]}),
    ]
    depends, _ = plan.run_depends(rendered("ext", host=("python",)), host, [])
    assert depends == ["python_abi 3.11.* *_cp311"]


def test_a_noarch_package_takes_only_noarch_exports() -> None:
    host = [
        plan.Exporter("python", "3.11.2", {"weak": ["python_abi 3.11.*"], "noarch": ["python"]}),
    ]
    item = replace(rendered("pure", host=("python",)), noarch="python")
    assert plan.run_depends(item, host, [])[0] == ["python"]
    build = [plan.Exporter("tool", "1", {"strong": ["libgcc >=12"]})]
    assert plan.run_depends(replace(item, requirements=Requirements(("tool",))),
                            [], build)[0] == []  # fmt: skip


def test_ignore_run_exports_by_name_and_from_package() -> None:
    host = [
        plan.Exporter("zlib", "1.3", {"weak": ["zlib >=1.3,<2.0a0"]}),
        plan.Exporter("openssl", "3", {"weak": ["openssl >=3"], "weak_constrains": ["x <2"]}),
    ]
    item = replace(
        rendered("app", host=("zlib", "openssl")),
        ignore_run_exports=IgnoreRunExports(by_name=("zlib",), from_package=("openssl",)),
    )
    assert plan.run_depends(item, host, []) == ([], [])


def test_pin_compatible_takes_the_installed_version() -> None:
    host = [plan.Exporter("numpy", "1.26.4", {})]
    pending = [{"name": "numpy", "lower": "x.x", "upper": "x"}]
    item = rendered("app", host=("numpy",), run=("numpy",))
    depends, _ = plan.run_depends(item, host, [], pending)
    assert depends == ["numpy >=1.26,<2.0a0"]


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        (PendingPin("dep", upper="x.x"), "dep >=1.2.3,<1.3.0a0"),
        (PendingPin("dep", exact=True), "dep ==1.2.3"),
        (PendingPin("dep", upper_bound="2.0"), "dep >=1.2.3,<2.0"),
        (PendingPin("dep", lower=None, upper_bound="2.0"), "dep <2.0"),
    ],
)
def test_pending_pins_of_the_rendered_recipe(pin: PendingPin, expected: str) -> None:
    host = [plan.Exporter("dep", "1.2.3", {})]
    depends, _ = plan.run_depends(rendered("app", run=("dep", "other")), host, [], [pin])
    assert depends == [expected, "other"]


def test_order_puts_dependencies_first() -> None:
    app = rendered("app", host=("libb",))
    libb = rendered("libb", host=("liba 1.*",))
    liba = rendered("liba")
    assert [r.name for r in plan.order([app, libb, liba])] == ["liba", "libb", "app"]


def test_a_cycle_is_an_error_naming_both() -> None:
    with pytest.raises(CflError, match="cycle") as info:
        plan.order([rendered("a", host=("b",)), rendered("b", host=("a",))])
    assert "a needs b" in info.value.message
    assert info.value.hint


def test_files_selection_by_globs_and_folders() -> None:
    new = {"lib/libm.so", "lib/libm.so.2", "include/m.h", "bin/tool", "share/doc/x"}
    assert files.select(new, ["lib/libm.so*"]) == ["lib/libm.so", "lib/libm.so.2"]
    assert files.select(new, ["include/", "bin/tool"]) == ["bin/tool", "include/m.h"]
    assert files.select(new, None) == sorted(new)


def test_test_specs_from_both_formats_round_trip() -> None:
    v0 = tests.test_specs({"test": {"commands": ["greet"], "requires": ["bash"]}}, "v0")
    v1 = tests.test_specs(
        {"tests": [{"script": ["greet world"], "requirements": {"run": ["bash"]}},
                   {"package_contents": {"lib": ["greet"], "include": ["greet.h"]}}]},
        "v1",
    )  # fmt: skip
    assert v0 == [tests.TestSpec(commands=("greet",), requires=("bash",), recipe_format="v0")]
    assert v1[0].commands == ("greet world",)
    assert v1[1].contents == {
        "strict": False,
        "lib": {"exists": ["greet"], "not_exists": []},
        "include": {"exists": ["greet.h"], "not_exists": []},
    }
    assert tests.load(tests.dump(v1)) == v1
    assert tests.requirements(v0) == ["bash"]


def _sysroot_depends(item: RenderedRecipe, floor: str) -> list[str]:
    exporter = plan.sysroot_exporter(item, floor)
    return plan.run_depends(item, [], [exporter] if exporter else [])[0]


def test_stdlib_c_adds_the_glibc_floor_as_conda_forges_sysroot_does() -> None:
    item = rendered("app", build=("zig_linux-64 0.17.*", "sysroot_linux-64 2.17.*"))
    assert _sysroot_depends(item, "2.17") == ["__glibc >=2.17,<3.0.a0"]


def test_a_floor_above_2_17_is_a_run_dependency_even_without_stdlib() -> None:
    item = rendered("app", build=("gcc_linux-64 12.*",))
    assert _sysroot_depends(item, "2.36") == ["__glibc >=2.36,<3.0.a0"]
    assert _sysroot_depends(item, "2.17") == []  # conda-forge's default floor: nothing to say


def test_no_glibc_dependency_without_a_compiler_or_off_linux() -> None:
    assert _sysroot_depends(rendered("data", build=("cmake",)), "2.36") == []
    item = rendered("app", build=("zig_osx-64 0.17.*", "sysroot_linux-64 2.17.*"))
    osx = replace(item, subdir="osx-64")
    assert plan.sysroot_exporter(osx, "2.17") is None


def test_the_glibc_dependency_obeys_ignore_run_exports() -> None:
    build = ("zig_linux-64 0.17.*", "sysroot_linux-64 2.17.*")
    for ignore in (IgnoreRunExports(by_name=("__glibc",)),
                   IgnoreRunExports(from_package=("sysroot_linux-64",))):  # fmt: skip
        assert _sysroot_depends(rendered("app", build=build, ignore=ignore), "2.28") == []
