"""The governed-channel commands of ``cfl`` (``policy check``, ``promote``, ``mirror``,
``serve``, ``sbom``, ``verify`` and ``index --policy``): parsers and handlers, printing like
``cli.py`` does; ``register(sub)`` adds them to cfl's subcommands.

``cfl promote mitpkg --channel ch --from dev --to prod --policy prod.yaml``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import cli_options

if TYPE_CHECKING:
    from .govern.policy import Violation


def _print_violations(violations: Sequence[Violation], what: str) -> None:
    for v in violations:
        print(f"{what}: {v}")


def cmd_policy_check(args: argparse.Namespace) -> int:
    from . import api_govern

    violations = api_govern.policy_check(args.target, args.policy)
    _print_violations(violations, "violation")
    packages = len({v.package for v in violations})
    print(f"{len(violations)} violation(s) in {packages} package(s)")
    return 1 if violations else 0


def cmd_index_policy(args: argparse.Namespace) -> int:
    """``cfl index CHANNEL --policy FILE`` (``cli.py`` hands over when --policy is given)."""
    from . import api_govern

    report = api_govern.index(args.channel, args.policy)
    for subdir, count in report.counts.items():
        print(f"{subdir}: {count} package(s)")
    _print_violations(report.refused, "refused")
    refused = len({v.package for v in report.refused})
    print(f"{refused} package(s) refused by {args.policy} (listed in <subdir>/refused.json)")
    return 0


def cmd_promote(args: argparse.Namespace) -> int:
    from . import api_govern

    done = api_govern.promote(args.packages, args.channel, args.source, args.target, args.policy)
    for name in done.promoted:
        print(f"promoted {name}: {done.source} -> {done.target}")
    for name in done.already:
        print(f"already in {done.target}: {name}")
    print(f"{len(done.promoted)} package(s) promoted to {done.target}")
    return 0


def cmd_mirror(args: argparse.Namespace) -> int:
    from . import api_govern

    report = api_govern.mirror(args.src, args.dest, args.policy)
    _print_violations(report.refused, "refused")
    refused = len({v.package for v in report.refused})
    print(f"{len(report.copied)} package(s) mirrored to {args.dest}, {refused} refused")
    return 0


def cmd_sbom(args: argparse.Namespace) -> int:
    from . import api_govern

    sys.stdout.write(api_govern.sbom(args.target).decode("utf-8"))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from . import api_govern

    done = api_govern.verify(args.package, args.source_cache, tuple(args.channel), args.keep_work)
    print(f"{done.package.name}: the rebuild is identical (sha256 {done.sha256})")
    print(f"{done.sources_checked} recorded source digest(s) checked")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import api_govern

    server = api_govern.serve(args.channel, args.port, args.label, args.policy)
    host, port = server.server_address[:2]
    where = "" if args.label == "main" else f" (label {args.label})"
    print(f"serving {args.channel}{where} on http://{host!s}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the way a server is meant to stop
        print("stopped")
    finally:
        server.server_close()
    return 0


def _policy(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        "--policy", required=required, default=None, metavar="FILE", help="a policy.yaml"
    )


def register(sub: Any) -> None:
    """Add the governed-channel subcommands to ``cfl``'s subparsers."""
    policy = sub.add_parser("policy", help="check packages against a channel policy")
    actions = policy.add_subparsers(dest="policy_command", required=True)
    check = actions.add_parser("check", help="report every violation (exit 1 when any)")
    check.add_argument("target", metavar="CHANNEL|PACKAGE")
    _policy(check, required=True)
    check.set_defaults(func=cmd_policy_check)
    promote = sub.add_parser("promote", help="add packages of one label to another, atomically")
    promote.add_argument("packages", nargs="+", metavar="PACKAGE",
                         help="file name, name-version-build, name or name=version")  # fmt: skip
    promote.add_argument("--channel", required=True, metavar="DIR")
    promote.add_argument("--from", dest="source", required=True, metavar="LABEL")
    promote.add_argument("--to", dest="target", required=True, metavar="LABEL")
    _policy(promote, required=False)
    promote.set_defaults(func=cmd_promote)
    mirror = sub.add_parser("mirror", help="copy a channel through a policy")
    mirror.add_argument("src", metavar="SRC")
    mirror.add_argument("dest", metavar="DEST")
    _policy(mirror, required=False)
    mirror.set_defaults(func=cmd_mirror)
    serve = sub.add_parser("serve", help="serve a channel over HTTP on 127.0.0.1")
    serve.add_argument("channel", metavar="CHANNEL")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    serve.add_argument("--label", default="main", help="serve this label at the root")
    _policy(serve, required=False)
    serve.set_defaults(func=cmd_serve)
    sbom = sub.add_parser("sbom", help="print the CycloneDX SBOM of a package or environment")
    sbom.add_argument("target", metavar="PACKAGE|PREFIX")
    sbom.set_defaults(func=cmd_sbom)
    verify = sub.add_parser("verify", help="rebuild a package from its records; compare bytes")
    verify.add_argument("package", metavar="PACKAGE")
    cli_options.channel_options(verify, output_dir=False)
    cli_options.source_cache_option(verify)
    verify.add_argument("--keep-work", action="store_true", help="keep the rebuild's folder")
    verify.set_defaults(func=cmd_verify)


def index_policy_option(parser: argparse.ArgumentParser) -> None:
    """``cfl index --policy FILE``: leave out (and list) what the policy refuses."""
    _policy(parser, required=False)
