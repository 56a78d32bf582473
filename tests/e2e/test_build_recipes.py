"""Whole builds: the shipped recipes become packages a real client (py-rattler) installs.

The shipped recipes are built once per session into a channel; the installed programs run
from a prefix at a different path than the build's, finding their libraries through the
relocated RPATHs. Bad input leaves nothing in the channel.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conda_forge_like import api
from conda_forge_like.errors import CflError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent.parent
RECIPES = ROOT / "recipes"
BAD = ROOT / "tests" / "data" / "recipes"


def install(channel: Path, specs: list[str], prefix: Path) -> None:
    import rattler
    from rattler.platform import Subdir

    records = asyncio.run(
        rattler.solve(
            [rattler.Channel(channel.resolve().as_uri())],
            specs,
            platforms=[Subdir("linux-64"), Subdir("noarch")],
            virtual_packages=rattler.VirtualPackage.detect(
                rattler.VirtualPackageOverrides.from_env()
            ),
            timestamp_policy="allow-missing",
        )
    )
    asyncio.run(rattler.install(records, target_prefix=prefix, show_progress=False))


# (event, output name, detail) of the session channel's build.
EVENTS: list[tuple[str, str, str]] = []


@pytest.fixture(scope="session")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("channel")
    recipes = [RECIPES / "libgreet", RECIPES / "greetpp", RECIPES / "mathkit"]
    api.build(
        recipes,
        output_dir=out,
        target_platform="linux-64",
        report=lambda event, rendered, detail: EVENTS.append((event, rendered.name, detail)),
    )
    return out


def repodata(channel: Path, subdir: str = "linux-64") -> dict[str, dict[str, object]]:
    data = json.loads((channel / subdir / "repodata.json").read_text())
    return {**data.get("packages", {}), **data.get("packages.conda", {})}


def test_all_outputs_are_in_the_channel(channel: Path) -> None:
    names = sorted(str(r["name"]) for r in repodata(channel).values())
    assert names == ["greetpp", "libgreet", "libmathkit", "mathkit-dev", "mathkit-tools"]


def test_run_exports_become_run_dependencies(channel: Path) -> None:
    records = {r["name"]: r for r in repodata(channel).values()}
    assert "libgreet >=1.4.2,<1.5.0a0" in records["greetpp"]["depends"]  # type: ignore[operator]
    dev_depends = records["mathkit-dev"]["depends"]
    assert any(str(d).startswith("libmathkit ==2.1.0 ") for d in dev_depends)  # type: ignore[attr-defined]


def test_archives_are_well_formed(channel: Path) -> None:
    import zstandard

    for path in sorted((channel / "linux-64").glob("*.conda")):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert names[0] == "metadata.json"
            info = next(n for n in names if n.startswith("info-"))
            payload = zstandard.ZstdDecompressor().decompressobj().decompress(archive.read(info))
            assert b"info/index.json" in payload
            assert b"info/paths.json" in payload


def test_license_files_are_packaged_and_inspect_shows_them(channel: Path) -> None:
    from conda_forge_like import package

    shipped = (RECIPES / "libgreet" / "src" / "LICENSE").read_bytes()
    for name in ("libgreet", "greetpp"):  # from the source tree and from the recipe folder
        [pkg] = (channel / "linux-64").glob(f"{name}-*.conda")
        assert package.read_info_tree(pkg, "licenses") == {"LICENSE": shipped}
        report = api.inspect(pkg)
        assert (report["license"], report["license_files"]) == ("BSD-3-Clause", ["LICENSE"])


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs the build machine's gcc")
def test_a_floor_above_conda_forges_is_a_glibc_run_dependency(tmp_path: Path) -> None:
    import platform

    from conda_forge_like import package
    from conda_forge_like.baseplate import tools

    glibc, gcc = platform.libc_ver()[1], tools.detect_versions().get("gcc")
    assert gcc is not None
    overrides = ["c_compiler=gcc", f"c_compiler_version={gcc.split('.')[0]}",
                 f"c_stdlib_version={glibc}"]  # fmt: skip
    [built] = api.build([RECIPES / "libgreet"], output_dir=tmp_path / "out", overrides=overrides)
    assert built.package is not None
    depends = package.read_index(built.package)["depends"]
    assert f"__glibc >={glibc},<3.0.a0" in depends
    assert api.inspect(built.package)["findings"] == []  # the check uses that floor too


def test_win_64_packages_use_conda_forges_library_layout(tmp_path: Path) -> None:
    from conda_forge_like import package

    events: list[tuple[str, str, str]] = []
    built = api.build(
        [RECIPES / "libgreet", RECIPES / "greetpp"], output_dir=tmp_path / "out",
        target_platform="win-64",
        report=lambda event, rendered, detail: events.append((event, rendered.name, detail)),
    )  # fmt: skip
    listed = {}
    for result in built:
        assert result.package is not None
        listed[result.name] = package.read_info(result.package, "files").decode().split()
    assert listed["libgreet"] == [
        "Library/bin/greet.exe",
        "Library/bin/libgreet.dll",
        "Library/include/greet.h",
        "Library/lib/libgreet.dll.a",
    ]
    assert listed["greetpp"] == [
        "Library/bin/greetpp-demo.exe",
        "Library/bin/libgreetpp.dll",
        "Library/include/greetpp.hpp",
        "Library/lib/libgreetpp.dll.a",
    ]
    assert not [e for e in events if "win-layout" in e[2]]


def test_installed_programs_run_from_another_prefix(channel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "somewhere" / "else"
    install(channel, ["greetpp", "mathkit-tools"], prefix)
    env = {"PATH": f"{prefix / 'bin'}:{os.environ['PATH']}"}
    greet = subprocess.run(["greet", "world"], env=env, capture_output=True, text=True, check=True)
    assert greet.stdout.strip() == "Hello, world! (libgreet 1.4.2)"
    demo = subprocess.run(
        ["greetpp-demo", "Ada"], env=env, capture_output=True, text=True, check=True
    )
    assert demo.stdout.splitlines() == ["Hello, Ada!", "1 greeting(s)"]
    stats = subprocess.run(
        ["mathkit-stats", "1", "2", "3", "4"], env=env, capture_output=True, text=True, check=True
    )
    assert stats.stdout.strip() == "n=4 mean=2.5 stddev=1.29099"


def test_prefix_strings_are_replaced_at_install(tmp_path: Path) -> None:
    out = tmp_path / "out"
    api.build([BAD / "tiny-noarch"], output_dir=out)
    prefix = tmp_path / "p"
    install(out, ["tiny-noarch"], prefix)
    run = subprocess.run(
        [prefix / "bin" / "tiny-where"], capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == f"{prefix}/share/tiny"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first = api.build([RECIPES / "libgreet"], output_dir=tmp_path / "a", test=False)
    second = api.build([RECIPES / "libgreet"], output_dir=tmp_path / "b", test=False)
    assert first[0].package
    assert second[0].package
    assert sha256(first[0].package) == sha256(second[0].package)


def test_tar_bz2_format(tmp_path: Path) -> None:
    results = api.build([BAD / "tiny-noarch"], output_dir=tmp_path, package_format="tar.bz2")
    assert results[0].package is not None
    assert results[0].package.name.endswith(".tar.bz2")
    assert repodata(tmp_path, "noarch")


def test_skip_existing(tmp_path: Path) -> None:
    api.build([BAD / "tiny-noarch"], output_dir=tmp_path)
    again = api.build([BAD / "tiny-noarch"], output_dir=tmp_path, skip_existing=True)
    assert [r.status for r in again] == ["skipped"]


def test_concurrent_builds_into_one_channel(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    commands = [
        [
            sys.executable,
            "-m",
            "conda_forge_like.cli",
            "build",
            str(recipe),
            "--output-dir",
            str(out),
        ]
        for recipe in (BAD / "tiny-noarch", RECIPES / "libgreet")
    ]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in commands]
    for proc in procs:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err.decode()[-2000:]
    names = {r["name"] for sub in ("noarch", "linux-64") for r in repodata(out, sub).values()}
    assert names == {"tiny-noarch", "libgreet"}


def no_packages(out: Path) -> bool:
    """No package in the channel's subdirs (work/ keeps a failed build, broken/ failed tests)."""
    found = [p for p in out.glob("*/*") if p.suffix in (".conda", ".bz2")]
    return not [p for p in found if p.parent.name not in ("work", "broken")]


