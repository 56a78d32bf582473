"""Building one rendered output into a package in the output channel.

``build_one(rendered, options)`` -> ``BuildResult``: sources, build and host environments,
the base plate's wrappers, the script, the new files, relocation, run dependencies, the
package, its tests in a fresh environment, and finally the channel. Nothing reaches the
channel before the tests pass; a failing test moves the package to ``<output>/broken/``.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import abi, baseplate, fsutil, index, package, relocate, source
from ..baseplate import env as plate_env
from ..baseplate import microarch, wrappers
from ..baseplate import tools as plate_tools
from ..baseplate.conda_vars import host_python
from ..errors import CflError, ChannelError, UsageError, raise_collected
from ..platforms import build_platform, execution
from ..render.model import RenderedRecipe
from . import abi_step, environments, files, hwcaps, plan, staging, tests, tools_step
from . import script as scripts
from .environments import Installed
from .result import BuildResult, package_filename

Reporter = Callable[[str, RenderedRecipe, str], None]  # (event, output, detail)
# Staging builds live as long as one build_all: later outputs of the same variant reuse them.
STAGING = staging.Shared()


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path
    channels: tuple[str, ...] = ()
    test: bool = True
    package_format: str = "conda"
    skip_existing: bool = False
    overwrite: bool = False
    sandbox: bool = False  # build scripts under bwrap: only the work directory writable
    keep_work: bool = False
    cache_dir: Path = field(default_factory=lambda: default_cache_dir())
    # Content-addressed: files named by sha256 (--source-cache, $CFL_SOURCE_CACHE).
    source_cache: Path = field(default_factory=lambda: source.resolve_dir(None, os.environ))


def sandbox_default() -> bool:
    from . import sandbox

    return sandbox.default(os.environ)


def default_cache_dir() -> Path:
    return fsutil.user_cache_dir()


def work_dir(rendered: RenderedRecipe, options: BuildOptions) -> Path:
    """An output's own work directory, or the one it shares with its staging siblings."""
    if rendered.staging:
        return staging.work_dir(rendered, options.output_dir)
    return options.output_dir.resolve() / "work" / f"{rendered.subdir}-{rendered.dist}"


@contextmanager
def output_lock(rendered: RenderedRecipe, options: BuildOptions) -> Iterator[None]:
    """Hold this output's exclusive lock: two ``cfl`` processes building the same output into
    one channel take turns, so they never share its work directory or publish half of it.
    Outputs sharing a staging build share its lock: they use one work directory in turn."""
    work = work_dir(rendered, options)
    with fsutil.exclusive_lock(work.with_name(work.name + ".lock")):
        yield


def publish(staged: Path, final: Path, overwrite: bool) -> None:
    """Move the built package into the channel; a different package of the same file name
    already there is refused unless ``overwrite`` (the same bytes are fine: a rebuild)."""
    if final.exists() and not overwrite and not filecmp.cmp(staged, final, shallow=False):
        raise ChannelError(
            f"{final} is already in the channel with different contents",
            hint="--skip-existing skips outputs already in the channel, --overwrite replaces them",
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, final)  # staged lies in the channel: same file system, atomic


@contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM between moving the package in and indexing it waits until both are
    done: the channel never holds a package its repodata does not list."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; its own wait is deferred there
        return
    caught: list[int] = []
    old = {sig: signal.signal(sig, lambda n, _f: caught.append(n)) for sig in _DEFERRED}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


_DEFERRED = (signal.SIGINT, signal.SIGTERM)


def _plate_variant(variant: Mapping[str, Any]) -> dict[str, Any]:
    """C++-only recipes name only cxx_compiler: it picks the toolchain then."""
    merged = dict(variant)
    if "c_compiler" not in merged and "cxx_compiler" in merged:
        merged["c_compiler"] = merged["cxx_compiler"]
        if "cxx_compiler_version" in merged:
            merged["c_compiler_version"] = merged["cxx_compiler_version"]
    return merged


def output_script(rendered: RenderedRecipe) -> scripts.Script | None:
    """What an output runs: its own script (an output of a shared staging build has no
    build.sh fallback: the staging build ran that)."""
    if not rendered.staging:
        return script_for(rendered, None)
    build = rendered.meta.get("build") or {}
    inline = rendered.script or (build.get("script") if isinstance(build, dict) else None)
    return scripts.resolve(inline, Path(rendered.recipe_path).parent)


