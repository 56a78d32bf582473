"""Match specs as rattler-build writes them after rendering a recipe.yaml.

Pure. ``normalize("Zlib>= 1.2, <2")`` -> ``"zlib >=1.2,<2"``; ``fill_bare(["zlib"], {"zlib":
"1.3"})`` -> ``["zlib 1.3.*"]``. rattler-build parses every requirement into a ``MatchSpec``
and prints it back, so spelling variants of one spec come out the same; cfl does the same for
the common spellings (the name lower-cased, ``name>=1`` split, spaces inside a version
removed, ``=1.2`` written ``1.2.*``, ``name[version='>=3']`` moved out of the brackets).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .. import lazy
from .context import PIN_RE

# name, optional bracket, the rest: "numpy>=1.26", "openssl[version='>=3']", "python 3.12.*".
_SPEC_RE = lazy.regex(
    r"^(?P<name>(?:[\w.-]+::)?[A-Za-z0-9_][\w.+-]*)\s*(?:\[(?P<bracket>[^\]]*)\])?\s*(?P<rest>.*)$"
)
_BRACKET_VERSION_RE = lazy.regex(r"""^\s*version\s*=\s*(['"]?)(?P<version>[^'"]*)\1\s*$""")
_OPERATOR_SPACE_RE = lazy.regex(r"(>=|<=|==|!=|~=|>|<)\s+")
_SEPARATOR_RE = lazy.regex(r"\s*([,|])\s*")
_SIMPLE_VALUE_RE = lazy.regex(r"^[A-Za-z0-9.]+$")


@lru_cache(maxsize=8192)
def normalize(spec: str) -> str:
    """One requirement in rattler-build's canonical spelling (unknown shapes are kept)."""
    spec = " ".join(spec.split())
    match = _SPEC_RE.match(spec)
    if match is None or PIN_RE.search(spec):
        return spec
    name, bracket, rest = match.group("name"), match.group("bracket"), match.group("rest")
    if bracket is not None:
        inner = _BRACKET_VERSION_RE.match(bracket)
        if inner is None or rest:
            return spec
        rest = inner.group("version")
    rest = _SEPARATOR_RE.sub(r"\1", _OPERATOR_SPACE_RE.sub(r"\1", rest))
    version, _, build = rest.partition(" ")
    if version.startswith("=") and not version.startswith("=="):
        version = version[1:] + ("" if version.endswith("*") else ".*")
    return " ".join(part for part in (_lower_name(name), version, build) if part)


def _lower_name(name: str) -> str:
    channel, sep, package = name.rpartition("::")
    return f"{channel}{sep}{package.lower()}"


def fill_bare(specs: list[str], variant: Mapping[str, Any]) -> list[str]:
    """A bare build/host name takes the variant's value, as rattler-build does at solve time:
    ``zlib`` with ``1.3`` -> ``zlib 1.3.*`` (a ``.*`` only for plain versions: letters, digits
    and dots), with ``>=8.0`` -> ``libcurl >=8.0``. Keys match with ``-`` read as ``_``."""
    out = []
    for spec in specs:
        value = None
        if " " not in spec and not PIN_RE.search(spec):
            value = variant.get(spec, variant.get(spec.replace("-", "_")))
        if value is None or isinstance(value, bool):
            out.append(spec)
            continue
        text = str(value)
        out.append(f"{spec} {text}.*" if _SIMPLE_VALUE_RE.match(text) else f"{spec} {text}")
    return out
