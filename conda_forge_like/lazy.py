r"""A package's public names, each imported from its submodule when first used (PEP 562).

``__getattr__ = lazy.exports(__name__, {"check": ".checks"})`` in a package's ``__init__``
makes ``import conda_forge_like.abi`` cost nothing until ``abi.check`` is looked up; the
package imports the same names under ``TYPE_CHECKING`` for mypy. Stages whose modules a
command often does not need (the ABI checks for a package without binaries) export this way.
A name that is also a submodule's (``relocate.scan``) must be imported eagerly instead: once
the submodule is imported, the package attribute is the module and ``__getattr__`` is skipped.

``WORD = lazy.regex(r"\w+")`` is a module's regular expression compiled when first used:
``re.compile`` is pure Python (0.1-0.4 ms a pattern) and cfl's modules hold some sixty, most of
which a given command never matches.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Mapping
from typing import AnyStr, cast


def exports(package: str, names: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` resolving ``names`` (name -> relative module) in ``package``."""

    def __getattr__(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # later look-ups skip this function
        return value

    return __getattr__


class _Regex:
    """Stands for ``re.compile(source, flags)`` and compiles it at the first attribute used;
    each attribute is then the compiled pattern's own (``match``, ``sub``, ``pattern``...)."""

    def __init__(self, source: str | bytes, flags: int):
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str) -> object:
        value = getattr(re.compile(self._source, self._flags), name)
        setattr(self, name, value)  # later look-ups are plain attribute reads
        return value

    def __repr__(self) -> str:
        return f"lazy.regex({self._source!r})"


def regex(source: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(source, flags)``, compiled when the pattern is first used."""
    return cast("re.Pattern[AnyStr]", _Regex(source, flags))