def script_for(
    rendered: RenderedRecipe, section: Mapping[str, Any] | None
) -> scripts.Script | None:
    build = (section or {}).get("build") or {}
    recipe_dir = Path(rendered.recipe_path).parent
    inline = build.get("script") if isinstance(build, dict) else None
    if section is None:
        own = rendered.meta.get("build") or {}
        mapping = own.get("script") if isinstance(own, dict) else None
        inline = rendered.script or (mapping if isinstance(mapping, dict) else inline)
    return scripts.resolve(inline, recipe_dir, recipe_dir / "build.sh" if section is None else None)


@dataclass(frozen=True)
class Setup:
    """One output ready for its build script: sources, both environments, the script's env."""

    src: Path
    build_prefix: Path
    host_prefix: Path
    build_env: list[Installed]
    host_env: list[Installed]
    env: dict[str, str]
    plate: baseplate.BasePlate
    staged: staging.Staged | None = None  # the shared staging build's files, if any


class Build:
    """The state of one output's build; methods are its steps in order."""

    def __init__(
        self,
        rendered: RenderedRecipe,
        options: BuildOptions,
        report: Reporter,
        work: Path | None = None,
    ):
        self.r = rendered
        self.options = options
        self.report = report
        self.work = work or work_dir(rendered, options)
        self.leak_strings: list[str] = []  # build paths besides this output's own
        self.log = self.work / "build.log"
        self.channels: list[Path | str] = [options.output_dir.resolve(), *options.channels]
        self.recipe_dir = Path(rendered.recipe_path).parent

    def prepare(self) -> Path:
        if self.r.staging:
            return self.work / "src"  # the staging build prepared it
        if self.work.exists():
            scripts.kill_leftover(self.work)  # a killed build's script may still be running
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        self.log.touch()
        raw_sources = self.r.meta.get("source")
        specs = source.parse_sources(raw_sources, self.r.recipe_path) if raw_sources else []
        if not specs:
            (self.work / "src").mkdir()
            return self.work / "src"
        self.report("sources", self.r, f"{len(specs)} source(s)")
        cache = source.SourceCache(self.options.source_cache)
        prepared = source.prepare(specs, self.recipe_dir, self.work, cache)
        for warning in prepared.warnings:
            self.report("warning", self.r, warning)
        return prepared.src

    def make_environments(
        self,
    ) -> tuple[Path, Path, list[Installed], list[Installed], list[str]]:
        cache = self.options.cache_dir
        build_prefix = self.work / "build_env"
        host_prefix = environments.padded_prefix(self.work)
        for prefix in (build_prefix, host_prefix):  # a sibling output's environments
            shutil.rmtree(prefix, ignore_errors=True)
        solvable = tools_step.solvable_names(self.channels, self.r.subdir)
        provided, solve = plan.split_build_specs(
            list(self.r.requirements.build), self.r.subdir, solvable
        )
        self.report(
            "environments",
            self.r,
            f"build: {len(solve)} spec(s), host: {len(self.r.requirements.host)}",
        )
        build_env = environments.create(build_prefix, solve, self.channels, build_platform(), cache)
        host_env = environments.create(
            host_prefix, list(self.r.requirements.host), self.channels, self.r.subdir, cache
        )
        return build_prefix, host_prefix, build_env, host_env, provided

    def setup(self) -> Setup:
        """Sources, environments and the script's environment, in that order."""
        staged = self.shared_staging() if self.r.staging else None
        src = self.prepare()
        build_prefix, host_prefix, build_env, host_env, provided = self.make_environments()
        if staged is not None:
            staging.restore(self.work, host_prefix, staged)
        env, plate = self.script_env(build_prefix, host_prefix, src, provided, host_env)
        return Setup(src, build_prefix, host_prefix, build_env, host_env, env, plate, staged)

    def shared_staging(self) -> staging.Staged:
        """The staging build of this output's siblings: run once, in the shared work dir."""
        done = STAGING.get(self.work)
        if done is not None:
            self.report("staging", self.r, f"reused {self.r.staging}: {len(done.files)} file(s)")
            return done
        top = staging.staging_recipe(self.r)
        job = Build(top, self.options, self.report, self.work)
        s = job.setup()
        fallback = self.recipe_dir / "build.sh" if staging.has_fallback_script(self.r) else None
        inline = (top.meta.get("build") or {}).get("script")
        script = scripts.resolve(inline, self.recipe_dir, fallback)
        before = files.snapshot(s.host_prefix)
        if script:
            self.report("script", self.r, f"staging {self.r.staging}")
            job.run_script(script, s.env, s.src, "staging")
        staged = staging.save(self.work, s.host_prefix, files.snapshot(s.host_prefix) - before)
        STAGING.put(self.work, staged)
        return staged

    def script_env(
        self,
        build_prefix: Path,
        host_prefix: Path,
        src: Path,
        provided: list[str],
        host_env: Sequence[Installed] = (),
    ) -> tuple[dict[str, str], baseplate.BasePlate]:
        variant = _plate_variant(self.r.variant)
        # noarch packages hold no machine code of their own: the build machine's plate runs them.
        plate_subdir = build_platform() if self.r.subdir == "noarch" else self.r.subdir
        plate = baseplate.resolve(variant, plate_subdir, plate_tools.detect_versions())
        plate = tools_step.provide_build(plate, provided, build_prefix, self.options.cache_dir)
        installed = wrappers.install(plate, plate_tools.find_tools(), build_prefix)
        paths = plate_env.BuildPaths(
            str(host_prefix), str(build_prefix), str(src), str(self.recipe_dir)
        )
        digest = plate_env.package_hash(self.r.build_string)
        info = plate_env.PackageInfo(
            self.r.name, self.r.version, self.r.build_number, self.r.build_string, digest
        )
        facts = plate_env.HostFacts(
            host_python({p.name: p.version for p in host_env}),
            execution(plate.subdir, build_platform()),
            _build_machine_tools(plate, variant, build_prefix),
        )
        variables = plate_env.build_env(
            plate, installed, paths, info, self.r.variant, build_platform(),
            os.cpu_count() or 1, facts,
        )  # fmt: skip
        env = dict(os.environ)
        env.update(variables)
        env["PATH"] = scripts.base_path(os.environ, build_prefix / "bin")
        # The archives' default: files the script stamps match the package's own mtimes.
        default_epoch = str(package.metadata.DEFAULT_EPOCH)
        env["SOURCE_DATE_EPOCH"] = os.environ.get("SOURCE_DATE_EPOCH", default_epoch)
        return env, plate

    def run_scripts(self, env: dict[str, str], src: Path, host_prefix: Path) -> set[str]:
        """The output's own script; the files it added to the host prefix."""
        before = files.snapshot(host_prefix)
        script = output_script(self.r)
        if script:
            self.report("script", self.r, _describe(script, self.recipe_dir))
            self.run_script(script, env, src, "build")
        return files.snapshot(host_prefix) - before

    def run_script(self, script: scripts.Script, env: dict[str, str], src: Path, name: str) -> None:
        writable = [self.work, *_shared_caches()] if self.options.sandbox else None
        cwd = src / script.cwd if script.cwd else src
        cwd.mkdir(parents=True, exist_ok=True)
        env = {**env, **dict(script.env)}
        scripts.run(script.text, env, cwd, self.log, name, self.work, script.interpreter, writable)

    def package_files(
        self, host_prefix: Path, new: set[str], staged: staging.Staged | None = None
    ) -> list[package.PathRecord]:
        if staged is not None:
            candidates, patterns = staging.output_files(self.r, staged, new)
            v0 = self.r.recipe_format == "v0"
            chosen = staging.excluded(self.r, files.select(candidates, patterns, v0))
        else:
            build = self.r.meta.get("build") or {}
            patterns = build.get("files") if isinstance(build, dict) else None
            if self.r.recipe_format == "v0":
                patterns = self.r.meta.get("files") or patterns
            listed = patterns if isinstance(patterns, list) else None
            chosen = files.select(new, listed, self.r.recipe_format == "v0")
        if hwcaps.levels(self.r)[0]:
            chosen = hwcaps.with_copies(chosen, new)
        report = relocate.relocate(host_prefix, chosen, str(host_prefix), self.r.subdir)
        for warning in report.warnings:
            self.report("warning", self.r, str(warning))
        matches = {m.path: m.file_mode for m in report.prefix_matches}
        return [
            package.file_record(
                host_prefix, path, str(host_prefix) if path in matches else None, matches.get(path)
            )
            for path in chosen
        ]

    def run_depends(
        self, build_env: list[Installed], host_env: list[Installed]
    ) -> tuple[list[str], list[str]]:
        """The final run dependencies (with run_exports) and constraints, computed once."""
        return plan.run_depends(
            self.r, _exporters(host_env), _exporters(build_env), self.r.pending_pins
        )

    def check_abi(self, inputs: abi_step.CheckInputs) -> list[abi.Finding]:
        """The ABI checks: warnings are reported, errors fail the build (nothing is written)."""
        self.report("abi", self.r, f"checking {len(inputs.files)} file(s)")
        findings = abi_step.run_checks(self.r, inputs)
        for line in abi_step.report_lines(findings):
            self.report("warning", self.r, line)
        abi.raise_for_findings(self.r.dist, findings)
        return findings

    def metadata(
        self,
        run: tuple[list[str], list[str]],
        plate: baseplate.BasePlate,
        specs: list[tests.TestSpec],
        test_files: Mapping[str, bytes] | None = None,
    ) -> package.PackageMetadata:
        depends, constrains = run
        about = dict(self.r.meta.get("about") or {})
        return package.PackageMetadata(
            name=self.r.name, version=self.r.version, build=self.r.build_string,
            build_number=self.r.build_number, subdir=self.r.subdir,
            depends=tuple(depends), constrains=tuple(constrains), noarch=self.r.noarch,
            license=about.get("license"), license_family=about.get("license_family"),
            about=about, run_exports=self.r.run_exports.as_dict(),
            hash_input=json.loads(self.r.hash_input),
            recipe_files=_recipe_files(self.recipe_dir),
            test_files={**(test_files or {}), tests.SPECS_FILE: tests.dump(specs)} if specs else {},
            extra_info={"baseplate": plate.describe(), "variant": self.r.variant},
        )  # fmt: skip

    def test(
        self,
        pkg: Path,
        specs: list[tests.TestSpec],
        depends: list[str],
        test_files: Mapping[str, bytes] | None = None,
    ) -> bool:
        if not (self.options.test and specs):
            return False
        runs = execution(self.r.subdir, build_platform())
        if not runs.direct:
            self.report("warning", self.r, f"tests skipped: {runs.note}")
            return False
        needed, here = microarch.required_level(depends), microarch.host_level()
        if needed is not None and here is not None and needed > here:
            # The package would not install here (nor run): like a cross build, test elsewhere.
            self.report(
                "warning", self.r,
                f"tests skipped: the package needs x86-64-v{needed}, this machine is "
                f"x86-64-v{here}",
            )  # fmt: skip
            return False
        self.report("test", self.r, f"{len(specs)} test(s)")
        notes = run_tests(
            pkg, specs, self.work / "test", self.channels, self.options.cache_dir, test_files,
            self.log,
        )  # fmt: skip
        for note in notes:
            self.report("note", self.r, note)
        return True


