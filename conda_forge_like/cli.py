"""The ``cfl`` command line: argparse over ``api``; the only module that prints or exits.

``cfl render recipes/mylib -m ci.yaml --target-platform linux-aarch64 --json``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from . import __version__, cli_display, cli_generate, cli_govern, cli_options
from .subdirs import SUBDIRS

if TYPE_CHECKING:
    from .build.result import BuildResult
    from .errors import CflError
    from .render.model import RenderedRecipe

# The stages are imported by the command that runs them (``from . import api`` inside each
# ``_cmd_*``): ``cfl --version`` and ``cfl render`` then load neither py-rattler nor lief.


class _Style:
    """Plain, colour (unless NO_COLOR or not a TTY) or GitHub Actions annotations."""

    def __init__(self, stream: TextIO):
        self.github = os.environ.get("GITHUB_ACTIONS") == "true"
        self.colour = stream.isatty() and "NO_COLOR" not in os.environ

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text


def _report(error: CflError, stream: TextIO) -> None:
    from .errors import CflErrorGroup

    style = _Style(stream)
    errors = error.errors if isinstance(error, CflErrorGroup) else [error]
    for err in errors:
        if style.github and err.location is not None:
            line = f",line={err.location.line}" if err.location.line else ""
            print(f"::error file={err.location.file}{line}::{err.message}", file=stream)
        print(f"{style.paint('ERROR', '1;31')}: {err}", file=stream)
        if err.hint:
            print(f"{style.paint('TIP', '1;33')}: {err.hint}", file=stream)
    if len(errors) > 1:
        print(f"{len(errors)} problems found", file=stream)


def _table(rendered: Sequence[RenderedRecipe]) -> str:
    rows = [("name", "version", "build", "subdir", "variant")]
    for r in rendered:
        used = ", ".join(f"{k}={v}" for k, v in r.variant.items() if k != "target_platform")
        rows.append((r.name, r.version, r.build_string, r.subdir, used or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
        for row in rows
    ]
    lines.append(f"{len(rendered)} variant(s)")
    return "\n".join(line.rstrip() for line in lines)


def _cmd_render(args: argparse.Namespace) -> int:
    from . import api, channels

    # Rendering solves nothing, so channels change no output; `-c` is read (and a bad one
    # refused) so that a conda-build command line `conda render -c NAME` runs as it is.
    channels.resolve_all(args.channel)
    rendered = api.render(
        args.recipes,
        variant_files=args.variant_files,
        target_platform=args.target_platform,
        overrides=args.variant,
        use_default_variants=not args.no_default_variants,
        max_variants=args.max_variants,
    )
    if args.json:
        import json

        print(json.dumps([r.as_json() for r in rendered], indent=2))
    else:
        print(_table(rendered))
    return 0


def _cmd_toolchain(args: argparse.Namespace) -> int:
    from . import api

    plate = api.toolchain(
        target_platform=args.target_platform,
        variant_files=args.variant_files,
        overrides=args.variant,
        use_default_variants=not args.no_default_variants,
    )
    if args.json:
        import json

        print(json.dumps(plate.describe(), indent=2))
        return 0
    target = plate.target
    level = "-" if plate.microarch_level is None else f"x86-64-v{plate.microarch_level}"
    compiler_target = target.zig_target if plate.toolchain == "zig" else target.llvm_triple
    rows = [
        ("subdir", target.subdir),
        ("toolchain", f"{plate.toolchain} {plate.version}"),
        ("triple", f"{target.conda_triple} ({compiler_target})"),
        ("C library floor", f"{target.libc} {target.libc_floor}".strip()),
        ("C++ library", plate.cxx_stdlib),
        ("CPU level", level),
        ("CPU flags", " ".join(plate.cpu_flags) or "-"),
        ("guard flags", " ".join(plate.guard_flags) or "-"),  # in the wrappers, as the CPU flags
        ("CFLAGS", " ".join(plate.cflags)),
        ("LDFLAGS", " ".join(plate.ldflags) or "-"),
        ("fingerprint", plate.fingerprint),
    ]
    width = max(len(k) for k, _ in rows)
    print("\n".join(f"{k.ljust(width)}  {v}" for k, v in rows))
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    if args.policy is not None:
        return cli_govern.cmd_index_policy(args)
    from . import api

    counts = api.index(args.channel)
    for subdir, count in counts.items():
        print(f"{subdir}: {count} package(s)")
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    """Build; the summary table comes last, after a failure's errors too."""
    from .errors import CflError

    summary: list[BuildResult] = []
    try:
        with cli_display.build_display() as report:
            _run_build(args, report, summary)
    except CflError as exc:
        if not summary:  # nothing started (a recipe, variant or option error)
            raise
        _report(exc, sys.stderr)
        print(cli_display.summary_table(summary, args.output_dir))
        return exc.exit_code
    print(cli_display.summary_table(summary, args.output_dir))
    return 0


