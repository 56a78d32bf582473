"""``cfl generate-recipe pypi NAME [--version V] [--output-dir DIR] [--python 3.11]``.

The subcommand registers itself on ``cli.py``'s parser with ``register(sub)``; like the rest of
the command line it is the only code here that prints.
"""

from __future__ import annotations

import argparse

from . import cli_options


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``generate-recipe`` (with its ``pypi`` source) to the ``cfl`` subcommands."""
    generate = sub.add_parser("generate-recipe", help="write a recipe.yaml for a published project")
    kinds = generate.add_subparsers(dest="generate_source", metavar="SOURCE", required=True)
    pypi = kinds.add_parser("pypi", help="from a PyPI sdist, fetched through pip's index")
    pypi.add_argument("name", metavar="NAME", help="the PyPI project name, e.g. flit_core")
    pypi.add_argument(
        "--version", default=None, metavar="V", help="the version (default: the newest)"
    )
    pypi.add_argument(
        "--output-dir", default=".", metavar="DIR", help="write DIR/<name>/recipe.yaml (default: .)"
    )
    pypi.add_argument(
        "--python",
        default=None,
        metavar="X.Y",
        help="the oldest Python the recipe targets; markers are evaluated for it and it is "
        "python_min unless Requires-Python needs a later one (default: 3.11)",
    )
    pypi.add_argument("--force", action="store_true", help="replace an existing recipe.yaml")
    cli_options.source_cache_option(pypi)
    pypi.set_defaults(func=_cmd_generate_pypi)


def _cmd_generate_pypi(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .generate import DEFAULT_PYTHON, generate_pypi

    result = generate_pypi(
        args.name,
        version=args.version,
        output_dir=Path(args.output_dir),
        python=args.python or DEFAULT_PYTHON,
        source_cache=args.source_cache,
        overwrite=args.force,
    )
    plan = result.plan
    kind = "noarch: python" if plan.kind.noarch else "compiled"
    print(f"wrote {result.path} ({plan.name} {plan.version}, {kind}, sha256 {plan.sha256})")
    for note in result.notes:
        print(f"note: {note}")
    return 0
