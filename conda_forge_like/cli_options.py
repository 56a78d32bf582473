"""Options several ``cfl`` commands share (variants, channels, caches, limits)."""

from __future__ import annotations

import argparse

from .subdirs import SUBDIRS
from .variants import MAX_VARIANTS


def package_format(text: str) -> tuple[str, int | None]:
    """``--package-format``: ``conda``, ``conda:19``, ``conda:max``, ``tar.bz2`` -> (format,
    zstd level or None for the default)."""
    from .package.model import CONDA_LEVELS, ZSTD_LEVELS

    fmt, _, level = text.partition(":")
    if fmt == "tar.bz2" and not level:
        return fmt, None
    if fmt != "conda":
        raise argparse.ArgumentTypeError(f"{text!r}: use conda, conda:LEVEL or tar.bz2")
    if not level:
        return fmt, None
    number = ZSTD_LEVELS.get(level)
    if number is None:
        try:
            number = int(level)
        except ValueError:
            number = None
    if number is None or number not in CONDA_LEVELS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a conda package's zstd level is {CONDA_LEVELS.start}..{CONDA_LEVELS[-1]}, "
            "min, default (15) or max"
        )
    return fmt, number


def package_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--package-format",
        type=package_format,
        default=("conda", None),
        metavar="conda[:LEVEL]|tar.bz2",
        help="conda (zstd level 15 unless given: -7..22, min, default, max) or tar.bz2",
    )


def variant_options(parser: argparse.ArgumentParser, json_flag: bool = True) -> None:
    parser.add_argument(
        "-m",
        "--variant-config",
        dest="variant_files",
        action="append",
        default=[],
        metavar="VARIANTS",
        help="a variant file (conda_build_config.yaml / variants.yaml); repeatable",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one variant key (comma-separated values expand); repeatable",
    )
    parser.add_argument(
        "--target-platform",
        choices=SUBDIRS,
        default=None,
        help="the subdir to target (default: this machine's)",
    )
    parser.add_argument(
        "--no-default-variants", action="store_true", help="skip variants/default.yaml"
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def max_variants_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-variants",
        type=int,
        default=MAX_VARIANTS,
        metavar="N",
        help=f"refuse a recipe whose variant matrix has more than N combinations "
        f"(default: {MAX_VARIANTS})",
    )


def source_cache_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source-cache",
        default=None,
        metavar="DIR",
        help="the source cache: files named by their sha256 (default: $CFL_SOURCE_CACHE, "
        "else ~/.cache/cfl/sources)",
    )


def channel_options(parser: argparse.ArgumentParser, output_dir: bool = True) -> None:
    if output_dir:
        parser.add_argument(
            "--output-dir", default="output", help="the output channel (default: output)"
        )
    parser.add_argument(
        "-c",
        "--channel",
        action="append",
        default=[],
        help="extra channel: a URL, a folder (with a '/', starting with '.' or '~', or existing), "
        "else a channel name on the channel alias ($CFL_CHANNEL_ALIAS); repeatable",
    )
