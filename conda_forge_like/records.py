"""Record classes: ``@dataclass``, ``field``, ``replace``, ``asdict`` and ``fields`` for cfl's data.

Type checkers see the standard library's ``dataclasses`` (the semantics cfl relies on); at run
time these come from ``conda_forge_like._records``. On Python 3.11 importing ``dataclasses``
imports ``inspect`` (with ``ast``, ``dis`` and ``tokenize``), and every ``@dataclass`` compiles
half a dozen generated methods and computes an ``inspect.signature`` when the class is defined:
for the hundred record classes cfl has, about as long as a whole trivial build. Here a class
definition only records its fields; ``__init__`` is generated when a class is first
instantiated, and comparison, hashing and ``repr`` are shared functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataclasses import (
        FrozenInstanceError,
        asdict,
        dataclass,
        field,
        fields,
        is_dataclass,
        replace,
    )
else:
    from ._records import (
        FrozenInstanceError,
        asdict,
        dataclass,
        field,
        fields,
        is_dataclass,
        replace,
    )

__all__ = ["FrozenInstanceError", "asdict", "dataclass", "field", "fields", "is_dataclass",
           "replace"]  # fmt: skip
