"""What ``v1expr`` lets an expression do with values, and how: the filters and tests it knows,
the attributes it reads (``str``, ``dict``, ``env`` and regex-match methods), comparisons
(minijinja's cross-kind ordering, or Python's for meta.yaml), operators with the sandbox's
bounds on ``*`` and ``**``, ``%`` formatting with small widths. Whatever falls outside raises
``Unsupported``: Jinja decides then.
"""

from __future__ import annotations

import operator
import types
from functools import lru_cache
from typing import Any

# Jinja's default globals recipes may see (``templating`` keeps only these).
GLOBAL_NAMES = ("range", "dict", "namespace")
# Bounds on what one `*` or `**` may build: `"a" * 10**10` or `9**9**9` must not hang render.
MAX_REPEAT = 1_000_000
MAX_EXPONENT = 1_000
MAX_POWER_BITS = 100_000


class Unsupported(Exception):
    """The construct or value is left to Jinja."""


def version_to_buildstring(value: Any) -> str:
    """``"3.12"`` -> ``"312"``: rattler-build's filter for build-string prefixes."""
    return "".join(str(value).split(".")[:2])


def too_big_power(base: Any, exponent: Any) -> bool:
    if not isinstance(exponent, int | float) or not isinstance(base, int | float):
        return False
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        return abs(base).bit_length() * exponent > MAX_POWER_BITS
    return abs(exponent) > MAX_EXPONENT and abs(base) > 1


def too_big_repeat(left: Any, right: Any) -> bool:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            return len(seq) * count > MAX_REPEAT
    return False


class _Undef:
    """A missing name: only ``default`` and ``is defined`` may look at it."""


_UNDEF = _Undef()


def _soft_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _f_default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    if value is _UNDEF or (boolean and not value):
        return default_value
    return value


def _f_replace(s: Any, old: Any, new: Any, count: Any = None) -> str:
    return str(s).replace(str(old), str(new), -1 if count is None else count)


def _f_join(value: Any, d: Any = "", attribute: Any = None) -> str:
    if attribute is not None:
        raise Unsupported("join attribute")
    return str(d).join(map(str, value))


def _f_int(value: Any, default: Any = 0, base: Any = 10) -> Any:
    try:
        return int(value, base) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default


def _f_float(value: Any, default: Any = 0.0) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _f_first(seq: Any) -> Any:
    try:
        return next(iter(seq))
    except StopIteration:
        raise Unsupported("empty") from None


def _f_last(seq: Any) -> Any:
    try:
        return next(iter(reversed(seq)))
    except StopIteration:
        raise Unsupported("empty") from None


FILTERS: dict[str, Any] = {
    "lower": lambda s: _soft_str(s).lower(),
    "upper": lambda s: _soft_str(s).upper(),
    "replace": _f_replace,
    "split": lambda value, sep=None: str(value).split(sep),
    "join": _f_join,
    "default": _f_default,
    "d": _f_default,
    "int": _f_int,
    "float": _f_float,
    "string": _soft_str,
    "length": len,
    "count": len,
    "first": _f_first,
    "last": _f_last,
    "trim": lambda value, chars=None: _soft_str(value).strip(chars),
    "list": list,
    "version_to_buildstring": version_to_buildstring,
}

_PLAIN = (type(None), bool, int, float, str, list, tuple, dict)
TESTS: dict[str, Any] = {
    "defined": lambda v: v is not _UNDEF,
    "undefined": lambda v: v is _UNDEF,
    "none": lambda v: v is None,
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, int | float),
    "boolean": lambda v: v is True or v is False,
    "true": lambda v: v is True,
    "false": lambda v: v is False,
    "integer": lambda v: isinstance(v, int) and v is not True and v is not False,
    "float": lambda v: isinstance(v, float),
    "mapping": lambda v: isinstance(v, dict),
}

