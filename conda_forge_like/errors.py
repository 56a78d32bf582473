"""Error hierarchy: every error carries a message, an optional file:line location and a hint.

Library code raises these; only ``cli.py`` turns them into ``ERROR``/``TIP`` lines and exit
codes. ``CflErrorGroup`` bundles every problem found in one run so a user fixes them at once.
"""

from __future__ import annotations

from .records import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a file the user wrote: ``recipes/zlib/meta.yaml:12``."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        # Line 0 is a tree built in code (no YAML line): name the file only.
        return f"{self.file}:{self.line}" if self.line else self.file


class CflError(Exception):
    """Base class: ``CflError("bad thing", Location("meta.yaml", 3), hint="do this")``."""

    exit_code = 1

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        return prefix + self.message


class RecipeError(CflError):
    """The recipe text is wrong (YAML, Jinja, selector, unknown key)."""

    exit_code = 2


class VariantError(CflError):
    """A variant file is wrong (zip_keys lengths, bad YAML, bad override)."""

    exit_code = 2


class UsageError(CflError):
    """The command line asks for something impossible (missing file, unknown platform)."""

    exit_code = 2


class SourceError(CflError):
    """A source cannot be prepared (missing path, download, checksum, archive, git, patch)."""

    exit_code = 3


class PackageError(CflError):
    """A package cannot be written or read (bad path record, unreadable or unsafe archive)."""


class ChannelError(CflError):
    """A channel directory cannot be indexed (unreadable repodata, package in the wrong subdir)."""


class CflErrorGroup(CflError):
    """Several errors found in one run, reported together."""

    def __init__(self, errors: list[CflError]):
        self.errors = _flatten(errors)
        super().__init__(f"{len(self.errors)} problem(s) found")
        self.exit_code = max(e.exit_code for e in self.errors)


def _flatten(errors: list[CflError]) -> list[CflError]:
    flat: list[CflError] = []
    for err in errors:
        flat.extend(err.errors if isinstance(err, CflErrorGroup) else [err])
    return flat


def raise_collected(errors: list[CflError]) -> None:
    """Raise nothing, the single error, or a group: the one way stages report what they found."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CflErrorGroup(errors)
