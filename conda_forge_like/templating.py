"""Jinja environments for both recipe formats, with compiled-template caches.

``render_text(env, text, "meta.yaml", ctx)`` renders a whole v0 recipe; ``evaluate(env, expr,
ctx)`` evaluates one v1 ``${{ expr }}`` string. Undefined variables are collected with their
line numbers (not raised one by one) so a user sees every problem in one run.

v1 expressions are first tried by ``v1expr`` and v0 recipes by ``v0template`` (no Jinja);
whatever they leave (``FALLBACK``) runs in the Jinja sandbox, which is imported then: the
environments, ``compile_template``, ``FAILURES`` and the rest of ``_jinja`` are reached
through this module on first use.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from . import lazy, v1expr
from .errors import Location, RecipeError

FALLBACK = v1expr.FALLBACK
# names that live in ``_jinja`` (importing Jinja), reached as ``templating.<name>``
_LAZY = frozenset({
    "ENV_V0", "ENV_V1", "FAILURES", "Compiled", "compile_template", "compile_expression",
    "name_lines", "minijinja_compare", "evaluate_jinja", "render_value_jinja",
    "_RecipeSandbox", "_V1Environment", "_V1CodeGenerator", "_make_env", "_expression",
    "_shared", "_template_line", "_SAFE_GLOBALS", "_KINDS", "_ORDER_OPS",
})  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import _jinja

        return getattr(_jinja, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def undefined_name(exc: Any) -> str:
    """``'foo' is undefined`` -> ``foo``."""
    message = str(exc.message or "")
    if message.startswith("'") and "' is undefined" in message:
        return message[1 : message.index("' is undefined")]
    return message


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
    from . import v0template

    fast = v0template.render(text, context)
    if fast is not FALLBACK:
        return fast, []
    import jinja2

    from . import _jinja

    try:
        compiled = _jinja.compile_template(text, v1=False, name=name)
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
                missing[var] = missing.get(var) or _jinja._template_line(exc, name)
                return "", [_undefined_error(missing, name, text, context)]
            missing[var] = _jinja._template_line(exc, name)
            ctx[var] = _Placeholder()
        except _jinja.FAILURES as exc:
            return "", [failure(exc, Location(name, _jinja._template_line(exc, name)))]
        except RecipeError as exc:  # from a recipe function such as load_file_regex
            where = exc.location or Location(name, _jinja._template_line(exc, name))
            return "", [RecipeError(exc.message, where, exc.hint)]
        else:
            return rendered, [_undefined_error(missing, name, text, context)] if missing else []
    return "", [_undefined_error(missing, name, text, context)]


def failure(exc: BaseException, where: Location, what: str = "") -> RecipeError:
    """A template failure as a recipe error; sandbox refusals say why they are refused."""
    import jinja2.exceptions

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
    from . import _jinja

    lines = _jinja.name_lines(text, v1=False)
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


_SINGLE_RE = lazy.regex(r"^\s*\$\{\{(?P<expr>.*?)\}\}\s*$", re.S)


def evaluate(expr: str, context: dict[str, Any], fast: bool = True) -> Any:
    """Evaluate one v1 expression (an ``if:`` condition) to a Python value."""
    expr = expr.strip()
    if fast:
        value = v1expr.evaluate(expr, context)
        if value is not FALLBACK:
            return value
    from . import _jinja

    return _jinja.evaluate_jinja(expr, context)


def render_value(text: str, context: dict[str, Any], fast: bool = True) -> Any:
    """A v1 string: ``"${{ 1 if linux else 0 }}"`` keeps its type (int), mixed text renders."""
    value = fast_value(text, context) if fast else FALLBACK
    if value is not FALLBACK:
        return value
    from . import _jinja

    return _jinja.render_value_jinja(text, context)


def fast_value(text: str, context: dict[str, Any]) -> Any:
    """``render_value`` without Jinja: the value, or ``FALLBACK`` when Jinja must decide."""
    match = _SINGLE_RE.match(text)
    if match and "${{" not in match.group("expr") and "}}" not in match.group("expr"):
        return v1expr.evaluate(match.group("expr").strip(), context)
    return v1expr.render(text, context)


def fast_evaluate(expr: str, context: dict[str, Any]) -> Any:
    """``evaluate`` without Jinja: the value, or ``FALLBACK`` when Jinja must decide."""
    return v1expr.evaluate(expr.strip(), context)


def template_names(text: str) -> frozenset[str]:
    """The names a v1 template reads (``compile_template(text, v1=True).names``)."""
    names = v1expr.names(text)
    if names is not None:
        return names
    from . import _jinja

    return _jinja.compile_template(text, v1=True).names
