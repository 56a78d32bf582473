"""``--package-format``: rattler-build's ``conda:LEVEL`` spelling, checked before any work."""

from __future__ import annotations

import argparse

import pytest

from conda_forge_like.cli_options import package_format


@pytest.mark.parametrize(
    ("text", "expected"),
    [("conda", ("conda", None)), ("tar.bz2", ("tar.bz2", None)), ("conda:19", ("conda", 19)),
     ("conda:-7", ("conda", -7)), ("conda:max", ("conda", 22)), ("conda:min", ("conda", -7)),
     ("conda:default", ("conda", 15))],
)  # fmt: skip
def test_formats_and_levels(text: str, expected: tuple[str, int | None]) -> None:
    assert package_format(text) == expected


@pytest.mark.parametrize("text", ["zip", "conda:23", "conda:-8", "conda:fast", "tar.bz2:9", ""])
def test_bad_formats_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        package_format(text)