# Attributes the sandbox allows and that are called the same way here: str methods (not
# format/format_map, which the sandbox runs its own way), dict readers, ``env``'s methods,
# a regex match's readers.
_STR_METHODS = frozenset({
    "startswith", "endswith", "lower", "upper", "replace", "split", "rsplit", "strip",
    "lstrip", "rstrip", "title", "capitalize", "count", "find", "rfind", "isdigit", "isalpha",
    "isalnum", "isnumeric", "isdecimal", "islower", "isupper", "join", "splitlines",
    "partition", "rpartition", "casefold", "removeprefix", "removesuffix",
})  # fmt: skip
_DICT_METHODS = frozenset({"get", "keys", "values", "items"})
_ENV_METHODS = frozenset({"get", "exists"})
_MATCH_METHODS = frozenset({"group", "groups", "groupdict", "start", "end", "span"})
_FUNCTION_TYPES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)

# minijinja orders values of different kinds by kind (see ``templating.minijinja_compare``):
# none < bool < number < string < bytes < sequence < map; same kinds compare as Python does.
_KINDS: tuple[tuple[type, ...], ...] = (
    (type(None),), (bool,), (int, float), (str,), (bytes,), (list, tuple), (dict,),
)  # fmt: skip


def _kind(value: Any) -> int:
    for i, kinds in enumerate(_KINDS):
        if isinstance(value, kinds):
            return i
    raise Unsupported("compare")


def _order(op: str, a: Any, b: Any) -> bool:
    if op == "lt":
        return bool(a < b)
    if op == "lteq":
        return bool(a <= b)
    if op == "gt":
        return bool(a > b)
    return bool(a >= b)


def _compare(op: str, left: Any, right: Any) -> bool:
    a, b = _kind(left), _kind(right)
    if a == b or {a, b} == {1, 2}:  # minijinja coerces bools to numbers
        return _order(op, left, right)
    return _order(op, a, b)


def _attr(obj: Any, attr: str) -> Any:
    if isinstance(obj, str):
        if attr in _STR_METHODS:
            return getattr(obj, attr)
    elif isinstance(obj, dict):
        if attr in _DICT_METHODS:
            return getattr(obj, attr)
        if not hasattr(obj, attr) and attr in obj:
            return obj[attr]
    elif type(obj).__name__ == "Match" and type(obj).__module__ == "re":
        if attr in _MATCH_METHODS:  # what `load_file_regex` returns
            return getattr(obj, attr)
    elif (
        type(obj).__name__ == "Env"
        and type(obj).__module__ == "conda_forge_like.render.v1_functions"
        and attr in _ENV_METHODS
    ):
        return getattr(obj, attr)
    raise Unsupported("attribute")


_BINOPS: dict[str, Any] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
    "//": operator.floordiv, "%": operator.mod, "**": operator.pow, "v0%": operator.mod,
}  # fmt: skip


def _binop(op: str, a: Any, b: Any) -> Any:
    if not isinstance(a, _PLAIN) or not isinstance(b, _PLAIN):
        raise Unsupported("operand")
    if (op == "*" and too_big_repeat(a, b)) or (op == "**" and too_big_power(a, b)):
        raise Unsupported("too big")
    if op == "%" and isinstance(a, str):
        raise Unsupported("string formatting")
    if op == "v0%" and isinstance(a, str):
        _check_format(a)
    return _BINOPS[op](a, b)


@lru_cache(maxsize=1)
def _format_spec() -> Any:
    import re  # only for the few recipes that format with `%`

    return re.compile(r"%(?:\(\w*\))?[-#0 +]*\d{0,3}(?:\.\d{0,3})?[diouxXeEfFgGcrsa%]")


def _check_format(fmt: str) -> None:
    """``"%s-%02d" % args`` with small widths only (``"%999999999s"`` is left to Jinja, whose
    ``%`` is Python's too)."""
    spec = _format_spec()
    i = fmt.find("%")
    while i >= 0:
        match = spec.match(fmt, i)
        if match is None:
            raise Unsupported("string formatting")
        i = fmt.find("%", match.end())
