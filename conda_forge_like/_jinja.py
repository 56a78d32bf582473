"""The Jinja side of ``templating``: the sandboxed environments, compiled-template caches and
the Jinja evaluation of v1 expressions. Imported on first use (meta.yaml rendering, or a v1
expression ``v1expr`` leaves to Jinja): importing Jinja costs ~20 ms.
"""

from __future__ import annotations

import traceback
import types
from functools import lru_cache
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.exceptions
import jinja2.meta
import jinja2.nodes
import jinja2.parser
import jinja2.runtime
import jinja2.sandbox

from . import v1values
from .errors import Location, RecipeError
from .records import dataclass
from .templating import _SINGLE_RE

# Recipes are untrusted text: templates run sandboxed (no attribute starting with `_`, no
# mutation of lists/dicts) and see only these of Jinja's default globals (no `cycler`,
# `joiner` or `lipsum`, whose objects are footholds or CPU burners).
_SAFE_GLOBALS = v1values.GLOBAL_NAMES


class _RecipeSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """A sandbox that also refuses huge repetitions and powers (checked before computing)."""

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # A module reached through an attribute (`datetime.sys`) opens every other module.
        if isinstance(value, types.ModuleType):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "**" and v1values.too_big_power(left, right):
            raise jinja2.exceptions.SecurityError(f"a power with exponent {right} is too large")
        if operator == "*" and v1values.too_big_repeat(left, right):
            raise jinja2.exceptions.SecurityError("the repeated value would be too large")
        return super().call_binop(context, operator, left, right)


# minijinja (rattler-build's Jinja) orders values of different kinds by kind instead of
# failing: undefined < none < bool < number < string < bytes < sequence < map. So with
# `vc: ['14']`, `vc < 14` is false and `vc > 14` true (value/mod.rs, `impl Ord for Value`).
_KINDS: tuple[tuple[type, ...], ...] = (
    (jinja2.Undefined,), (type(None),), (bool,), (int, float), (str,), (bytes,),
    (list, tuple), (dict,),
)  # fmt: skip
_ORDER_OPS = {
    "lt": lambda a, b: a < b, "lteq": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "gteq": lambda a, b: a >= b,
}  # fmt: skip


def _kind(value: Any) -> int:
    return next((i for i, types in enumerate(_KINDS) if isinstance(value, types)), len(_KINDS))


def minijinja_compare(op: str, left: Any, right: Any) -> bool:
    """``left <op> right`` as minijinja decides it; same kinds compare as Python does."""
    for value in (left, right):
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()  # an undefined name stays an error
    a, b = _kind(left), _kind(right)
    if a == b or {a, b} == {2, 3}:  # minijinja coerces bools to numbers
        return bool(_ORDER_OPS[op](left, right))
    return bool(_ORDER_OPS[op](a, b))


class _V1CodeGenerator(jinja2.compiler.CodeGenerator):
    """Ordering comparisons go through ``minijinja_compare`` (chained ones stay Python's)."""

    def visit_Compare(self, node: jinja2.nodes.Compare, frame: jinja2.compiler.Frame) -> None:
        if len(node.ops) != 1 or node.ops[0].op not in _ORDER_OPS:
            super().visit_Compare(node, frame)
            return
        self.write(f"environment.minijinja_compare({node.ops[0].op!r}, ")
        self.visit(node.expr, frame)
        self.write(", ")
        self.visit(node.ops[0].expr, frame)
        self.write(")")


class _V1Environment(_RecipeSandbox):
    code_generator_class = _V1CodeGenerator
    minijinja_compare = staticmethod(minijinja_compare)


def _make_env(v1: bool) -> jinja2.Environment:
    kwargs: dict[str, Any] = {"undefined": jinja2.StrictUndefined, "keep_trailing_newline": True}
    if v1:
        kwargs.update(variable_start_string="${{", variable_end_string="}}")
    env_class = _V1Environment if v1 else _RecipeSandbox
    env = env_class(**kwargs)
    env.globals = {k: v for k, v in env.globals.items() if k in _SAFE_GLOBALS}
    env.filters["version_to_buildstring"] = v1values.version_to_buildstring
    env.filters["split"] = lambda value, sep=None: str(value).split(sep)
    return env


