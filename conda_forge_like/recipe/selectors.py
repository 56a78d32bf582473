"""Selector expressions: ``linux and x86_64``, ``py>=312``, ``not win``, ``microarch_level == 3``.

Pure. ``evaluate("linux and not aarch64", ns)`` -> ``True``; names the namespace lacks are false
(conda-build's rule). Expressions are parsed once, checked against a small whitelist of Python
syntax (calls only to string methods and int/float/str/bool/len/min/max, no dunders) and
then evaluated as compiled code.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import CodeType
from typing import TYPE_CHECKING, Any

from .. import lazy
from ..records import dataclass

if TYPE_CHECKING:
    import ast


@lru_cache(maxsize=1)
def _allowed() -> tuple[type, ...]:
    """The syntax a selector may use (``ast`` is imported by the first selector)."""
    import ast

    return (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List,
    ast.Attribute, ast.Call,
    )  # fmt: skip


_STR_METHODS = frozenset({"startswith", "endswith", "lower", "upper", "split", "get"})

# `  - zlib  # [linux and x86_64]`: the selector is the last bracket group of a comment.
SELECTOR_RE = lazy.regex(r"^(?P<body>.*?)#\s*\[(?P<expr>[^\[\]]+)\]\s*(?:#.*)?$")


class SelectorSyntaxError(ValueError):
    """An expression that is not a valid selector; ``str()`` says why."""


@dataclass(frozen=True)
class Selector:
    expr: str
    code: CodeType
    names: frozenset[str]


# conda-build evaluates selectors with Python's eval, so conversions such as
# `int(c_compiler_version) >= 14` work; these are the builtins a selector may call.
_BUILTINS: dict[str, Any] = {
    "int": int, "float": float, "str": str, "bool": bool, "len": len, "min": min, "max": max,
}  # fmt: skip


class _Namespace(dict[str, Any]):
    def __missing__(self, key: str) -> Any:
        return False


# `linux`, `not win`, `linux and not aarch64`: names joined by and/or/not, which need no AST
# to be known safe (most selectors of real recipes; the rest are checked node by node).
_NAMES_ONLY = lazy.regex(r"(?:not\s+)*[^\W\d_]\w*(?:\s+(?:and|or)\s+(?:not\s+)*[^\W\d_]\w*)*")
_OPERATORS = frozenset({"and", "or", "not"})
_CONSTANTS = frozenset({"True", "False", "None"})


def _names_only(text: str) -> Selector | None:
    if not _NAMES_ONLY.fullmatch(text):
        return None
    try:  # a keyword used as a name (`linux and if`) is the full check's to report
        code = compile(text, "<selector>", "eval")
    except SyntaxError:
        return None
    return Selector(text, code, frozenset(text.split()) - _OPERATORS - _CONSTANTS)


@lru_cache(maxsize=4096)
def compile_selector(expr: str) -> Selector:
    """Parse and validate once; raises ``SelectorSyntaxError`` with the reason."""
    text = expr.strip()
    simple = _names_only(text)
    if simple is not None:
        return simple
    import ast

    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise SelectorSyntaxError(f"cannot parse selector [{text}]: {exc.msg}") from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _allowed()):
            raise SelectorSyntaxError(
                f"selector [{text}] uses unsupported syntax ({type(node).__name__})"
            )
        if isinstance(node, ast.Attribute) and (
            node.attr.startswith("_") or node.attr not in _STR_METHODS
        ):
            raise SelectorSyntaxError(f"selector [{text}] uses attribute {node.attr!r}")
        if isinstance(node, ast.Call) and not _is_method_call(node):
            raise SelectorSyntaxError(
                f"selector [{text}] calls something other than a string method"
            )
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise SelectorSyntaxError(f"selector [{text}] uses the name {node.id!r}")
            names.add(node.id)
    return Selector(text, compile(tree, "<selector>", "eval"), frozenset(names))


def _is_method_call(node: ast.Call) -> bool:
    """``target_platform.startswith("linux")`` or ``int(c_compiler_version)``: the only calls
    a selector may make (plain arguments, no ``*args``/keywords), so no other name bound to a
    function is ever called."""
    import ast

    plain = all(isinstance(arg, ast.Constant | ast.Name) for arg in node.args)
    func = node.func
    callee = isinstance(func, ast.Attribute) or (
        isinstance(func, ast.Name) and func.id in _BUILTINS
    )
    return callee and plain and not node.keywords


def evaluate(expr: str, namespace: Mapping[str, Any]) -> bool:
    """True when the selector holds; unknown names count as false."""
    selector = compile_selector(expr)
    scope = _Namespace({**_BUILTINS, **namespace})
    try:
        return bool(eval(selector.code, {"__builtins__": {}}, scope))  # noqa: S307 - validated AST
    except Exception as exc:  # a type error such as `py >= "abc"`
        raise SelectorSyntaxError(f"selector [{selector.expr}] failed: {exc}") from exc


def split_line(line: str) -> tuple[str, str | None]:
    """``"  - zlib  # [linux]"`` -> ``("  - zlib", "linux")``; no selector -> ``(line, None)``."""
    if "#" not in line or "[" not in line:
        return line, None
    match = SELECTOR_RE.match(line)
    if match is None:
        return line, None
    return match.group("body").rstrip(), match.group("expr")


def cast_value(value: Any) -> Any:
    """Variant values as selectors see them: ``"3"`` -> ``3``, ``"true"`` -> ``True``."""
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        try:
            return int(value)
        except ValueError:
            return value
    return value
