"""The build pipeline: every rendered output through its stages, in dependency order.

``build_all(rendered, options, report, jobs)`` -> ``[BuildResult]``; ``build_one`` runs one
output under its lock: sources, environments, the script (``runner.Build``), relocation, the ABI
checks, the package, its tests in a fresh environment, and finally the channel. Nothing reaches
the channel before the tests pass; a failing test moves the package to ``<output>/broken/``.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar, cast

from .. import index, package
from ..errors import CflError, raise_collected
from ..records import replace
from ..render.model import RenderedRecipe
from . import (
    abi_step,
    attest,
    hwcaps,
    placeholder,
    plan,
    publish,
    python_layout,
    result,
    tests,
    tools_step,
)
from .result import BuildResult, package_filename
from .runner import (
    STAGING,
    Build,
    BuildOptions,
    Reporter,
    export_names,
    has_run_exports,
    output_lock,
    output_script,
    work_dir,
)
from .script import SLOTS


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
    points = python_layout.entry_points(rendered.meta, rendered.recipe_format)  # and a bad one
    before = publish.channel_root(out)
    stash = _hwcaps_builds(rendered, options, report)
    job = Build(rendered, options, report)
    s = job.setup()
    new = job.run_scripts(s.env, s.src, s.host_prefix)
    new = python_layout.tidy_pip_records(s.host_prefix, new)
    if points and rendered.noarch != "python" and not rendered.subdir.startswith("win-"):
        new |= python_layout.write_entry_points(
            s.host_prefix, points, new, f"{s.host_prefix}/bin/python"
        )
    for name in sorted(publish.channel_root(out) - before):
        report("warning", rendered, f"the build wrote {out / name} outside its work directory")
    if stash is not None:
        new |= _install_hwcaps(job, stash, s.host_prefix, new)
    license_files = job.license_files(s.src)  # a missing one fails before any other check
    records = job.package_files(s.host_prefix, new, s.staged)
    empty = _empty_package_warning(rendered, records)
    if empty:
        report("warning", rendered, empty)
    depends = job.run_depends(s.build_env, s.host_env)
    named = plan.named(rendered.requirements.host)
    exporters = [p for p in s.host_env if p.name in named and has_run_exports(p)]
    job.check_abi(
        abi_step.CheckInputs(
            host_prefix=s.host_prefix,
            build_prefix=s.build_prefix,
            src_dir=s.src,
            files=tuple(r.path for r in records),
            run_depends=tuple(depends[0]),
            host_run_exporters=tuple(p.name for p in exporters),
            export_targets={p.name: export_names(p) for p in exporters},
            microarch_level=s.plate.microarch_level,
            channel=out,
            other_build_paths=tuple(job.leak_strings),
        )
    )
    specs = tests.test_specs(
        rendered.meta, rendered.recipe_format, tests.recipe_scripts(job.recipe_dir)
    )
    test_files = tests.payload(specs, job.recipe_dir, s.src)
    meta = job.metadata(depends, s.plate, specs, test_files, license_files)
    root = s.host_prefix
    if rendered.noarch == "python":
        root = job.work / "noarch-python"
        records = python_layout.noarch_tree(s.host_prefix, records, root, points)
        meta = replace(meta, link=python_layout.link_json(points))
    records = placeholder.rewrite(root, records, str(s.host_prefix))
    envs = (s.build_env, s.host_env)
    meta = attest.attach(meta, rendered, job.recipe_dir, s.plate, envs, depends[0], records)
    staged = package.write(
        root, records, meta, job.work / "pkg", options.package_format,
        compression_level=options.compression_level,
    )  # fmt: skip
    staged_index = package.index_of(meta)
    try:
        tested = job.test(staged, specs, depends[0], test_files)
    except tests.TestFailure:
        broken = out / "broken"
        broken.mkdir(parents=True, exist_ok=True)
        os.replace(staged, broken / staged.name)
        raise
    final = out / rendered.subdir / staged.name
    with publish.interrupts_deferred():
        publish.publish(staged, final, options.overwrite)
        index.add(out, [final], {final: staged_index})
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
        empty or "",
    )


def _empty_package_warning(
    rendered: RenderedRecipe, records: list[package.PathRecord]
) -> str | None:
    """A package with no files is a metapackage, or a build that installed nothing: a script
    under a selector false here, or one writing outside $PREFIX. Metapackages (no script, no
    build requirements) are meant to be empty."""
    script = output_script(rendered)
    if records or (script is None and not rendered.requirements.build):
        return None
    what = "its build script installed nothing into $PREFIX" if script else "it has no script"
    return (
        f"the package holds no files besides info/: {what} (a script or `files:` under a "
        f"selector that is false for {rendered.subdir}?)"
    )


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
    rendered: list[RenderedRecipe],
    options: BuildOptions,
    report: Reporter,
    jobs: int = 1,
    summary: list[BuildResult] | None = None,
) -> list[BuildResult]:
    """Build everything in dependency order; ``jobs`` outputs of one wave at a time.

    A failure does not stop outputs that do not depend on it; those that do are not built
    (reported ``blocked``). Every failure is raised together at the end; ``summary`` gets
    every output's result first, the failed and blocked ones too."""
    ordered = plan.order(rendered)
    out = options.output_dir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    index.refresh(out)  # reads only packages its repodata does not list yet
    results: list[BuildResult] = []
    errors: list[CflError] = []
    failed: set[str] = set()

    def attempt(item: RenderedRecipe) -> BuildResult:
        blocked = sorted(plan.needs(item) & failed)
        if blocked:
            why = f"needs {', '.join(blocked)}, which failed"
            report("blocked", item, f"not built: {why}")
            return result.unfinished(item, "blocked", why)
        try:
            return build_one(item, options, report)
        except CflError as exc:
            first = exc.message.splitlines()[0] if exc.message else ""
            report("failed", item, first)
            if item.dist not in exc.message:  # among several failures, say whose it is
                exc.message = f"{item.dist} ({item.subdir}): {exc.message}"
            errors.append(exc)
            return result.unfinished(item, "failed", first)

    try:
        for wave in plan.waves(ordered):
            if jobs <= 1 or len(wave) == 1:
                done = [attempt(item) for item in wave]
            else:
                # One thread more than script slots: while N scripts run, the spare thread
                # prepares, checks and packages another output.
                with SLOTS.limit(jobs):
                    done = in_threads(attempt, wave, jobs + 1)
            for item, outcome in zip(wave, done, strict=True):
                if outcome.status in ("failed", "blocked"):
                    failed.add(item.name)
                results.append(outcome)
    finally:
        STAGING.clear(options.keep_work)  # a later run may have other sources: never reuse
    if summary is not None:
        summary.extend(results)
    raise_collected(errors)
    return [r for r in results if r.status in ("built", "skipped")]


T = TypeVar("T")
R = TypeVar("R")


def in_threads(work: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[work(item) for item in items]`` on up to ``jobs`` threads, in the items' order.

    An exception (Ctrl-C included) stops handing out items; the calls already running finish,
    then the first exception is raised. (concurrent.futures would cost a 10 ms import, and its
    pool keeps starting queued items after a failure.)"""
    results: list[R | None] = [None] * len(items)
    failures: list[BaseException] = []
    order = iter(range(len(items)))
    lock = threading.Lock()
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            with lock:
                index = next(order, None)
            if index is None:
                return
            try:
                results[index] = work(items[index])
            except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
                failures.append(exc)
                stop.set()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(jobs, len(items)))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        for thread in threads:
            thread.join()
        raise
    if failures:
        raise failures[0]
    return cast("list[R]", results)