def _build_machine_tools(
    plate: baseplate.BasePlate, variant: Mapping[str, Any], build_prefix: Path
) -> dict[str, str] | None:
    """A cross build's CC_FOR_BUILD/CXX_FOR_BUILD: the build machine's own wrappers."""
    if plate.subdir == build_platform():
        return None
    native = {k: v for k, v in variant.items() if k != "microarch_level"}
    machine = baseplate.resolve(native, build_platform(), plate_tools.detect_versions())
    return wrappers.install(machine, plate_tools.find_tools(), build_prefix).tools


def _shared_caches() -> list[Path]:
    """Caches a build script's tools must write to inside the sandbox: zig keeps every object
    it compiles (and its libc/libc++ builds) in one machine-wide cache."""
    zig = Path(wrappers.zig_cache_dir())
    zig.mkdir(parents=True, exist_ok=True)
    return [zig]


def _describe(script: scripts.Script, recipe_dir: Path) -> str:
    if script.source is None:
        return "build script"
    return f"build script {script.source.relative_to(recipe_dir)} ({script.interpreter})"


def _exports(installed: Installed) -> bool:
    return any(installed.run_exports.values())


def _export_names(installed: Installed) -> tuple[str, ...]:
    return tuple(plan.spec_name(s) for specs in installed.run_exports.values() for s in specs)


