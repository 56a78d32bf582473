"""A package's public names, each imported from its submodule when first used (PEP 562).

``__getattr__ = lazy.exports(__name__, {"check": ".checks"})`` in a package's ``__init__``
makes ``import conda_forge_like.abi`` cost nothing until ``abi.check`` is looked up; the
package imports the same names under ``TYPE_CHECKING`` for mypy. Stages whose modules a
command often does not need (the ABI checks for a package without binaries) export this way.
A name that is also a submodule's (``relocate.scan``) must be imported eagerly instead: once
the submodule is imported, the package attribute is the module and ``__getattr__`` is skipped.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


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