def _run_build(
    args: argparse.Namespace,
    report: Callable[[str, RenderedRecipe, str], None],
    summary: list[BuildResult],
) -> list[BuildResult]:
    from . import api

    return api.build(
        args.recipes,
        output_dir=args.output_dir,
        variant_files=args.variant_files,
        target_platform=args.target_platform,
        overrides=args.variant,
        channels=args.channel,
        jobs=args.jobs,
        test=not args.no_test,
        package_format=args.package_format[0],
        compression_level=args.package_format[1],
        skip_existing=args.skip_existing,
        overwrite=args.overwrite,
        sandbox=args.sandbox,
        keep_work=args.keep_work,
        use_default_variants=not args.no_default_variants,
        report=report,
        max_variants=args.max_variants,
        source_cache=args.source_cache,
        summary=summary,
    )


def _cmd_fetch_sources(args: argparse.Namespace) -> int:
    from . import api

    reports = api.fetch_sources(
        args.recipes,
        variant_files=args.variant_files,
        target_platform=args.target_platform,
        overrides=args.variant,
        source_cache=args.source_cache,
        use_default_variants=not args.no_default_variants,
        max_variants=args.max_variants,
    )
    for rep in reports:
        status = f"failed: {rep.reason}" if rep.status == "failed" else rep.status
        print(f"{rep.source} ({rep.checksum}): {status}")
    failed = sum(rep.status == "failed" for rep in reports)
    print(f"{len(reports)} source(s), {failed} failed")
    return 1 if failed else 0


def _cmd_test(args: argparse.Namespace) -> int:
    from . import api

    notes: list[str] = []
    count = api.test(args.package, channels=args.channel, notes=notes)
    for note in notes:
        print(f"note: {note}")
    print(f"{count} test(s) passed for {args.package}" if count else f"{args.package} has no tests")
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from . import api

    report = api.inspect(args.package)
    if args.json:
        import json

        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    from .abi.inspect import report_lines

    for line in report_lines(report):
        print(line)
    return 0


def _cmd_ci(args: argparse.Namespace) -> int:
    from . import api
    from .ci.options import ProviderOptions

    runners = dict(pair.partition("=")[::2] for pair in args.runner) or None
    options = ProviderOptions(name=args.name, runners=runners, upload=args.upload)
    files = api.ci(
        args.recipes,
        variant_files=args.variant_files,
        provider=args.provider,
        target_platforms=args.platform or None,
        overrides=args.variant,
        max_jobs=args.max_jobs,
        options=options,
        output_path=args.output,
        max_variants=args.max_variants,
        install=args.install,
    )
    if args.check:
        stale = api.ci_stale(files)
        for path in stale:
            print(f"stale: {path}", file=sys.stderr)
        if stale:
            print(
                f"ERROR: {len(stale)} CI file(s) are stale\n"
                f"TIP: re-run `cfl ci` without --check and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{len(files)} CI file(s) up to date")
        return 0
    written = api.ci_write(files)
    print(f"wrote {written[0]} and {len(written) - 1} job variant file(s) under ci/variants/")
    return 0


