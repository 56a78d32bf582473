"""Version pins: ``apply_pin("1.6.34", "x.x.x", "x.x")`` -> ``">=1.6.34,<1.7.0a0"``.

Pure. The rule is conda-build's ``apply_pin_expressions`` (which rattler-build follows): the
lower bound keeps as many version places as ``x`` in the minimum pin, the upper bound keeps as
many as the maximum pin, increments the last and appends ``.0a0`` so pre-releases of the next
version are excluded.
"""

from __future__ import annotations

from itertools import zip_longest

from .. import lazy

_SEGMENT_RE = lazy.regex(r"\d+|[A-Za-z]+")
_BARE_VERSION_RE = lazy.regex(r"^[0-9][0-9A-Za-z_.]*$")


def _flat_parts(version: str) -> tuple[list[str], int | None]:
    """Split ``1.0rc1`` into ``["1", "0", "rc", "1"]``; the nesting index is conda-build's: the
    index of the version's last component (compared, as conda-build does, with flat indices)."""
    parts: list[str] = []
    pieces = version.split(".")
    for piece in pieces:
        parts.extend(_SEGMENT_RE.findall(piece) or [piece])
    return parts, len(pieces) - 1 if pieces else None


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


def _components(version: str) -> list[list[int | float | str]]:
    """conda's ``VersionOrder`` components: ``1.0rc1`` -> ``[[1], [0, "rc", 1]]``."""
    components: list[list[int | float | str]] = []
    for piece in version.lower().replace("_", ".").split("."):
        segments = _SEGMENT_RE.findall(piece) or [piece]
        values: list[int | float | str] = [_segment(s) for s in segments]
        components.append(values if segments[0].isdigit() else [0, *values])
    return components


def _segment(text: str) -> int | float | str:
    if text.isdigit():
        return int(text)
    # conda's tricks: `post` sorts after every number, `dev` before every other letter.
    if text == "post":
        return float("inf")
    return "DEV" if text == "dev" else text


def _precedes(version: str, other: str) -> bool:
    """``version < other`` in conda's order (letters are pre-releases: ``1.0rc1 < 1.0``)."""
    empty: list[int | float | str] = []
    pairs = zip_longest(_components(version), _components(other), fillvalue=empty)
    for left, right in pairs:
        for a, b in zip_longest(left, right, fillvalue=0):
            if a == b:
                continue
            if isinstance(a, str):
                return not isinstance(b, str) or a < b
            if isinstance(b, str):
                return False
            return a < b
    return False


def apply_pin(version: str, min_pin: str | None = "x.x.x.x.x.x", max_pin: str | None = "x") -> str:
    """A version range from pin expressions; either pin may be ``None`` to omit that side.

    As in conda-build, a lower bound that would exclude the version itself (a pre-release such
    as ``1.0rc1`` pinned to ``x.x`` gives ``1.0``) becomes the version: ``>=1.0rc1``.
    """
    version = str(version).strip()
    bare = version.rstrip("*").rstrip(".")
    parts, nesting = _flat_parts(bare)
    bounds = []
    if min_pin:
        lower = _bound(parts, len(min_pin.split(".")), nesting, upper=False)
        bounds.append(">=" + (bare if _precedes(bare, lower) else lower))
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
