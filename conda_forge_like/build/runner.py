"""One output's build steps: ``Build(rendered, options, report)`` holds its state and its
methods are the steps in order (sources, build and host environments, the base plate's
wrappers, the script, the package's files, run dependencies, ABI checks, metadata, tests).

``pipeline.build_all`` drives them for every output; a meta.yaml's top-level build (or a
recipe.yaml staging) runs once in the work directory its outputs share (``staging``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .. import abi, baseplate, fsutil, package, relocate
from ..baseplate import env as plate_env
from ..baseplate import tools as plate_tools
from ..baseplate import wrappers
from ..baseplate.conda_vars import host_python
from ..platforms import build_platform, environment_subdir, execution
from ..records import dataclass, field
from ..render.model import RenderedRecipe
from . import (
    abi_step,
    environments,
    files,
    hwcaps,
    licenses,
    plan,
    staging,
    tests,
    tools_step,
)
from . import script as scripts
from .environments import Installed

Reporter = Callable[[str, RenderedRecipe, str], None]  # (event, output, detail)
# Staging builds live as long as one build_all: later outputs of the same variant reuse them.
STAGING = staging.Shared()


@dataclass(frozen=True)
class BuildOptions:
    output_dir: Path
    channels: tuple[str, ...] = ()
    test: bool = True
    package_format: str = "conda"
    compression_level: int | None = None  # zstd, for conda packages (None: the default)
    skip_existing: bool = False
    overwrite: bool = False
    sandbox: bool = False  # build scripts under bwrap: only the work directory writable
    keep_work: bool = False
    cache_dir: Path = field(default_factory=lambda: default_cache_dir())
    # Content-addressed: files named by sha256 (--source-cache, $CFL_SOURCE_CACHE).
    source_cache: Path = field(default_factory=lambda: default_source_cache())


def sandbox_default() -> bool:
    from . import sandbox

    return sandbox.default(os.environ)


def default_source_cache() -> Path:
    return fsutil.source_cache_dir(None, os.environ)


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


def _plate_variant(variant: Mapping[str, Any]) -> dict[str, Any]:
    """C++-only recipes name only cxx_compiler: it picks the toolchain then."""
    merged = dict(variant)
    if "c_compiler" not in merged and "cxx_compiler" in merged:
        merged["c_compiler"] = merged["cxx_compiler"]
        if "cxx_compiler_version" in merged:
            merged["c_compiler_version"] = merged["cxx_compiler_version"]
    return merged


def compiled_languages(rendered: RenderedRecipe) -> frozenset[str]:
    """The languages whose runtimes a build needs zig to have built: none without a compiler
    (a noarch or metapackage recipe), C for ``compiler('c')`` or ``stdlib('c')``, and C++ too
    for ``compiler('cxx')`` (its ``cxx_compiler`` key is used)."""
    variant = rendered.variant
    if "cxx_compiler" in variant or "cxx_compiler_version" in variant:
        return frozenset({"c", "c++"})
    plate_specs = (
        s for s in rendered.requirements.build if plan.is_base_plate_spec(s, rendered.subdir)
    )
    if "c_compiler" in variant or "c_stdlib" in variant or any(plate_specs):
        return frozenset({"c"})
    return frozenset()


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
    recipe_dir = Path(rendered.recipe_path).parent.resolve()
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
        self.recipe_dir = Path(rendered.recipe_path).parent.resolve()  # RECIPE_DIR is absolute

    def prepare(self) -> Path:
        if self.r.staging:
            return self.work / "src"  # the staging build prepared it
        if self.work.exists():
            scripts.kill_leftover(self.work)  # a killed build's script may still be running
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        self.log.touch()
        raw_sources = self.r.meta.get("source")
        specs = []
        if raw_sources:  # the source stage's modules load only for a recipe with sources
            from .. import source

            specs = source.parse_sources(raw_sources, self.r.recipe_path)
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
        subdir = environment_subdir(self.r.subdir)
        solvable = tools_step.solvable_names(self.channels, subdir)
        provided, solve = plan.split_build_specs(list(self.r.requirements.build), subdir, solvable)
        self.report(
            "environments",
            self.r,
            f"build: {len(solve)} spec(s), host: {len(self.r.requirements.host)}",
        )
        build_env = environments.create(build_prefix, solve, self.channels, build_platform(), cache)
        host_env = environments.create(
            host_prefix, list(self.r.requirements.host), self.channels, subdir, cache
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
        installed = wrappers.install(
            plate, plate_tools.find_tools(), build_prefix, compiled_languages(self.r),
            lambda message: self.report("toolchain", self.r, message),
        )  # fmt: skip
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
            _build_machine_tools(plate, variant, build_prefix, compiled_languages(self.r)),
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
        readable = [*_tool_installs(), self.recipe_dir] if writable is not None else []
        scripts.run(script.text, env, cwd, self.log, name, self.work, script.interpreter, writable,
                    readable)  # fmt: skip

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
        self.report("relocate", self.r, f"{len(chosen)} file(s)")
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
        build = _exporters(build_env)
        sysroot = plan.sysroot_exporter(self.r, abi_step.glibc_floor(self.r.variant))
        if sysroot is not None:
            build.append(sysroot)
        return plan.run_depends(self.r, _exporters(host_env), build, self.r.pending_pins)

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
        license_files: Mapping[str, bytes] | None = None,
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
            license_files=dict(license_files or {}),
        )  # fmt: skip

    def license_files(self, src: Path) -> dict[str, bytes]:
        """``about: license_file`` from the source tree or the recipe folder (an error at its
        recipe line when one is missing)."""
        about = self.r.meta.get("about") or {}
        if not isinstance(about, Mapping):
            return {}
        return licenses.collect(
            about, self.r.recipe_format, src, self.recipe_dir, self.r.recipe_path
        )

    def test(
        self,
        pkg: Path,
        specs: list[tests.TestSpec],
        depends: list[str],
        test_files: Mapping[str, bytes] | None = None,
    ) -> bool:
        if not (self.options.test and specs):
            return False
        from ..baseplate import microarch  # the test stage: loaded by builds that test
        from . import emulation, test_step

        runs = execution(self.r.subdir, build_platform())
        if not runs.direct and not emulation.needs_shims(runs):
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
        notes = test_step.run_tests(
            pkg, specs, self.work / "test", self.channels, self.options.cache_dir, test_files,
            self.log,
        )  # fmt: skip
        for note in notes:
            self.report("note", self.r, note)
        return True


def _build_machine_tools(
    plate: baseplate.BasePlate,
    variant: Mapping[str, Any],
    build_prefix: Path,
    languages: frozenset[str],
) -> dict[str, str] | None:
    """A cross build's CC_FOR_BUILD/CXX_FOR_BUILD: the build machine's own wrappers."""
    if plate.subdir == build_platform():
        return None
    native = {k: v for k, v in variant.items() if k != "microarch_level"}
    machine = baseplate.resolve(native, build_platform(), plate_tools.detect_versions())
    return wrappers.install(machine, plate_tools.find_tools(), build_prefix, languages).tools


def _tool_installs() -> list[Path]:
    """Where the build's tools are installed (cfl's Python environment with cmake, ninja and
    meson; zig): the sandbox keeps them, and the recipe folder, visible also under /tmp (a
    checkout's .venv there, a recipe written to a temporary folder)."""
    found = [Path(sys.prefix)]
    zig = plate_tools.find_tools().zig
    if zig:
        found += [Path(os.path.realpath(zig)).parent, Path(wrappers.zig_installs_dir())]
    return found


def _shared_caches() -> list[Path]:
    """Caches a build script's tools must write to inside the sandbox: zig keeps every object
    it compiles (and its libc/libc++ builds) in one machine-wide cache."""
    zig = Path(wrappers.zig_cache_dir())
    zig.mkdir(parents=True, exist_ok=True)
    return [zig]


def _describe(script: scripts.Script, recipe_dir: Path) -> str:
    if script.source is None:
        return "build script"
    source, folder = script.source.absolute(), recipe_dir.absolute()
    shown = source.relative_to(folder) if source.is_relative_to(folder) else source
    return f"build script {shown} ({script.interpreter})"


def has_run_exports(installed: Installed) -> bool:
    return any(installed.run_exports.values())


def export_names(installed: Installed) -> tuple[str, ...]:
    return tuple(plan.spec_name(s) for specs in installed.run_exports.values() for s in specs)


def _exporters(env: list[Installed]) -> list[plan.Exporter]:
    return [plan.Exporter(p.name, p.version, p.run_exports) for p in env]


def _recipe_files(recipe_dir: Path, limit: int = 1 << 20) -> dict[str, bytes]:
    """The recipe folder (without sources larger than ``limit``) for info/recipe/."""
    found: dict[str, bytes] = {}
    for path in sorted(recipe_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= limit:
            found[path.relative_to(recipe_dir).as_posix()] = path.read_bytes()
    return found
