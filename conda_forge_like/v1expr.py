"""A small evaluator for the ``${{ ... }}`` expressions recipe.yaml files use, without Jinja.

``value("${{ version.split('.')[0] }}", ctx)`` -> ``"1"``; ``names("py${{ python }}")`` ->
``frozenset({"python"})``. Anything it does not fully support (a filter or test it does not
know, a dunder attribute, a missing name, a type error, whitespace control, ...) gives
``FALLBACK`` instead: ``templating`` then runs the Jinja sandbox, whose value or error is the
reference. Each supported construct follows that sandbox (``ImmutableSandboxedEnvironment``
with ``StrictUndefined`` and minijinja's cross-kind ordering), checked differentially by
``tests/unit/test_v1expr.py``.
"""

from __future__ import annotations

from typing import Any

from .v1parse import _parse_expression, _parse_template
from .v1values import (
    _FUNCTION_TYPES,
    _PLAIN,
    _UNDEF,
    FILTERS,
    GLOBAL_NAMES,
    TESTS,
    Unsupported,
    _attr,
    _binop,
    _compare,
    _order,
    _Undef,
)  # fmt: skip

ENABLED = True  # tests switch it off to get the Jinja path alone
STATS = {"fast": 0, "fallback": 0}
REASONS: dict[str, int] = {}  # why expressions fell back (only counted while COUNT_REASONS)
COUNT_REASONS = False

FALLBACK: Any = type("Fallback", (), {"__repr__": lambda self: "FALLBACK"})()


# --- evaluation ---------------------------------------------------------------------------


def _resolve(names: frozenset[str], context: dict[str, Any]) -> dict[str, Any]:
    """Every name looked up up front, as Jinja's compiled code does: that is how a tracking
    context learns the names a template reads (those of branches not taken included)."""
    env = {}
    for name in names:
        env[name] = value = context.get(name, _UNDEF)
        if value is _UNDEF and name in GLOBAL_NAMES:
            raise Unsupported("Jinja global")  # not yet in the context: Jinja provides it
    return env


def _eval(node: tuple[Any, ...], env: dict[str, Any]) -> Any:
    """The value of ``node``; may be ``_UNDEF`` only for a bare name."""
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "name":
        return env[node[1]]
    if kind == "filter":
        _, name, arg, args, kwargs = node
        value = _eval(arg, env) if name in ("default", "d") else _val(arg, env)
        return FILTERS[name](
            value, *[_val(a, env) for a in args], **{k: _val(v, env) for k, v in kwargs.items()}
        )
    if kind == "test":
        value = _eval(node[2], env)
        if value is _UNDEF and node[1] not in ("defined", "undefined"):
            raise Unsupported("undefined")
        if not isinstance(value, (*_PLAIN, _Undef)):
            raise Unsupported("test operand")
        return TESTS[node[1]](value)
    return _val(node, env)


