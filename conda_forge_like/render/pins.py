"""Version pins: ``apply_pin("1.6.34", "x.x.x", "x.x")`` -> ``">=1.6.34,<1.7.0a0"``.

Pure. The rule is conda-build's ``apply_pin_expressions`` (which rattler-build follows): the
lower bound keeps as many version places as ``x`` in the minimum pin, the upper bound keeps as
many as the maximum pin, increments the last and appends ``.0a0`` so pre-releases of the next
version are excluded.
"""

from __future__ import annotations

import re

_SEGMENT_RE = re.compile(r"\d+|[A-Za-z]+")
_BARE_VERSION_RE = re.compile(r"^[0-9][0-9A-Za-z_.]*$")


def _flat_parts(version: str) -> tuple[list[str], int | None]:
    """Split ``1.0rc1`` into ``["1", "0", "rc", "1"]`` and remember where a nested place began."""
    parts: list[str] = []
    nesting = None
    for index, piece in enumerate(version.split(".")):
        segments = _SEGMENT_RE.findall(piece) or [piece]
        if len(segments) > 1 and nesting is None:
            nesting = index
        parts.extend(segments)
    return parts, nesting


def _increment(value: str, next_is_alpha: bool) -> str:
    if value.isdigit():
        return str(int(value) + 1) + ("a" if next_is_alpha else ".0a0")
    return chr(ord(value[-1]) + 1)


def _bound(parts: list[str], places: int, nesting: int | None, upper: bool) -> str:
    text = ""
    for index, value in enumerate(parts[:places]):
        if upper and index == places - 1:
            value = _increment(value, parts[min(places, len(parts) - 1)].isalpha())
        text += value
        if index != nesting:
            text += "."
    return text.rstrip(".")


def apply_pin(version: str, min_pin: str | None = "x.x.x.x.x.x", max_pin: str | None = "x") -> str:
    """A version range from pin expressions; either pin may be ``None`` to omit that side."""
    version = str(version).strip()
    parts, nesting = _flat_parts(version.rstrip("*").rstrip("."))
    bounds = []
    if min_pin:
        bounds.append(">=" + _bound(parts, len(min_pin.split(".")), nesting, upper=False))
    if max_pin:
        places = min(len(max_pin.split(".")), len(parts))
        bounds.append("<" + _bound(parts, places, nesting, upper=True))
    return ",".join(bounds)


def ensure_valid_spec(spec: str) -> str:
    """``"gcc_linux-64 12"`` -> ``"gcc_linux-64 12.*"``: a bare version means that series."""
    pieces = spec.split()
    if len(pieces) == 2 and _BARE_VERSION_RE.match(pieces[1]) and "*" not in pieces[1]:
        return f"{pieces[0]} {pieces[1]}.*"
    return spec
