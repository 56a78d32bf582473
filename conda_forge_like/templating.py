"""Jinja environments for both recipe formats, with compiled-template caches.

``render_text(env, text, "meta.yaml", ctx)`` renders a whole v0 recipe; ``evaluate(env, expr,
ctx)`` evaluates one v1 ``${{ expr }}`` string. Undefined variables are collected with their
line numbers (not raised one by one) so a user sees every problem in one run.
"""

from __future__ import annotations

import difflib
import re
import traceback
import types
from collections.abc import Iterable, Mapping
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

from .errors import Location, RecipeError
from .records import dataclass


def _version_to_buildstring(value: Any) -> str:
    """``"3.12"`` -> ``"312"``: rattler-build's filter for build-string prefixes."""
    return "".join(str(value).split(".")[:2])


# Recipes are untrusted text: templates run sandboxed (no attribute starting with `_`, no
# mutation of lists/dicts) and see only these of Jinja's default globals (no `cycler`,
# `joiner` or `lipsum`, whose objects are footholds or CPU burners).
_SAFE_GLOBALS = ("range", "dict", "namespace")
# Bounds on what one `*` or `**` may build: `"a" * 10**10` or `9**9**9` must not hang render.
_MAX_REPEAT = 1_000_000
_MAX_EXPONENT = 1_000
_MAX_POWER_BITS = 100_000


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
        if operator == "**" and _too_big_power(left, right):
            raise jinja2.exceptions.SecurityError(f"a power with exponent {right} is too large")
        if operator == "*" and _too_big_repeat(left, right):
            raise jinja2.exceptions.SecurityError("the repeated value would be too large")
        return super().call_binop(context, operator, left, right)


def _too_big_power(base: Any, exponent: Any) -> bool:
    if not isinstance(exponent, int | float) or not isinstance(base, int | float):
        return False
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
        return abs(base).bit_length() * exponent > _MAX_POWER_BITS
    return abs(exponent) > _MAX_EXPONENT and abs(base) > 1


def _too_big_repeat(left: Any, right: Any) -> bool:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(count, int):
            return len(seq) * count > _MAX_REPEAT
    return False


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
    env.filters["version_to_buildstring"] = _version_to_buildstring
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


def undefined_name(exc: jinja2.UndefinedError) -> str:
    """``'foo' is undefined`` -> ``foo``."""
    message = str(exc.message or "")
    if message.startswith("'") and "' is undefined" in message:
        return message[1 : message.index("' is undefined")]
    return message


def _template_line(exc: BaseException, name: str) -> int | None:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == name]
    return lines[-1] if lines else None


def render_text(text: str, name: str, context: Mapping[str, Any]) -> str:
    """Render a v0 recipe; every undefined variable is reported in one ``RecipeError`` list."""
    rendered, errors = render_text_collect(text, name, context)
    if errors:
        raise errors[0]
    return rendered


def render_text_collect(
    text: str, name: str, context: Mapping[str, Any]
) -> tuple[str, list[RecipeError]]:
    """Render a v0 recipe, returning the text and its problems instead of stopping.

    Each undefined name is replaced by an empty placeholder and rendering goes on, so all of
    them are found in one run (one error naming each with its line). The text is only usable
    for checks that do not depend on values (YAML syntax, unknown keys) when there are errors.
    """
    try:
        compiled = compile_template(text, v1=False, name=name)
    except RecipeError as exc:
        return "", [exc]
    missing: dict[str, int | None] = {}
    ctx = dict(context)
    for _attempt in range(50):
        try:
            rendered = str(compiled.template.render(ctx))
        except jinja2.UndefinedError as exc:
            var = undefined_name(exc)
            if var in missing or var in ctx:
                # Not a plain missing name (e.g. a missing attribute): report it as is.
                missing[var] = missing.get(var) or _template_line(exc, name)
                return "", [_undefined_error(missing, name, text, context)]
            missing[var] = _template_line(exc, name)
            ctx[var] = _Placeholder()
        except FAILURES as exc:
            return "", [failure(exc, Location(name, _template_line(exc, name)))]
        except RecipeError as exc:  # from a recipe function such as load_file_regex
            where = exc.location or Location(name, _template_line(exc, name))
            return "", [RecipeError(exc.message, where, exc.hint)]
        else:
            return rendered, [_undefined_error(missing, name, text, context)] if missing else []
    return "", [_undefined_error(missing, name, text, context)]