def _exporters(env: list[Installed]) -> list[plan.Exporter]:
    return [plan.Exporter(p.name, p.version, p.run_exports) for p in env]


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
    if not runs.direct:
        raise UsageError(f"cannot test {pkg.name} on this machine: {runs.note}")
    if test_root.exists():
        shutil.rmtree(test_root)
    channel = test_root / "channel"
    (channel / meta["subdir"]).mkdir(parents=True)
    shutil.copy2(pkg, channel / meta["subdir"] / pkg.name)
    index.rebuild(channel)
    prefix = test_root / "env"
    spec = f"{meta['name']} =={meta['version']} {meta['build']}"
    _test_environment(prefix, [spec, *tests.requirements(specs, python=False)], specs,
                      [channel, *channels], meta["subdir"], cache)  # fmt: skip
    if test_files is None:
        test_files = package.read_info_tree(pkg, "test")
        test_files.pop(tests.SPECS_FILE, None)
    work = test_root / "work"
    env = tests.test_env(os.environ, prefix, meta, runs, build_platform(), work)
    listed = (package.read_info(pkg, "files") or b"").decode(errors="replace").splitlines()
    where = tests.TestRun(prefix, env, work, log, meta["subdir"], tuple(listed))
    return tests.run(specs, test_files, where)