def bad_build(tmp_path: Path, recipe: Path) -> CflError:
    with pytest.raises(CflError) as info:
        api.build([recipe], output_dir=tmp_path / "out")
    assert no_packages(tmp_path / "out")
    assert info.value.hint, info.value.message
    return info.value


def test_failing_script_shows_the_log_tail(tmp_path: Path) -> None:
    error = bad_build(tmp_path, BAD / "build-failing-script")
    assert "exited with 7" in error.message
    assert "error: the compiler said no" in error.message
    assert "build.log" in (error.hint or "")


def test_failing_test_moves_the_package_to_broken(tmp_path: Path) -> None:
    bad_build(tmp_path, BAD / "build-failing-test")
    assert list((tmp_path / "out" / "broken").glob("failing-test-1.0-*"))


def test_missing_license_file_fails_at_its_line(tmp_path: Path) -> None:
    error = bad_build(tmp_path, BAD / "build-license-file-missing")
    assert "about/license_file 'COPYING.missing' matches nothing" in error.message
    assert str(error.location).endswith("build-license-file-missing/meta.yaml:14")


def test_missing_source(tmp_path: Path) -> None:
    error = bad_build(tmp_path, BAD / "build-missing-source")
    assert "does-not-exist" in error.message


def test_missing_dependency(tmp_path: Path) -> None:
    error = bad_build(tmp_path, BAD / "build-missing-dependency")
    assert "libdoes-not-exist" in error.message