ENV_V0 = _make_env(v1=False)
ENV_V1 = _make_env(v1=True)


@dataclass(frozen=True)
class Compiled:
    template: jinja2.Template
    names: frozenset[str]  # undeclared variables: the static "used" candidates


@lru_cache(maxsize=8192)
def compile_template(text: str, v1: bool, name: str = "<recipe>") -> Compiled:
    env = ENV_V1 if v1 else ENV_V0
    try:
        ast = env.parse(text, name=name, filename=name)
        code = env.compile(ast, name=name, filename=name)
        template = env.template_class.from_code(env, code, env.make_globals(None))
    except jinja2.TemplateSyntaxError as exc:
        raise RecipeError(
            f"Jinja syntax error: {exc.message}",
            Location(name, exc.lineno),
            hint="check the {{ }} / {% %} pairs on this line",
        ) from exc
    return Compiled(template, frozenset(jinja2.meta.find_undeclared_variables(ast)))


@lru_cache(maxsize=8192)
def compile_expression(expr: str) -> Compiled:
    """A bare v1 expression (``if:`` conditions): ``"linux and zlib"``."""
    return compile_template("${{ " + expr + " }}", v1=True)


def name_lines(text: str, v1: bool) -> dict[str, int]:
    """First line each undeclared name appears on, for error locations."""
    env = ENV_V1 if v1 else ENV_V0
    lines: dict[str, int] = {}
    for node in env.parse(text).find_all(jinja2.nodes.Name):
        lines.setdefault(node.name, node.lineno)
    return lines


def _template_line(exc: BaseException, name: str) -> int | None:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
    return lines[-1] if lines else None


# What evaluating recipe text may raise besides an undefined name: Jinja's errors (the
# sandbox's ``SecurityError`` among them) and Python's from filters and operators
# (``1/0``, ``range(10**9)``, ``"a" + 1``, ``{}["x"]``, a recipe function given an int).
FAILURES = (
    jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError,
    RecursionError,
)  # fmt: skip


@lru_cache(maxsize=8192)
def _expression(expr: str) -> jinja2.Template:
    """``expr`` compiled once into a template that stores its value as ``result`` (what
    ``Environment.compile_expression`` builds, kept as a template so it can run shared)."""
    try:
        parser = jinja2.parser.Parser(ENV_V1, expr, state="variable")
        node = parser.parse_expression()
        if not parser.stream.eos:
            raise jinja2.TemplateSyntaxError(
                "chunk after expression", parser.stream.current.lineno, None, None
            )
    except jinja2.TemplateSyntaxError as exc:
        raise RecipeError(f"Jinja syntax error in `{expr}`: {exc.message}") from exc
    node.set_environment(ENV_V1)
    body = [jinja2.nodes.Assign(jinja2.nodes.Name("result", "store"), node, lineno=1)]
    return ENV_V1.from_string(jinja2.nodes.Template(body, lineno=1))


def _shared(template: jinja2.Template, context: dict[str, Any]) -> jinja2.runtime.Context:
    """A render context that reads ``context`` in place instead of copying it (and the
    environment's globals) for every template: v1 contexts are built once per variant and
    already hold ``ENV_V1.globals``."""
    return template.new_context(context, shared=True)


def evaluate_jinja(expr: str, context: dict[str, Any]) -> Any:
    """Evaluate one v1 expression (an ``if:`` condition) to a Python value."""
    template = _expression(expr.strip())
    run = _shared(template, context)
    for _ in template.root_render_func(run):
        pass
    value = run.vars["result"]
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def render_value_jinja(text: str, context: dict[str, Any]) -> Any:
    """A v1 string: ``"${{ 1 if linux else 0 }}"`` keeps its type (int), mixed text renders."""
    match = _SINGLE_RE.match(text)
    if match and "${{" not in match.group("expr") and "}}" not in match.group("expr"):
        return evaluate_jinja(match.group("expr"), context)
    template = compile_template(text, v1=True).template
    return ENV_V1.concat(template.root_render_func(_shared(template, context)))
