"""recipe.yaml (rattler-build, v1) static analysis: which variables each output can use.

Pure. ``analyze(tree)`` -> ``Analysis(top=Usage(...), outputs={"libfoo": Usage(...)})``. A
variable counts as used (rattler-build's rules) when a ``${{ }}`` template or an ``if:``
condition anywhere in the section names it, when a build/host requirement is exactly that bare
name, when ``compiler('c')``/``stdlib('c')`` implies ``c_compiler``/``c_stdlib`` (+ ``_version``),
or when ``build: variant: use_keys`` lists it. ``$key`` in a script does not count for v1.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import lazy
from ..errors import RecipeError
from ..records import dataclass, field

_FUNC_RE = lazy.regex(r"\b(compiler|stdlib)\(\s*['\"]([\w+-]+)['\"]")
_EXACT_PIN_RE = lazy.regex(r"pin_subpackage\(\s*['\"]([\w.+-]+)['\"][^)]*exact\s*=\s*(?:true|True)")
_NAME_RE = lazy.regex(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")


@dataclass
class Usage:
    """What one section of a recipe refers to."""

    names: set[str] = field(default_factory=set)  # template/condition variables
    bare: set[str] = field(default_factory=set)  # bare build/host requirement names
    exact_pins: set[str] = field(default_factory=set)  # pin_subpackage(..., exact=True)
    use_keys: set[str] = field(default_factory=set)
    ignore_keys: set[str] = field(default_factory=set)

    def merged(self, other: Usage) -> Usage:
        return Usage(
            self.names | other.names,
            self.bare | other.bare,
            self.exact_pins | other.exact_pins,
            self.use_keys | other.use_keys,
            self.ignore_keys | other.ignore_keys,
        )

    def variables(self, keys: set[str]) -> set[str]:
        """The variant keys (from ``keys``) this usage refers to."""
        # A bare `libfoo-bar` uses the key `libfoo_bar`: rattler-build reads `-` in variant
        # keys as `_`.
        bare = {b for b in self.bare if b in keys} | {b.replace("-", "_") for b in self.bare}
        used = (self.names | self.use_keys | bare) & keys
        return used - self.ignore_keys


@dataclass
class Analysis:
    top: Usage
    outputs: list[Usage]
    staging: dict[str, Usage]


def _templates(value: Any) -> Iterator[str]:
    """Every template string and ``if:`` condition inside a value, recursively."""
    if isinstance(value, str):
        if "${{" in value:
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "if" and isinstance(item, str):
                yield "${{ " + item + " }}"
            elif key == "skip":  # build.skip: a condition or a list of them
                yield from (
                    c if "${{" in c else "${{ " + c + " }}"
                    for c in _as_list(item)
                    if isinstance(c, str)
                )
            else:
                yield from _templates(item)
    elif isinstance(value, list):
        for item in value:
            yield from _templates(item)


def _bare_names(items: Any) -> Iterator[str]:
    """Bare requirement names in a build/host list, through if/then/else items."""
    if isinstance(items, list):
        for item in items:
            if isinstance(item, str) and _NAME_RE.match(item.strip()) and "${{" not in item:
                yield item.strip().lower()
            elif isinstance(item, dict) and "if" in item:
                yield from _bare_names(_as_list(item.get("then")))
                yield from _bare_names(_as_list(item.get("else")))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def usage_of(section: Any) -> Usage:
    usage = Usage()
    for text in _templates(section):
        # Imported late: a recipe without any `${{ }}` or `if:` needs no templating.
        from .. import templating

        try:
            usage.names |= templating.template_names(text)
        except RecipeError:
            continue  # a syntax error: reported with its line when the recipe is rendered
        for func, lang in _FUNC_RE.findall(text):
            key = "compiler" if func == "compiler" else "stdlib"
            usage.names |= {f"{lang}_{key}", f"{lang}_{key}_version"}
        usage.exact_pins |= set(_EXACT_PIN_RE.findall(text))
    if isinstance(section, dict):
        reqs = section.get("requirements")
        if isinstance(reqs, dict):
            for env in ("build", "host"):
                usage.bare |= set(_bare_names(reqs.get(env)))
        variant = (
            (section.get("build") or {}).get("variant")
            if isinstance(section.get("build"), dict)
            else None
        )
        if isinstance(variant, dict):
            usage.use_keys |= {str(k) for k in _as_list(variant.get("use_keys"))}
            usage.ignore_keys |= {str(k) for k in _as_list(variant.get("ignore_keys"))}
    return usage


def analyze(tree: dict[str, Any]) -> Analysis:
    top = usage_of({k: v for k, v in tree.items() if k != "outputs"})
    outputs: list[Usage] = []
    staging: dict[str, Usage] = {}
    for item in _as_list(tree.get("outputs")):
        if isinstance(item, dict) and isinstance(item.get("staging"), dict):
            staging[str(item["staging"].get("name", ""))] = usage_of(item)
        else:
            outputs.append(usage_of(item))
    return Analysis(top, outputs, staging)
