"""A built package's tests, in a fresh environment installed from the package (not the build
prefix) at another path.

``run_tests(pkg, specs, test_root, channels, cache, test_files, log)`` -> the notes of tests
skipped (``imports`` with no python, say); a failing test raises ``tests.TestFailure``. A cross
package's programs run under the target's emulator (``emulation``) when the kernel cannot
start them itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import fsutil, index, package
from ..errors import Location, UsageError
from ..platforms import build_platform, execution
from . import emulation, environments, tests, tools_step


def run_tests(
    pkg: Path,
    specs: list[tests.TestSpec],
    test_root: Path,
    channels: list[Path | str],
    cache: Path,
    test_files: Mapping[str, bytes] | None,
    log: Path,
) -> list[str]:
    """Install ``pkg`` into a fresh environment (not the build prefix) and run its tests
    with ``test_files`` (default: those stored in the package's ``info/test/``)."""
    meta = package.read_index(pkg)
    runs = execution(meta["subdir"], build_platform())
    if not runs.direct and not emulation.needs_shims(runs):
        raise UsageError(f"cannot test {pkg.name} on this machine: {runs.note}")
    if test_root.exists():
        shutil.rmtree(test_root)
    channel = test_root / "channel"
    (channel / meta["subdir"]).mkdir(parents=True)
    shutil.copy2(pkg, channel / meta["subdir"] / pkg.name)
    index.rebuild(channel)
    prefix = test_root / "env"
    spec = f"{meta['name']} =={meta['version']} {meta['build']}"
    compilers = _test_environment(prefix, [spec, *tests.requirements(specs, python=False)],
                                  specs, [channel, *channels], meta["subdir"], cache)  # fmt: skip
    if test_files is None:
        test_files = package.read_info_tree(pkg, "test")
        test_files.pop(tests.SPECS_FILE, None)
    work = test_root / "work"
    env = tests.test_env(os.environ, prefix, meta, runs, build_platform(), work)
    env.update(compilers)
    notes = []
    if emulation.needs_shims(runs):
        shim_dir = emulation.shims(prefix, runs, test_root / "emulated-bin")
        env["PATH"] = f"{shim_dir}{os.pathsep}{env['PATH']}"
        notes.append(emulation.note(runs))
    listed = (package.read_info(pkg, "files") or b"").decode(errors="replace").splitlines()
    where = tests.TestRun(prefix, env, work, log, meta["subdir"], tuple(listed))
    return notes + tests.run(specs, test_files, where)


def retest(pkg: Path, channels: Sequence[str] = (), notes: list[str] | None = None) -> int:
    """``cfl test PACKAGE``: its stored tests (``info/test/``) in a temporary folder, with the
    channel the package sits in (when it is in one) for its run dependencies; how many ran
    (what was skipped or emulated is appended to ``notes``)."""
    if not pkg.is_file():
        raise UsageError(f"package {pkg} does not exist", Location(str(pkg)))
    data = package.read_info(pkg, f"test/{tests.SPECS_FILE}")
    if data is None:
        return 0
    specs = tests.load(data)
    work = Path(tempfile.mkdtemp(prefix="cfl-test-"))
    in_channel = (pkg.parent / "repodata.json").is_file()
    beside: list[Path | str] = [pkg.parent.parent] if in_channel else []
    try:
        said = run_tests(pkg, specs, work, [*beside, *channels], fsutil.user_cache_dir(), None,
                         work / "test.log")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if notes is not None:
        notes.extend(said)
    return len(specs)


def _test_environment(
    prefix: Path,
    specs: list[str],
    tests_: list[tests.TestSpec],
    channels: list[Path | str],
    subdir: str,
    cache: Path,
) -> dict[str, str]:
    """The test environment, with a python for ``imports`` (and pip for ``pip check``) when
    the channels have them (skipped with a note otherwise); the compilers' variables when
    tests need them."""
    extras: list[list[str]] = []
    if any(t.imports for t in tests_):
        extras = [["python", "pip"]] if any(t.pip_check for t in tests_) else []
        extras.append(["python"])
    for extra in extras:  # each only where the channels have it
        try:
            return tools_step.test_environment(prefix, [*specs, *extra], channels, subdir, cache)
        except environments.SolveError:
            shutil.rmtree(prefix, ignore_errors=True)
    return tools_step.test_environment(prefix, specs, channels, subdir, cache)