# What evaluating recipe text may raise besides an undefined name: Jinja's errors (the
# sandbox's ``SecurityError`` among them) and Python's from filters and operators
# (``1/0``, ``range(10**9)``, ``"a" + 1``, ``{}["x"]``, a recipe function given an int).
FAILURES = (
    jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError,
    RecursionError,
)  # fmt: skip


def failure(exc: BaseException, where: Location, what: str = "") -> RecipeError:
    """A template failure as a recipe error; sandbox refusals say why they are refused."""
    message = str(exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else exc)
    subject = f" in {what}" if what else ""
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return RecipeError(
            f"unsafe template{subject}: {message}",
            where,
            hint="recipe templates run sandboxed: use variables, filters and the recipe "
            "functions (compiler, pin_subpackage, ...); attributes starting with `_` and "
            "Python internals are not available",
        )
    if isinstance(exc, RecursionError):
        return RecipeError(
            f"template recursion too deep{subject}",
            where,
            hint="a macro calls itself without end",
        )
    if isinstance(exc, OverflowError):
        return RecipeError(
            f"value too large{subject}: {message}",
            where,
            hint="keep ranges and repetitions small (at most 100000 items)",
        )
    return RecipeError(
        f"Jinja error{subject}: {message}", where, hint="check the expression on this line"
    )


class _Placeholder(str):
    """Stands in for an undefined name so rendering can go on and find the next one."""

    def __getattr__(self, item: str) -> _Placeholder:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _Placeholder:
        return self


def _undefined_error(
    missing: Mapping[str, int | None], name: str, text: str, context: Mapping[str, Any]
) -> RecipeError:
    lines = name_lines(text, v1=False)
    parts = []
    first_line = None
    for var, line in missing.items():
        line = line or lines.get(var)
        first_line = first_line or line
        parts.append(f"{var!r} (line {line})" if line else repr(var))
    return RecipeError(
        f"undefined Jinja variable{'s' if len(parts) > 1 else ''}: {', '.join(parts)}",
        Location(name, first_line),
        hint=misspelled_function(missing, context)
        or "define it with {% set name = ... %}, add it to a variant file, or check the spelling",
    )


def misspelled_function(missing: Iterable[str], context: Mapping[str, Any]) -> str | None:
    """``did you mean compiler(...)`` for an undefined name close to a recipe function
    (``compilers('c')``); ``None`` when no name is."""
    functions = [key for key, value in context.items() if callable(value) and key.isidentifier()]
    guesses = [
        f"did you mean {close[0]}(...) instead of {var}?"
        for var in missing
        if (close := difflib.get_close_matches(var, functions, n=1, cutoff=0.75))
    ]
    return " ".join(guesses) or None


_SINGLE_RE = re.compile(r"^\s*\$\{\{(?P<expr>.*?)\}\}\s*$", re.S)


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


def evaluate(expr: str, context: dict[str, Any]) -> Any:
    """Evaluate one v1 expression (an ``if:`` condition) to a Python value."""
    template = _expression(expr.strip())
    run = _shared(template, context)
    for _ in template.root_render_func(run):
        pass
    value = run.vars["result"]
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def render_value(text: str, context: dict[str, Any]) -> Any:
    """A v1 string: ``"${{ 1 if linux else 0 }}"`` keeps its type (int), mixed text renders."""
    match = _SINGLE_RE.match(text)
    if match and "${{" not in match.group("expr") and "}}" not in match.group("expr"):
        return evaluate(match.group("expr"), context)
    template = compile_template(text, v1=True).template
    return ENV_V1.concat(template.root_render_func(_shared(template, context)))