def test_recipe_cycle(tmp_path: Path) -> None:
    error = bad_build(tmp_path, BAD / "build-cycle" / "a")
    with pytest.raises(CflError, match="cycle"):
        api.build([BAD / "build-cycle" / "a", BAD / "build-cycle" / "b"], output_dir=tmp_path / "o")
    assert error.message


def test_bad_sha256_refuses_to_build(tmp_path: Path) -> None:
    payload = tmp_path / "payload.tar.gz"
    import tarfile

    with tarfile.open(payload, "w:gz") as tar:
        data = tmp_path / "hello.txt"
        data.write_text("hello\n")
        tar.add(data, arcname="pkg/hello.txt")
    recipe = tmp_path / "recipe" / "recipe.yaml"
    recipe.parent.mkdir()
    recipe.write_text(
        "package: {name: bad-sha, version: '1.0'}\n"
        f"source:\n  url: {payload.as_uri()}\n  sha256: {'0' * 64}\n"
        "build:\n  script: echo never\n"
    )
    error = bad_build(tmp_path, recipe.parent)
    assert "0" * 64 in error.message
    assert sha256(payload) in error.message


def test_cfl_test_reruns_the_stored_tests(channel: Path) -> None:
    package = next((channel / "linux-64").glob("libgreet-*.conda"))
    assert api.test(package) == 1


def test_jobs_build_independent_outputs_in_parallel(tmp_path: Path) -> None:
    results = api.build(
        [BAD / "tiny-noarch", RECIPES / "libgreet"], output_dir=tmp_path, jobs=2, test=False
    )
    assert sorted(r.name for r in results) == ["libgreet", "tiny-noarch"]