def _test_environment(
    prefix: Path,
    specs: list[str],
    tests_: list[tests.TestSpec],
    channels: list[Path | str],
    subdir: str,
    cache: Path,
) -> None:
    """The test environment, with a python for ``imports`` when the channels have one (the
    imports are skipped with a note otherwise)."""
    if any(t.imports for t in tests_):
        try:
            tools_step.test_environment(prefix, [*specs, "python"], channels, subdir, cache)
            return
        except environments.SolveError:
            shutil.rmtree(prefix, ignore_errors=True)
    tools_step.test_environment(prefix, specs, channels, subdir, cache)


def _recipe_files(recipe_dir: Path, limit: int = 1 << 20) -> dict[str, bytes]:
    """The recipe folder (without sources larger than ``limit``) for info/recipe/."""
    found: dict[str, bytes] = {}
    for path in sorted(recipe_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= limit:
            found[path.relative_to(recipe_dir).as_posix()] = path.read_bytes()
    return found


def build_one(rendered: RenderedRecipe, options: BuildOptions, report: Reporter) -> BuildResult:
    """Build, test and publish one output (see the module docstring), under its lock."""
    with output_lock(rendered, options):
        try:
            return _build_locked(rendered, options, report)
        except BaseException:
            if rendered.staging:  # keep the shared work directory to look at
                STAGING.failed(work_dir(rendered, options))
            raise


def _build_locked(rendered: RenderedRecipe, options: BuildOptions, report: Reporter) -> BuildResult:
    out = options.output_dir.resolve()
    filename = package_filename(rendered, options.package_format)
    if options.skip_existing and index.contains(out, rendered.subdir, filename):
        report("skipped", rendered, f"{filename} is already in {out}")
        return BuildResult(
            rendered.name, rendered.version, rendered.build_string, rendered.subdir, "skipped"
        )
    abi_step.severities(rendered)  # a wrong abi_check mapping fails before any work
    tools_step.check(rendered, [out, *options.channels])  # so does a missing build tool
    before = _channel_root(out)
    stash = _hwcaps_builds(rendered, options, report)
    job = Build(rendered, options, report)
    s = job.setup()
    new = job.run_scripts(s.env, s.src, s.host_prefix)
    for name in sorted(_channel_root(out) - before):
        report("warning", rendered, f"the build wrote {out / name} outside its work directory")
    if stash is not None:
        new |= _install_hwcaps(job, stash, s.host_prefix, new)
    records = job.package_files(s.host_prefix, new, s.staged)
    depends = job.run_depends(s.build_env, s.host_env)
    job.check_abi(
        abi_step.CheckInputs(
            host_prefix=s.host_prefix,
            build_prefix=s.build_prefix,
            src_dir=s.src,
            files=tuple(r.path for r in records),
            run_depends=tuple(depends[0]),
            host_run_exporters=tuple(p.name for p in s.host_env if _exports(p)),
            export_targets={p.name: _export_names(p) for p in s.host_env if _exports(p)},
            microarch_level=s.plate.microarch_level,
            channel=out,
            other_build_paths=tuple(job.leak_strings),
        )
    )
    specs = tests.test_specs(
        rendered.meta, rendered.recipe_format, tests.recipe_scripts(job.recipe_dir)
    )
    test_files = tests.payload(specs, job.recipe_dir, s.src)
    meta = job.metadata(depends, s.plate, specs, test_files)
    staged = package.write(s.host_prefix, records, meta, job.work / "pkg", options.package_format)
    try:
        tested = job.test(staged, specs, depends[0], test_files)
    except tests.TestFailure:
        broken = out / "broken"
        broken.mkdir(parents=True, exist_ok=True)
        os.replace(staged, broken / staged.name)
        raise
    final = out / rendered.subdir / staged.name
    with _interrupts_deferred():
        publish(staged, final, options.overwrite)
        index.add(out, [final])
    report("built", rendered, str(final))
    if not options.keep_work and not rendered.staging:  # siblings still need a shared one
        shutil.rmtree(job.work, ignore_errors=True)
        if stash is not None:
            shutil.rmtree(stash.root, ignore_errors=True)
    return BuildResult(
        rendered.name,
        rendered.version,
        rendered.build_string,
        rendered.subdir,
        "built",
        final,
        job.log,
        tested,
    )


def _channel_root(out: Path) -> set[str]:
    """The channel root's entries a build may not make: not subdirs, work, broken or locks."""
    try:
        names = set(os.listdir(out))
    except OSError:
        return set()
    return {
        n
        for n in names
        if n not in ("work", "broken")
        and not n.startswith(".")
        and not (out / n / "repodata.json").is_file()
    }


def _hwcaps_builds(
    rendered: RenderedRecipe, options: BuildOptions, report: Reporter
) -> hwcaps.Stash | None:
    """``build: microarch: hwcaps``: the level-3/4 builds, run before the baseline build in the
    same paths (so the copies hold the same prefix and the leak checks see the same paths)."""
    levels, note = hwcaps.levels(rendered)
    if note:
        report("note", rendered, note)
    if not levels:
        return None
    work = work_dir(rendered, options)
    stash = hwcaps.Stash(work.with_name(work.name + "-hwcaps"))

    def run(at_level: RenderedRecipe) -> tuple[Path, set[str], Path]:
        level = at_level.variant["microarch_level"]
        report("hwcaps", rendered, f"x86-64-v{level} build")
        job = Build(at_level, options, report)
        s = job.setup()
        return s.host_prefix, job.run_scripts(s.env, s.src, s.host_prefix), job.log

    hwcaps.build_levels(rendered, levels, stash, run)
    return stash


def _install_hwcaps(job: Build, stash: hwcaps.Stash, host_prefix: Path, new: set[str]) -> set[str]:
    hwcaps.append_logs(stash, job.log)
    added, warnings = hwcaps.install(stash, host_prefix, new)
    for warning in warnings:
        job.report("warning", job.r, warning)
    job.report("hwcaps", job.r, "copies: " + (", ".join(sorted(added)) or "none"))
    return added


def build_all(
    rendered: list[RenderedRecipe], options: BuildOptions, report: Reporter, jobs: int = 1
) -> list[BuildResult]:
    """Build everything in dependency order; ``jobs`` outputs of one wave at a time.

    A failure does not stop outputs that do not depend on it; those that do are not built
    (reported ``blocked``). Every failure is raised together at the end."""
    from concurrent.futures import ThreadPoolExecutor

    ordered = plan.order(rendered)
    out = options.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    index.refresh(out)  # reads only packages its repodata does not list yet
    results: list[BuildResult] = []
    errors: list[CflError] = []
    failed: set[str] = set()

    def attempt(item: RenderedRecipe) -> BuildResult | None:
        blocked = sorted(plan.needs(item) & failed)
        if blocked:
            report("blocked", item, f"not built: needs {', '.join(blocked)}, which failed")
            return None
        try:
            return build_one(item, options, report)
        except CflError as exc:
            report("failed", item, exc.message.splitlines()[0] if exc.message else "")
            if item.dist not in exc.message:  # among several failures, say whose it is
                exc.message = f"{item.dist} ({item.subdir}): {exc.message}"
            errors.append(exc)
            return None

    try:
        for wave in plan.waves(ordered):
            if jobs <= 1 or len(wave) == 1:
                done = [attempt(item) for item in wave]
            else:
                with ThreadPoolExecutor(max_workers=jobs) as pool:
                    done = list(pool.map(attempt, wave))
            for item, result in zip(wave, done, strict=True):
                if result is None:
                    failed.add(item.name)
                else:
                    results.append(result)
    finally:
        STAGING.clear(options.keep_work)  # a later run may have other sources: never reuse
    raise_collected(errors)
    return results