def _val(node: tuple[Any, ...], env: dict[str, Any]) -> Any:
    """The value of ``node``, never undefined."""
    kind = node[0]
    if kind == "name":
        value = env[node[1]]
        if value is _UNDEF:
            raise Unsupported("undefined")
        return value
    if kind == "const":
        return node[1]
    if kind == "attr":
        return _attr(_val(node[1], env), node[2])
    if kind == "call":
        func_node, args, kwargs = node[1], node[2], node[3]
        func = _val(func_node, env)
        if func_node[0] == "name" and not (
            (isinstance(func, _FUNCTION_TYPES) or func is dict)
            and not hasattr(func, "jinja_pass_arg")
            and not getattr(func, "unsafe_callable", False)
            and not getattr(func, "alters_data", False)
        ):
            raise Unsupported("callable")
        return func(*[_val(a, env) for a in args], **{k: _val(v, env) for k, v in kwargs.items()})
    if kind == "item":
        obj, key = _val(node[1], env), _val(node[2], env)
        if not isinstance(obj, str | list | tuple | dict):
            raise Unsupported("item")
        try:
            return obj[key]
        except (TypeError, LookupError):
            raise Unsupported("item") from None
    if kind == "slice":
        obj = _val(node[1], env)
        if not isinstance(obj, str | list | tuple):
            raise Unsupported("slice")
        bounds = [None if part is None else _val(part, env) for part in node[2:]]
        return obj[slice(*bounds)]
    if kind == "cmp":
        op, left, right = node[1], _val(node[2], env), _val(node[3], env)
        if op == "eq":
            return left == right
        if op == "ne":
            return left != right
        if op in ("in", "notin"):
            if not isinstance(right, str | list | tuple | dict):
                raise Unsupported("container")
            return (left in right) is (op == "in")
        return _compare(op, left, right)
    if kind == "order":
        left, right = _val(node[2], env), _val(node[3], env)
        if not isinstance(left, _PLAIN) or not isinstance(right, _PLAIN):
            raise Unsupported("compare")
        return _order(node[1], left, right)
    if kind == "bin":
        return _binop(node[1], _val(node[2], env), _val(node[3], env))
    if kind == "and":
        return _val(node[1], env) and _val(node[2], env)
    if kind == "or":
        return _val(node[1], env) or _val(node[2], env)
    if kind == "not":
        return not _val(node[1], env)
    if kind == "cond":
        if _val(node[1], env):
            return _val(node[2], env)
        if node[3] is None:
            raise Unsupported("if without else")
        return _val(node[3], env)
    if kind == "concat":
        return "".join([str(_val(part, env)) for part in node[1]])
    if kind == "list":
        return [_val(item, env) for item in node[1]]
    if kind == "tuple":
        return tuple(_val(item, env) for item in node[1])
    if kind == "neg":
        value = _val(node[1], env)
        if not isinstance(value, int | float):
            raise Unsupported("operand")
        return -value
    if kind == "pos":
        value = _val(node[1], env)
        if not isinstance(value, int | float):
            raise Unsupported("operand")
        return +value
    value = _eval(node, env)  # filter / test
    if value is _UNDEF:
        raise Unsupported("undefined")
    return value


def _fell_back(exc: BaseException) -> Any:
    STATS["fallback"] += 1
    if COUNT_REASONS:
        reason = str(exc) if isinstance(exc, Unsupported) else type(exc).__name__
        REASONS[reason] = REASONS.get(reason, 0) + 1
    return FALLBACK


def _attempt(parsed: Any, context: dict[str, Any], compute: Any) -> Any:
    """``compute(tree, env)`` over a parsed expression or template, or ``FALLBACK`` when it
    could not be parsed or fails in any way (Jinja then decides and reports it)."""
    if parsed is None:
        return _fell_back(Unsupported("parse"))
    try:
        value = compute(parsed[0], _resolve(parsed[1], context))
    except Exception as exc:  # noqa: BLE001 -- any failure: Jinja decides and reports it
        return _fell_back(exc)
    STATS["fast"] += 1
    return value


def _concat(parts: list[Any], env: dict[str, Any]) -> str:
    return "".join([p if isinstance(p, str) else str(_val(p, env)) for p in parts])


def evaluate(expr: str, context: dict[str, Any]) -> Any:
    """The value of a bare expression, or ``FALLBACK``."""
    if not ENABLED:
        return FALLBACK
    return _attempt(_parse_expression(expr), context, _val)


def render(text: str, context: dict[str, Any]) -> Any:
    """Mixed text rendered to a string (each expression's ``str()``), or ``FALLBACK``."""
    if not ENABLED:
        return FALLBACK
    return _attempt(_parse_template(text), context, _concat)


def names(text: str) -> frozenset[str] | None:
    """The names a template reads (Jinja's undeclared variables), ``None`` if unsupported."""
    if not ENABLED:
        return None
    parsed = _parse_template(text)
    if parsed is None or not parsed[2]:
        return None
    return parsed[1] - frozenset(GLOBAL_NAMES)
