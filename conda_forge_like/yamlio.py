"""YAML loading that remembers line numbers, so every later error can name ``file:line``.

``load(text, "meta.yaml")`` -> ``YDict`` (a dict with ``.line`` and ``.key_lines``); lists are
``YList`` with ``.item_lines``. Numbers stay strings (as conda-build's ``StringifyNumbersLoader``
and rattler-build's marked YAML keep them): ``version: 1.10`` must not become ``1.1``.

``yamlscan`` loads the plain YAML recipes use, much faster than importing PyYAML; whatever it
does not handle (and every error) goes to PyYAML, which is imported only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import yamlscan
from .errors import Location, RecipeError

if TYPE_CHECKING:
    import yaml


class YDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.key_lines = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.item_lines = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _mapping(loader: Any, node: yaml.MappingNode) -> YDict:
    result = YDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            import yaml

            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain scalars", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: Any, node: yaml.SequenceNode) -> YList:
    result = YList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _SafeInt(loader: Any, node: yaml.ScalarNode) -> Any:
    # a checksum such as 000...0 or a version part such as 007 keeps its text
    return yamlscan.safe_int(str(loader.construct_scalar(node)))


def _number_as_text(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


_loaders: tuple[Any, Any] | None = None


def _pyyaml_loaders() -> tuple[Any, Any]:
    """PyYAML's loaders with cfl's constructors, made on first use (importing yaml is slow)."""
    global _loaders
    if _loaders is None:
        import yaml

        base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class _LineLoader(base):  # type: ignore[misc]
            pass

        class _V1Loader(_LineLoader):
            """rattler-build's typing: integers are numbers, floats keep their text (``3.10``)."""

        _LineLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
        _LineLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)
        _LineLoader.add_constructor("tag:yaml.org,2002:int", _number_as_text)
        _LineLoader.add_constructor("tag:yaml.org,2002:float", _number_as_text)
        _V1Loader.add_constructor("tag:yaml.org,2002:int", _SafeInt)
        _loaders = (_LineLoader, _V1Loader)
    return _loaders


def load(text: str, filename: str, line_offset: int = 0, numbers: str = "str") -> Any:
    """Parse YAML, turning a syntax error into a ``RecipeError`` at the right line.

    ``numbers="str"`` keeps every number as text (conda-build); ``"v1"`` makes integers ints.
    """
    try:
        return yamlscan.load(text, numbers == "v1", YDict, YList)
    except Exception:  # noqa: BLE001 - whatever the fast loader does not handle, PyYAML does
        return _load_pyyaml(text, filename, line_offset, numbers)


def _load_pyyaml(text: str, filename: str, line_offset: int = 0, numbers: str = "str") -> Any:
    """``load`` through PyYAML: every document the fast loader leaves, and every error."""
    import yaml

    line_loader, v1_loader = _pyyaml_loaders()
    loader = v1_loader if numbers == "v1" else line_loader
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are SafeLoaders
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, filename, line_offset) from exc
    except yaml.YAMLError as exc:
        raise RecipeError(f"invalid YAML: {exc}", Location(filename)) from exc


def _syntax_error(exc: yaml.MarkedYAMLError, filename: str, line_offset: int) -> RecipeError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    context = f" ({exc.context})" if exc.context else ""
    hint = (
        "check the indentation and quoting on this line; a value starting with "
        "'{' or containing ': ' must be quoted"
    )
    opened = exc.context_mark
    if exc.context and "flow" in exc.context and opened is not None and mark is not None:
        # An unclosed [ or { is only noticed lines later: point at where it was opened.
        context = f" ({exc.context} opened here, still open on line {mark.line + 1 + line_offset})"
        mark = opened
        hint = "close the [ or { opened on this line, or quote the value"
    line = mark.line + 1 + line_offset if mark else None
    return RecipeError(f"invalid YAML: {problem}{context}", Location(filename, line), hint=hint)


def key_line(mapping: Any, key: str) -> int | None:
    """The line of ``key`` in a loaded mapping; ``None`` when it is not there (or not loaded)."""
    return mapping.key_lines.get(key) if isinstance(mapping, YDict) else None


def line_of(container: Any, key: Any) -> int | None:
    """The line of ``key`` in a loaded mapping or sequence; ``None`` for plain containers."""
    if isinstance(container, (YDict, YList)):
        return container.line_of(key)
    return None
