"""The real zig after ziglang is installed again at the same place: without cfl every link
re-reads its runtime's sources (its cache manifests keep the old inodes and mtimes); after
``zig_manifests.reseat`` a link reads them no more than on the install that built the cache.

The install is a private copy of this environment's ziglang wheel (hard links, then the
runtime's sources and RECORD replaced by new files: what a reinstall does to them); what zig
reads is counted with strace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conda_forge_like import baseplate
from conda_forge_like.baseplate import tools, wrappers, zig_manifests, zig_shared
from conda_forge_like.records import replace

pytestmark = pytest.mark.slow
FOUND = tools.find_tools().zig
INSTALL = zig_manifests.find_install(FOUND) if FOUND else None
if INSTALL is None:
    pytest.skip("no zig installed from the ziglang wheel", allow_module_level=True)
if shutil.which("strace") is None:
    pytest.skip("strace is not installed (ci/setup.sh installs it)", allow_module_level=True)


def private_install(site: Path) -> Path:
    """This environment's ziglang under ``site`` (hard links: the same files, another path)."""
    assert INSTALL is not None
    package = Path(INSTALL.package)
    shutil.copytree(package, site / package.name, symlinks=True, copy_function=os.link)
    record = Path(INSTALL.record)
    shutil.copytree(record.parent, site / record.parent.name)
    return site / package.name / "zig"


def reinstall_runtime_sources(site: Path) -> None:
    """New files (new inodes and mtimes, same bytes) for the sources zig's C runtime is built
    from, then RECORD, written last as pip does."""
    lib = site / "ziglang" / "lib"
    sources = [
        lib / "compiler_rt.zig",
        *(lib / "compiler_rt").rglob("*"),
        *(lib / "std").rglob("*"),
    ]
    for path in sources:
        if path.is_file() and not path.is_symlink():
            temp = path.with_name(path.name + ".new")
            shutil.copyfile(path, temp)
            os.replace(temp, path)
    (record,) = site.glob("ziglang-*.dist-info/RECORD")
    temp = record.with_name("RECORD.new")
    shutil.copyfile(record, temp)
    os.replace(temp, record)


def reads_of_a_link(zig: Path, cache: Path, work: Path, level: int, traced: bool = True) -> int:
    """How many preadv calls zig makes compiling and linking a small C program."""
    trace = work / f"trace-{level}.txt"
    command = [str(zig), "cc", "-target", "x86_64-linux-gnu.2.17", "-O2", f"-DLEVEL={level}",
               "-o", str(work / "hello"), str(work / "hello.c")]  # fmt: skip
    env = {**os.environ, "ZIG_GLOBAL_CACHE_DIR": str(cache), "ZIG_LOCAL_CACHE_DIR": str(cache)}
    strace = ["strace", "-f", "--seccomp-bpf", "-e", "trace=preadv", "-o", str(trace)]
    subprocess.run([*strace, *command] if traced else command, env=env, check=True, cwd=work)
    ran = subprocess.run([str(work / "hello")], capture_output=True, text=True, check=True)
    assert ran.stdout == f"level {level}\n"
    return sum("preadv(" in line for line in trace.read_text().splitlines()) if traced else 0


def test_a_reinstalled_zig_links_without_re_reading_its_sources(tmp_path: Path) -> None:
    site, cache, work = tmp_path / "site", tmp_path / "cache", tmp_path / "work"
    work.mkdir()
    (work / "hello.c").write_text('#include <stdio.h>\nint main(void) { printf("level %d\\n", '
                                  "LEVEL); return 0; }\n")  # fmt: skip
    zig = private_install(site)
    reads_of_a_link(zig, cache, work, 1, traced=False)  # builds the C runtime into the new cache
    assert zig_manifests.reseat(cache, str(zig)) == 0  # records the install
    warm = reads_of_a_link(zig, cache, work, 2)

    reinstall_runtime_sources(site)
    stale = reads_of_a_link(zig, cache, work, 3)
    assert stale > warm + 1000, (stale, warm)  # the problem: every source read again

    assert zig_manifests.reseat(cache, str(zig)) > 500  # compiler_rt's and std's entries
    assert reads_of_a_link(zig, cache, work, 4) <= warm + 50  # as before the reinstall
    assert zig_manifests.reseat(cache, str(zig)) == 0


def test_every_zig_build_records_its_install(tmp_path: Path) -> None:
    """The wrappers' install is where a build meets zig: it keeps the record a later
    reinstall is compared with (of the machine's copy of the wheel, which builds run)."""
    plate = baseplate.resolve({"c_compiler": "zig"}, "linux-64", tools.detect_versions())
    wrappers.install(plate, tools.find_tools(), tmp_path / "build_env", languages={"c"})
    copy = zig_shared.shared(Path(wrappers.zig_installs_dir()), str(FOUND))
    install = zig_manifests.find_install(copy)
    assert install is not None
    assert install.wheel() == INSTALL.wheel()
    summary = Path(wrappers.zig_cache_dir()) / "installs" / f"{install.key}.json"
    assert json.loads(summary.read_text())["identity"] == install.identity()


def wrapper_reads(build_env: Path, zig: str, work: Path, level: int) -> tuple[int, str]:
    """(preadv calls, the wrapper's text) of a small C link through the base plate's cc
    wrapper written for the zig at ``zig``."""
    plate = baseplate.resolve({"c_compiler": "zig"}, "linux-64", tools.detect_versions())
    found = replace(tools.find_tools(), zig=zig)
    cc = wrappers.install(plate, found, build_env, languages={"c"}).tools["cc"]
    trace = work / f"trace-{level}.txt"
    strace = ["strace", "-f", "--seccomp-bpf", "-e", "trace=preadv", "-o", str(trace)]
    command = [cc, "-O2", f"-DLEVEL={level}", "-o", str(work / "hello"), str(work / "hello.c")]
    subprocess.run([*strace, *command], check=True, cwd=work)
    ran = subprocess.run([str(work / "hello")], capture_output=True, text=True, check=True)
    assert ran.stdout == f"level {level}\n"
    reads = sum("preadv(" in line for line in trace.read_text().splitlines())
    return reads, Path(cc).read_text()


def test_two_environments_share_the_cache_without_re_reading(tmp_path: Path) -> None:
    """A second environment's ziglang (the same wheel, its own files: other inodes) links
    against the runtime the first built, reading no more than the first: both run the
    machine's one copy of the wheel, whose files zig's manifests name."""
    site, work = tmp_path / "site", tmp_path / "work"
    work.mkdir()
    (work / "hello.c").write_text('#include <stdio.h>\nint main(void) { printf("level %d\\n", '
                                  "LEVEL); return 0; }\n")  # fmt: skip
    assert INSTALL is not None
    package = Path(INSTALL.package)
    shutil.copytree(package, site / package.name, symlinks=True)  # new files, same bytes
    shutil.copytree(Path(INSTALL.record).parent, site / Path(INSTALL.record).parent.name)
    second = str(site / package.name / "zig")
    wrapper_reads(tmp_path / "env-a", str(FOUND), work, 1)  # the runtime is built
    first, _ = wrapper_reads(tmp_path / "env-a", str(FOUND), work, 2)
    reads, text = wrapper_reads(tmp_path / "env-b", second, work, 3)
    assert reads < 1000, (reads, first)  # a re-hash of the runtime reads over 10,000 times
    assert reads <= first + 50, (reads, first)
    assert second not in text
    assert os.path.dirname(zig_shared.shared(Path(wrappers.zig_installs_dir()), second)) in text