def test_debug_prepares_a_build_to_rerun_by_hand(tmp_path: Path) -> None:
    rendered, setup = api.debug(RECIPES / "libgreet", output_dir=tmp_path)
    assert rendered.name == "libgreet"
    assert (setup.src / "CMakeLists.txt").is_file()
    assert setup.script is not None
    script = f"source {setup.activate} && bash {setup.script}"
    run = subprocess.run(["bash", "-c", script], cwd=setup.src, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    installed = list(setup.work.glob("h_env_placehold*/bin/greet"))
    assert installed, "the build script installed into the host prefix"


def test_pin_compatible_takes_the_range_from_the_host_environment(tmp_path: Path) -> None:
    from conda_forge_like import package

    recipes = BAD / "pin-compatible-from-host"
    results = api.build(
        [recipes / "dep", recipes / "v1", recipes / "v0"], output_dir=tmp_path, test=False
    )
    depends = {
        r.name: package.read_index(r.package)["depends"] for r in results if r.package is not None
    }
    # conda-build (max_pin='x.x') and rattler-build (upper_bound='x.x') write the same range.
    assert depends["pin-compat-user-v1"] == ["pin-compat-dep >=1.2.3,<1.3.0a0"]
    assert depends["pin-compat-user-v0"] == ["pin-compat-dep >=1.2.3,<1.3.0a0"]


def test_v0_output_scripts_run_the_files_they_name(tmp_path: Path) -> None:
    """``script: build_lib.sh`` runs the recipe folder's file with bash, ``.py`` with python."""
    api.build([BAD / "multi-output-script-files"], output_dir=tmp_path / "out", test=False)
    prefix = tmp_path / "p"
    install(tmp_path / "out", ["multi-script-tool"], prefix)
    share = prefix / "share" / "multi-script"
    assert (share / "lib.txt").read_text() == "lib multi-script-lib 1.0.0\n"
    assert (share / "tool.txt").read_text() == "tool multi-script-tool\n"


def test_v0_output_scripts_of_a_recipe_named_by_a_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cfl build baseplate/python` from the checkout: the recipe folder is made absolute
    (RECIPE_DIR), the output's script file is still found and described."""
    monkeypatch.chdir(BAD)
    events: list[tuple[str, str]] = []
    api.build(
        ["multi-output-script-files"], output_dir=tmp_path / "out", test=False,
        report=lambda event, r, detail: events.append((event, detail)),
    )  # fmt: skip
    assert ("script", "build script build_lib.sh (bash)") in events


def test_mathkit_staging_script_runs_once_for_its_three_outputs(channel: Path) -> None:
    staged = [e for e in EVENTS if e[0] == "script" and e[2] == "staging mathkit-build"]
    reused = [e for e in EVENTS if e[0] == "staging" and e[2].startswith("reused mathkit-build")]
    assert len(staged) == 1
    assert sorted(e[1] for e in [*staged, *reused]) == [
        "libmathkit",
        "mathkit-dev",
        "mathkit-tools",
    ]


@pytest.mark.parametrize("jobs", [1, 2])
def test_staging_runs_once_and_every_output_gets_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    counter = tmp_path / "counter.txt"
    monkeypatch.setenv("CFL_TEST_STAGING_COUNTER", str(counter))
    out = tmp_path / "out"
    # The script counts its runs in a file outside the work directory: the sandbox (on when
    # CI=true) would keep that write from reaching the host, as it should.
    api.build([BAD / "staging-runs-once"], output_dir=out, test=False, jobs=jobs, sandbox=False)
    assert counter.read_text() == "staged\n"
    assert not list((out / "work").glob("staging-*")), "the staged files are cleaned up"
    for name in ("staged-a", "staged-b"):
        share = tmp_path / name / "share" / "staged"
        install(out, [name], tmp_path / name)
        # The reused files held the first output's prefix: rewritten, they relocate too.
        assert (share / "where.txt").read_text().strip() == str(share)
    assert (share / "b.txt").read_text() == "b\n"