def _cmd_debug(args: argparse.Namespace) -> int:
    from . import api

    rendered, setup = api.debug(
        args.recipe,
        output_dir=args.output_dir,
        variant_files=args.variant_files,
        target_platform=args.target_platform,
        overrides=args.variant,
        channels=args.channel,
        output=args.output,
        report=cli_display.progress,
        source_cache=args.source_cache,
    )
    print(f"Prepared {rendered.dist} ({rendered.subdir}) in {setup.work}")
    print(f"  sources:      {setup.src}")
    print(f"  environment:  source {setup.activate}")
    if setup.script:
        print(f"  build script: {setup.script}")
        print("Rerun the build by hand:")
        print(f"  cd {setup.src} && source {setup.activate} && bash {setup.script}")
    return 0


class _Unused:
    """Stands in for the parser of a subcommand that is not running: every call is a no-op."""

    def __getattr__(self, name: str) -> Callable[..., _Unused]:
        return lambda *args, **kwargs: self


class _OnlyCommand:
    """``add_subparsers()``'s action, building only the subcommand named on the command line.

    argparse spends about a millisecond on each subparser and its arguments (most of it in
    gettext looking for translations), and cfl has twenty: the others get ``_Unused``.
    """

    def __init__(self, sub: Any, wanted: str):
        self.sub, self.wanted, self.found = sub, wanted, False

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if self.wanted != name and self.wanted not in kwargs.get("aliases", ()):
            return _Unused()
        self.found = True
        return self.sub.add_parser(name, **kwargs)


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``argv``, only for the subcommand it names."""
    words = sys.argv[1:] if argv is None else list(argv)
    wanted = next((w for w in words if not w.startswith("-")), None)
    if wanted is not None:
        parser = _parser_for(wanted)
        if parser is not None:
            return parser
    built = _parser_for(None)
    assert built is not None
    return built


def _parser_for(wanted: str | None) -> argparse.ArgumentParser | None:
    parser = argparse.ArgumentParser(
        prog="cfl", description="Build native software into conda packages from one recipe."
    )
    parser.add_argument("--version", action="version", version=f"cfl {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", required=True)
    only = None if wanted is None else _OnlyCommand(subparsers, wanted)
    sub: Any = subparsers if only is None else only
    render = sub.add_parser("render", help="expand recipes over their variant matrix")
    render.add_argument("recipes", nargs="+", metavar="RECIPE", help="recipe file or folder")
    cli_options.variant_options(render)
    cli_options.max_variants_option(render)
    cli_options.channel_options(render, output_dir=False)
    render.set_defaults(func=_cmd_render)
    plate = sub.add_parser("toolchain", aliases=["baseplate"], help="show the resolved base plate")
    cli_options.variant_options(plate)
    plate.set_defaults(func=_cmd_toolchain)
    build = sub.add_parser("build", help="build recipes into conda packages in a channel")
    build.add_argument("recipes", nargs="+", metavar="RECIPE", help="recipe file or folder")
    cli_options.variant_options(build, json_flag=False)
    cli_options.channel_options(build)
    build.add_argument(
        "--jobs", type=int, default=1,
        help="run up to N independent outputs' scripts at once (cfl prepares and packages one "
        "more output beside them)",
    )  # fmt: skip
    build.add_argument("--no-test", action="store_true", help="do not run the package tests")
    cli_options.package_format_option(build)
    build.add_argument(
        "--skip-existing", action="store_true", help="skip outputs already in the channel"
    )
    build.add_argument(
        "--sandbox",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run build scripts under bubblewrap: only the work directory writable, no "
        "network (default: on when CI=true and bwrap works)",
    )
    build.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a package already in the channel that differs from the new build",
    )
    build.add_argument(
        "--keep-work", action="store_true", help="keep work directories after success"
    )
    cli_options.max_variants_option(build)
    cli_options.source_cache_option(build)
    build.set_defaults(func=_cmd_build)
    fetch = sub.add_parser(
        "fetch-sources", help="download every url/pypi source of the recipes into the cache"
    )
    fetch.add_argument("recipes", nargs="+", metavar="RECIPE", help="recipe file or folder")
    cli_options.variant_options(fetch, json_flag=False)
    cli_options.max_variants_option(fetch)
    cli_options.source_cache_option(fetch)
    fetch.set_defaults(func=_cmd_fetch_sources)
    test = sub.add_parser("test", help="rerun the tests stored in a built package")
    test.add_argument("package", help="a .conda or .tar.bz2 file")
    cli_options.channel_options(test, output_dir=False)
    test.set_defaults(func=_cmd_test)
    inspect = sub.add_parser("inspect", help="linkage, ABI, ISA and relocation report")
    inspect.add_argument("package", help="a .conda or .tar.bz2 file")
    inspect.add_argument("--json", action="store_true", help="print JSON instead of text")
    inspect.set_defaults(func=_cmd_inspect)
    debug = sub.add_parser("debug", help="prepare one variant's build to run by hand")
    debug.add_argument("recipe", metavar="RECIPE", help="recipe file or folder")
    cli_options.variant_options(debug, json_flag=False)
    cli_options.channel_options(debug)
    debug.add_argument(
        "--output", default=None, help="the output to prepare (multi-output recipes)"
    )
    cli_options.source_cache_option(debug)
    debug.set_defaults(func=_cmd_debug)
    ci = sub.add_parser("ci", help="generate CI jobs for the recipes' variant matrix")
    ci.add_argument("recipes", nargs="+", metavar="RECIPE", help="recipe file or folder")
    ci.add_argument(
        "-m", "--variant-config", dest="variant_files", action="append", default=[],
        metavar="VARIANTS", help="a variant file; repeatable",
    )  # fmt: skip
    ci.add_argument(
        "--variant", action="append", default=[], metavar="KEY=VALUE",
        help="override one variant key (comma-separated values expand); repeatable",
    )  # fmt: skip
    ci.add_argument("--provider", choices=("github", "gitlab", "azure"), required=True)
    ci.add_argument("-o", "--output", default=None, help="path of the provider's CI file")
    ci.add_argument(
        "--platform", action="append", default=[], choices=SUBDIRS,
        help="a target platform to build for; repeatable (default: all but ppc64le)",
    )  # fmt: skip
    ci.add_argument("--max-jobs", type=int, default=None, help="merge jobs beyond N")
    ci.add_argument(
        "--runner", action="append", default=[], metavar="SUBDIR=LABEL",
        help="runner label / image for a platform; repeatable",
    )  # fmt: skip
    ci.add_argument("--name", default="recipes", help="workflow name (default: recipes)")
    ci.add_argument("--upload", default=None, metavar="CMD", help="upload step (default: none)")
    ci.add_argument(
        "--install", default=None, metavar="CMD",
        help="how jobs install cfl (default: the checkout inside cfl's own repository, else "
        f"`pip install conda-forge-like=={__version__}`, this cfl's version)",
    )  # fmt: skip
    ci.add_argument(
        "--check", action="store_true", help="fail when the committed CI files are stale"
    )
    cli_options.max_variants_option(ci)
    ci.set_defaults(func=_cmd_ci)
    index = sub.add_parser("index", help="write repodata.json for a channel directory")
    index.add_argument("channel", metavar="CHANNEL_DIR", help="folder holding linux-64/, noarch/")
    cli_govern.index_policy_option(index)
    index.set_defaults(func=_cmd_index)
    cli_generate.register(sub)
    cli_govern.register(sub)
    return parser if only is None or only.found else None


def main(argv: Sequence[str] | None = None) -> int:
    code = _main(argv)
    if argv is None:
        # The command line's process ends here, without the interpreter's teardown: freeing
        # every object of a large render one by one takes longer than a tenth of the render,
        # and py-rattler can crash while the interpreter shuts down.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError):
                stream.flush()
        os._exit(code)
    return code


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C: running scripts are killed, nothing half-written stays."""
    raise KeyboardInterrupt


def _main(argv: Sequence[str] | None = None) -> int:
    args = _parser(argv).parse_args(argv)
    from .errors import CflError  # after parsing: --version and --help load no stage

    if argv is None:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        code: int = args.func(args)
        return code
    except CflError as exc:
        if args.debug:
            import traceback

            traceback.print_exc()
        _report(exc, sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ERROR: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - last line of defence: no bare traceback for users
        if args.debug:
            import traceback

            traceback.print_exc()
        exc_type, exc_value, _ = sys.exc_info()
        print(
            f"ERROR: internal error: {exc_type.__name__ if exc_type else ''}: {exc_value}",
            file=sys.stderr,
        )
        print("TIP: rerun with --debug for the traceback and report it", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
