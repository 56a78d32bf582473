"""The type of every recipe key both formats read: a mapping, a list or a single value.

Pure. ``check(tree, V0_SHAPES, "meta.yaml")`` -> ``[RecipeError, ...]`` (empty when fine):
``requirements: {host: "zlib >=1.2"}`` gives "requirements/host must be a list" at its line
instead of a package that depends on ``z``, ``l``, ``i``, ``b``. Keys the table does not name
are not checked here (``schema.check_keys`` reports unknown ones). In a recipe.yaml a
``${{ }}`` string may stand for any type, and list items may be ``if/then/else`` mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..errors import CflError, Location, RecipeError
from ..records import dataclass, field
from ..yamlio import YDict, YList

Kind = Literal["mapping", "list", "value", "value or list", "list or mapping", "value or mapping"]
_EXAMPLES: dict[str, str] = {
    "mapping": "indented `key: value` lines",
    "list": "one `- item` per line",
    "value": "a single value such as `1.2.3`",
    "value or list": "a single value or `- item` lines",
    "list or mapping": "`- item` lines or indented `key: value` lines",
    "value or mapping": "a single value or indented `key: value` lines",
}


@dataclass(frozen=True)
class Shape:
    kind: Kind
    keys: Mapping[str, Shape] = field(default_factory=dict)  # of a mapping
    items: Shape | None = None  # of a list


VALUE = Shape("value")
STRINGS = Shape("list", items=VALUE)
STRINGS_OR_ONE = Shape("value or list", items=VALUE)
RUN_EXPORTS = Shape(
    "list or mapping",
    dict.fromkeys(("weak", "strong", "noarch", "weak_constrains", "strong_constrains"), STRINGS),
    VALUE,
)


def _fits(value: Any, kind: Kind) -> bool:
    is_map, is_list = isinstance(value, dict), isinstance(value, list)
    return {
        "mapping": is_map,
        "list": is_list,
        "value": not (is_map or is_list),
        "value or list": not is_map,
        "list or mapping": is_map or is_list,
        "value or mapping": not is_list,
    }[kind]


@dataclass(frozen=True)
class _Walk:
    filename: str
    v1: bool

    def check(self, value: Any, shape: Shape, path: str, line: int | None) -> list[CflError]:
        if value is None:
            return []
        if self.v1 and isinstance(value, str) and "${{" in value:
            return []  # a template: its type is known only once evaluated
        if not _fits(value, shape.kind):
            return [_error(path, shape.kind, value, Location(self.filename, line or None))]
        if isinstance(value, dict):
            return self._mapping(value, shape, path)
        if isinstance(value, list) and shape.items is not None:
            return self._items(value, shape.items, path, line)
        return []

    def _mapping(self, value: dict[Any, Any], shape: Shape, path: str) -> list[CflError]:
        errors: list[CflError] = []
        for key, sub in shape.keys.items():
            if key in value:
                line = value.line_of(key) if isinstance(value, YDict) else None
                errors += self.check(value[key], sub, f"{path}/{key}" if path else key, line)
        return errors

    def _items(self, value: list[Any], shape: Shape, path: str, line: int | None) -> list[CflError]:
        errors: list[CflError] = []
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, YList) else line
            if self.v1 and isinstance(item, dict) and "if" in item and shape.kind != "mapping":
                branch = Shape("value or list", items=shape)
                for key in ("then", "else"):
                    errors += self.check(item.get(key), branch, f"{path}[{index}]/{key}", item_line)
            else:
                errors += self.check(item, shape, f"{path}[{index}]", item_line)
        return errors


def _error(path: str, kind: Kind, value: Any, where: Location) -> RecipeError:
    got = "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, list) else (
        f"the value {str(value)[:40]!r}"
    )  # fmt: skip
    article = "an" if kind[0] in "aeiou" else "a"
    return RecipeError(
        f"{path or 'the recipe'} must be {article} {kind}, got {got}",
        where,
        hint=f"write {_EXAMPLES[kind]}",
    )


def check(tree: Any, shape: Shape, filename: str, v1: bool = False) -> list[CflError]:
    """Every value in ``tree`` whose type does not fit ``shape``."""
    line = tree.line if isinstance(tree, YDict) else None
    return _Walk(filename, v1).check(tree, shape, "", line)


def _v0_build() -> Shape:
    keys = dict.fromkeys(("number", "string", "noarch", "skip", "merge_build_host"), VALUE)
    lists = (
        "features", "track_features", "ignore_run_exports", "ignore_run_exports_from",
        "entry_points", "always_include_files", "rpaths", "missing_dso_whitelist",
    )  # fmt: skip
    keys |= dict.fromkeys(lists, STRINGS)
    keys |= dict.fromkeys(("script", "force_use_keys", "force_ignore_keys"), STRINGS_OR_ONE)
    keys["run_exports"] = RUN_EXPORTS
    keys["script_env"] = Shape("list or mapping")
    return Shape("mapping", keys)


_V0_REQUIREMENTS = dict.fromkeys(
    ("build", "host", "run", "run_constrained", "run_constraints"), STRINGS
)
_V0_TEST = Shape(
    "mapping",
    {
        **dict.fromkeys(("requires", "commands", "files", "source_files", "imports"), STRINGS),
        "downstreams": STRINGS,
        "script": VALUE,
    },
)
_V0_OUTPUT = Shape(
    "mapping",
    {
        "name": VALUE,
        "version": VALUE,
        "script": STRINGS_OR_ONE,
        "build": _v0_build(),
        "requirements": Shape("list or mapping", _V0_REQUIREMENTS, VALUE),
        "test": _V0_TEST,
        "about": Shape("mapping"),
        "files": STRINGS,
        "run_exports": RUN_EXPORTS,
        "extra": Shape("mapping"),
    },
)
V0_SHAPES = Shape(
    "mapping",
    {
        "package": Shape("mapping", {"name": VALUE, "version": VALUE}),
        "source": Shape("list or mapping", items=Shape("mapping")),
        "build": _v0_build(),
        "requirements": Shape("mapping", _V0_REQUIREMENTS),
        "test": _V0_TEST,
        "outputs": Shape("list", items=_V0_OUTPUT),
        "about": Shape("mapping"),
        "extra": Shape("mapping"),
    },
)

_V1_BUILD = Shape(
    "mapping",
    {
        **dict.fromkeys(("number", "string", "noarch", "merge_build_and_host_envs"), VALUE),
        "skip": STRINGS_OR_ONE,
        "variant": Shape("mapping", {"use_keys": STRINGS, "ignore_keys": STRINGS}),
        "files": Shape("list or mapping"),
        "always_copy_files": STRINGS,
        "always_include_files": STRINGS,
        **{k: Shape("mapping") for k in ("python", "dynamic_linking", "prefix_detection")},
    },
)
_V1_REQUIREMENTS = Shape(
    "mapping",
    {
        **dict.fromkeys(("build", "host", "run", "run_constraints"), STRINGS),
        "run_exports": RUN_EXPORTS,
        "ignore_run_exports": Shape("mapping", {"by_name": STRINGS, "from_package": STRINGS}),
    },
)
_V1_PACKAGE = Shape("mapping", {"name": VALUE, "version": VALUE})
_V1_COMMON = {
    "source": Shape("list or mapping", items=Shape("mapping")),
    "build": _V1_BUILD,
    "requirements": _V1_REQUIREMENTS,
    "tests": Shape("list", items=Shape("mapping")),
    "about": Shape("mapping"),
    "extra": Shape("mapping"),
}
V1_OUTPUT_SHAPES = Shape(
    "mapping",
    {
        "package": _V1_PACKAGE,
        "staging": Shape("mapping", {"name": VALUE}),
        "inherit": Shape("value or mapping"),
        **_V1_COMMON,
    },
)
V1_SHAPES = Shape(
    "mapping",
    {
        "schema_version": VALUE,
        "context": Shape("mapping"),
        "package": _V1_PACKAGE,
        "recipe": _V1_PACKAGE,
        "outputs": Shape("list", items=V1_OUTPUT_SHAPES),
        "cache": Shape("mapping"),
        **_V1_COMMON,
    },
)
