"""Evaluating a recipe.yaml (v1) tree for one variant: ``${{ }}`` values, ``if:`` items and
the ``context:`` section, over a context that records which names templates looked up.

``ev = Evaluator("recipe.yaml", base_context({"python": "3.12"}, "linux-64"))``;
``ev.value("py${{ python }}", 3)`` -> ``"py3.12"`` and ``"python" in ev.accessed``. Errors are
collected in ``ev.errors``. Jinja is imported with the first template ``v1expr`` leaves to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .. import platforms
from ..errors import CflError, Location, RecipeError
from ..yamlio import YDict, YList, line_of
from . import v1_functions
from .context import Functions
from .outputs import HASH_MARK


class _Tracked(dict[str, Any]):
    """A context that records the names templates look up: rattler-build decides the used
    variant keys from the variables its Jinja accessed while evaluating (stage0 -> stage1),
    so a key met only in an ``if:`` branch not taken is not used."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.accessed: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.accessed.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.accessed.add(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.accessed.add(key)
        return super().get(key, default)


class Evaluator:
    """Evaluates one tree for one context, collecting errors instead of stopping."""

    def __init__(self, path: str, context: dict[str, Any]):
        self.path = path
        self.context = context
        self.errors: list[CflError] = []
        self.defined: set[str] = set()  # names the recipe's context: section defines
        self._jinja_globals = False

    def _templating(self) -> None:
        """Give the context Jinja's globals before the first template Jinja runs
        (``base_context`` leaves them out so that a recipe whose templates ``v1expr``
        evaluates never imports Jinja); names the recipe or variant already set win, as when
        the globals came first."""
        if self._jinja_globals:
            return
        from .. import templating

        for name, value in templating.ENV_V1.globals.items():
            self.context.setdefault(name, value)
        self._jinja_globals = True

    @property
    def accessed(self) -> set[str]:
        return self.context.accessed if isinstance(self.context, _Tracked) else set()

    def error(self, exc: Exception, line: int | None, what: str) -> None:
        import jinja2

        from .. import templating

        message = str(exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else exc)
        if isinstance(exc, jinja2.UndefinedError):
            name = templating.undefined_name(exc)
            self.errors.append(
                RecipeError(
                    f"undefined variable {name!r} in {what}",
                    Location(self.path, line),
                    hint=templating.misspelled_function([name], self.context)
                    or "define it under `context:`, add it to variants.yaml, or check the spelling",
                )
            )
        elif isinstance(exc, RecipeError):
            hint = exc.hint or "check the expression's syntax"
            self.errors.append(
                RecipeError(f"cannot evaluate {what}: {message}", Location(self.path, line), hint)
            )
        else:
            self.errors.append(templating.failure(exc, Location(self.path, line), what))

    def string(self, text: str, line: int | None) -> Any:
        if "${{" not in text:
            return text
        from .. import templating

        value = templating.fast_value(text, self.context)
        if value is not templating.FALLBACK:
            return value
        self._templating()
        try:
            return templating.render_value(text, self.context, fast=False)
        except (*templating.FAILURES, RecipeError) as exc:
            self.error(exc, line, f"`{text.strip()}`")
            return ""

    def condition(self, expr: Any, line: int | None) -> bool:
        if isinstance(expr, bool):
            return expr
        from .. import templating

        value = templating.fast_evaluate(str(expr), self.context)
        if value is not templating.FALLBACK:
            return bool(value)
        self._templating()
        try:
            return bool(templating.evaluate(str(expr), self.context, fast=False))
        except (*templating.FAILURES, RecipeError) as exc:
            self.error(exc, line, f"condition `if: {expr}`")
            return False

    def value(self, value: Any, line: int | None) -> Any:
        if isinstance(value, str):
            return self.string(value, line)
        if isinstance(value, dict):
            return self.mapping(value)
        if isinstance(value, list):
            return self.sequence(value, line)
        return value

    def mapping(self, value: dict[str, Any]) -> YDict:
        out = YDict()
        out.line = getattr(value, "line", 0)
        out.key_lines = dict(getattr(value, "key_lines", {}))
        for key, item in value.items():
            line = value.line_of(key) if isinstance(value, YDict) else None
            out[key] = self.script(item, line) if key == "script" else self.value(item, line)
        return out

    def script(self, value: Any, line: int | None) -> Any:
        """Scripts may hold `${{ }}` meant for build time: keep the text when it does not
        evaluate now (rattler-build keeps scripts unrendered)."""
        errors = self.errors
        self.errors = []
        try:
            result = self.value(value, line)
            return value if self.errors else result
        finally:
            self.errors = errors

    def sequence(self, value: list[Any], line: int | None) -> YList:
        out = YList()
        out.line = getattr(value, "line", line or 0)
        out.item_lines = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, YList) else line
            if isinstance(item, dict) and "if" in item:
                branch = (
                    item.get("then") if self.condition(item["if"], item_line) else item.get("else")
                )
                chosen = (
                    branch if isinstance(branch, list) else ([] if branch is None else [branch])
                )
                for sub in chosen:
                    out.append(self.value(sub, item_line))
                    out.item_lines.append(item_line or 0)
            else:
                out.append(self.value(item, item_line))
                out.item_lines.append(item_line or 0)
        return out


def base_context(
    variant: Mapping[str, Any], subdir: str, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    ctx: dict[str, Any] = {}  # templates run over ctx, shared; Jinja's globals come with the
    # first template (``Evaluator._templating``)
    ctx.update(platforms.namespace(subdir))
    ctx.update(match=v1_functions.match, env=v1_functions.Env(environ or {}))
    ctx["host_platform"] = subdir
    ctx["hash"] = HASH_MARK
    # rattler-build's `${{ PYTHON }}`: the build script's own variable, expanded by the shell
    ctx["PYTHON"] = "%PYTHON%" if subdir.startswith("win-") else "$PYTHON"
    ctx.update(variant)
    tracked = _Tracked(ctx)
    # compiler('c') reads c_compiler/_version from the variant: those reads count as uses
    reads = _Reads(variant, tracked.accessed)
    tracked.update(Functions(reads, subdir, v1=True).as_context())
    tracked.accessed.clear()
    return tracked


class _Reads(Mapping[str, Any]):
    """A read-only view of the variant that records the keys read into ``accessed``."""

    def __init__(self, variant: Mapping[str, Any], accessed: set[str]):
        self._variant, self._accessed = variant, accessed

    def __getitem__(self, key: str) -> Any:
        self._accessed.add(key)
        return self._variant[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._variant)

    def __len__(self) -> int:
        return len(self._variant)


def evaluate_context(ev: Evaluator, tree: Mapping[str, Any]) -> None:
    """``context:`` values in order; each may use the variant and earlier context values."""
    context = tree.get("context") or {}
    if not isinstance(context, dict):
        ev.errors.append(
            RecipeError(
                "context must be a mapping",
                Location(ev.path, line_of(tree, "context")),
                hint="write `context:` followed by indented `name: value` lines",
            )
        )
        return
    for key, value in context.items():
        line = context.line_of(key) if isinstance(context, YDict) else None
        ev.context[str(key)] = ev.value(value, line)
        ev.defined.add(str(key))
