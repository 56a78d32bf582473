"""A small renderer for conda-build ``meta.yaml`` templates, without Jinja.

``render("{% set v = '1.2' %}version: {{ v }}\\n", {})`` -> ``"version: 1.2\\n"``. It knows
text, ``{{ expr }}``, ``{# comments #}``, ``{% set name = expr %}``, ``{% if %}`` /
``{% elif %}`` / ``{% else %}`` / ``{% endif %}``, ``{% for name in expr %}`` (or
``name, name``) over lists, tuples, strings and dicts, and the ``-`` whitespace control
markers, with expressions read and evaluated by ``v1expr`` (Python's ordering and ``%``
formatting, as the v0 sandbox has). Anything else (macros,
``{% raw %}``, ``loop``, a filter ``v1expr`` lacks, a missing name, any error, ...) gives
``FALLBACK``: ``templating`` then runs the Jinja sandbox (``_jinja.ENV_V0``: ``{{ }}``
delimiters, no trim_blocks / lstrip_blocks, keep_trailing_newline), whose output or error is
the reference. Checked differentially by ``tests/unit/test_v0template.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .v1expr import FALLBACK, _val
from .v1parse import _TRIM_END, _Parser, _tokenize
from .v1values import _UNDEF, GLOBAL_NAMES, Unsupported

ENABLED = True  # tests switch it off to get the Jinja path alone
STATS = {"fast": 0, "fallback": 0}
REASONS: dict[str, int] = {}  # why whole templates fell back (always counted: one per render)

# Names a `set` or `for` may not bind here: Jinja's constants, names it treats specially in a
# frame, and its statement keywords (left to Jinja whatever it makes of them).
_NOT_TARGETS = frozenset({
    "true", "false", "none", "True", "False", "None", "loop", "caller", "self", "varargs",
    "kwargs", "super", "if", "elif", "else", "endif", "for", "endfor", "in", "not", "and",
    "or", "is", "set", "endset", "recursive", "with", "without", "context", "import",
})  # fmt: skip
_OUTPUT_TYPES = (type(None), bool, int, float, str, list, tuple, dict)
# what a `for` may loop over here (a dict gives its keys, as in Python)
_ITERABLES: tuple[type, ...] = (
    list, tuple, str, dict, type({}.keys()), type({}.values()), type({}.items()),
)  # fmt: skip


def _expr(tokens: list[tuple[str, Any]], start: int, condexpr: bool) -> tuple[Any, frozenset[str]]:
    """The expression from ``tokens[start]`` to the end of the tag, and the names it reads.
    Without ``condexpr`` (an ``if`` test, a ``for`` iterable) a bare ``a if b else c`` is not
    an expression, as in Jinja's ``parse_tuple(with_condexpr=False)``."""
    parser = _Parser(tokens, v0=True)
    parser.i = start
    tree = parser.expression() if condexpr else parser.or_()
    if parser.cur[0] != "end":
        raise Unsupported("syntax")
    return tree, frozenset(parser.names)


def _target(tokens: list[tuple[str, Any]], i: int) -> str:
    kind, value = tokens[i]
    if kind != "name" or value in _NOT_TARGETS:
        raise Unsupported("target")
    return str(value)


def _lex(text: str) -> list[tuple[Any, ...]]:
    """Jinja's lexer with the default delimiters: ``("data", text)`` (whitespace control
    applied), ``("out", tokens)`` and ``("block", tokens)``; comments dropped."""
    items: list[tuple[Any, ...]] = []
    pos = 0
    lstrip = False  # the previous tag ended with `-`: strip the whitespace that follows it
    while True:
        start = text.find("{", pos)
        while start >= 0 and text[start + 1 : start + 2] not in ("{", "%", "#"):
            start = text.find("{", start + 1)
        data = text[pos:] if start < 0 else text[pos:start]
        sign = "" if start < 0 else text[start + 2 : start + 3]
        if sign == "+":
            raise Unsupported("+ whitespace control")
        if lstrip:
            data = data.lstrip()
        if sign == "-":
            data = data.rstrip()
        if data:
            items.append(("data", data))
        if start < 0:
            return items
        kind = text[start + 1]
        begin = start + 2 + (sign == "-")
        if kind == "#":
            end = text.find("#}", begin)
            if end < 0:
                raise Unsupported("unclosed comment")
            if end > begin and text[end - 1] == "+":
                raise Unsupported("+ whitespace control")
            lstrip = end > begin and text[end - 1] == "-"
            pos = end + 2
            continue
        tokens, pos = _tokenize(text, begin, template=True, close="}}" if kind == "{" else "%}")
        lstrip = tokens[-1] == _TRIM_END
        items.append(("out" if kind == "{" else "block", tokens))


class _Items:
    def __init__(self, items: list[tuple[Any, ...]]):
        self.items = items
        self.i = 0

    def body(self, ends: tuple[str, ...]) -> tuple[list[tuple[Any, ...]], str, list[Any]]:
        """Nodes up to a block whose keyword is in ``ends``: (nodes, keyword, its tokens)."""
        nodes: list[tuple[Any, ...]] = []
        while self.i < len(self.items):
            item = self.items[self.i]
            self.i += 1
            if item[0] == "data":
                nodes.append(("text", item[1]))
                continue
            tokens = item[1]
            if item[0] == "out":
                nodes.append(("out", *_expr(tokens, 0, condexpr=True)))
                continue
            keyword = tokens[0][1] if tokens[0][0] == "name" else None
            if keyword in ends:
                return nodes, str(keyword), tokens
            if keyword == "set":
                name = _target(tokens, 1)
                if tokens[2] != ("op", "="):
                    raise Unsupported("set block")
                nodes.append(("set", name, *_expr(tokens, 3, condexpr=True)))
            elif keyword == "if":
                nodes.append(self.if_(tokens))
            elif keyword == "for":
                names, i = [_target(tokens, 1)], 2
                while tokens[i] == ("op", ",") and tokens[i + 1][0] == "name":
                    names.append(_target(tokens, i + 1))  # `for k, v in ...`
                    i += 2
                if tokens[i] != ("name", "in") or len(set(names)) < len(names):
                    raise Unsupported("for target")
                iterable = _expr(tokens, i + 1, condexpr=False)
                inner, _, end_tokens = self.body(("endfor",))
                if end_tokens[1][0] != "end":
                    raise Unsupported("syntax")
                target = names[0] if len(names) == 1 else tuple(names)
                nodes.append(("for", target, *iterable, inner))
            else:
                raise Unsupported(f"statement {keyword}")
        if ends:
            raise Unsupported("unclosed block")
        return nodes, "", []

    def if_(self, tokens: list[Any]) -> tuple[Any, ...]:
        branches = []
        test = _expr(tokens, 1, condexpr=False)
        while True:
            inner, end, end_tokens = self.body(("elif", "else", "endif"))
            branches.append((*test, inner))
            if end == "elif":
                test = _expr(end_tokens, 1, condexpr=False)
                continue
            if end_tokens[1][0] != "end":
                raise Unsupported("syntax")
            otherwise = None
            if end == "else":
                otherwise, _, end_tokens = self.body(("endif",))
                if end_tokens[1][0] != "end":
                    raise Unsupported("syntax")
            return ("if", branches, otherwise)


class _Symbols:
    """Jinja's compile-time symbols of one frame (the template, or one loop's body), as its
    ``idtracking`` (Jinja 3.1) finds them: how each name the frame reads or sets starts out,
    ``resolve`` (from the context), ``alias`` (the enclosing frame's), ``undefined`` (set
    later in the frame, so missing until then, even when the context has it) or ``param``
    (a loop target)."""

    def __init__(self, parent: _Symbols | None = None):
        self.parent = parent
        self.loads: dict[str, str] = {}
        self.stores: set[str] = set()

    def find_ref(self, name: str) -> _Symbols | None:
        symbols: _Symbols | None = self
        while symbols is not None and name not in symbols.loads:
            symbols = symbols.parent
        return symbols

    def load(self, name: str) -> None:
        if self.find_ref(name) is None:
            self.loads[name] = "resolve"

    def store(self, name: str) -> None:
        self.stores.add(name)
        if name not in self.loads:
            outer = self.parent is not None and self.parent.find_ref(name) is not None
            self.loads[name] = "alias" if outer else "undefined"

    def copy(self) -> _Symbols:
        new = _Symbols(self.parent)
        new.loads = dict(self.loads)
        new.stores = set(self.stores)
        return new

    def branch_update(self, branches: list[_Symbols]) -> None:
        new = set().union(*(branch.stores for branch in branches)) - self.stores
        for branch in branches:
            self.loads.update(branch.loads)
            self.stores.update(branch.stores)
        for name in new:  # set in a branch: starts as before it (Jinja 3.1's rule)
            outer = self.parent is not None and self.parent.find_ref(name) is not None
            self.loads[name] = "alias" if outer else "resolve"

    def visit(self, nodes: list[tuple[Any, ...]]) -> None:
        for node in nodes:
            kind = node[0]
            if kind == "out":
                for name in node[2]:
                    self.load(name)
            elif kind == "set":
                for name in node[3]:
                    self.load(name)
                self.store(node[1])
            elif kind == "if":
                self.visit_if(node[1], node[2] or [])
            elif kind == "for":
                for name in node[3]:
                    self.load(name)  # only the iterable: the body is the loop's own frame

    def visit_if(self, branches: list[Any], otherwise: list[tuple[Any, ...]]) -> None:
        """Jinja's ``visit_If``: the test, then body, elifs (nested ``If`` nodes without an
        else, all in one branch) and else, each from a copy of the symbols."""
        for name in branches[0][1]:
            self.load(name)
        body, elifs, other = self.copy(), self.copy(), self.copy()
        body.visit(branches[0][2])
        if len(branches) > 1:
            for _, names, nodes in branches[1:]:
                elifs.visit_if([(None, names, nodes)], [])
        other.visit(otherwise)
        self.branch_update([body, elifs, other])


def _analyze(nodes: list[tuple[Any, ...]], symbols: _Symbols) -> list[tuple[Any, ...]]:
    """The nodes of one frame, each loop given its own frame's symbols (analysed once the
    enclosing frame's are complete, as Jinja does when it compiles the loop)."""
    symbols.visit(nodes)
    return _attach(nodes, symbols)


def _attach(nodes: list[tuple[Any, ...]], symbols: _Symbols) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for node in nodes:
        if node[0] == "if":
            branches = [(test, names, _attach(body, symbols)) for test, names, body in node[1]]
            node = ("if", branches, None if node[2] is None else _attach(node[2], symbols))
        elif node[0] == "for":
            inner = _Symbols(symbols)
            for name in [node[1]] if isinstance(node[1], str) else node[1]:
                inner.stores.add(name)
                inner.loads[name] = "param"
            node = (*node[:4], _analyze(node[4], inner), inner)
        out.append(node)
    return out


@lru_cache(maxsize=1024)
def _parse(text: str) -> tuple[list[tuple[Any, ...]], _Symbols] | str:
    """The template's nodes and its frame's symbols, or why it is left to Jinja."""
    if "\r" in text:
        return "carriage return"  # Jinja normalises newlines
    try:
        nodes, _, _ = _Items(_lex(text)).body(())
        root = _Symbols()
        return _analyze(nodes, root), root
    except (Unsupported, IndexError) as exc:
        return str(exc) or type(exc).__name__


_Frames = list[tuple[_Symbols, dict[str, Any]]]


def _enter(symbols: _Symbols, frames: _Frames, ctx: Any) -> dict[str, Any]:
    """A frame's starting values, as Jinja's ``enter_frame`` sets them."""
    slots: dict[str, Any] = {}
    for name, how in symbols.loads.items():
        if how == "resolve":
            slots[name] = value = ctx.get(name, _UNDEF)
            if value is _UNDEF and name in GLOBAL_NAMES:
                raise Unsupported("Jinja global")  # not in the context: Jinja provides it
        elif how == "alias":
            slots[name] = _lookup(frames, name)
        elif how == "undefined":
            slots[name] = _UNDEF
    return slots


def _lookup(frames: _Frames, name: str) -> Any:
    for symbols, slots in reversed(frames):
        if name in symbols.loads:
            return slots.get(name, _UNDEF)
    raise Unsupported("unknown name")  # cannot happen: every name read has a frame


def _value(tree: Any, names: frozenset[str], frames: _Frames) -> Any:
    return _val(tree, {name: _lookup(frames, name) for name in names})


def _run(nodes: list[tuple[Any, ...]], frames: _Frames, ctx: Any, out: list[str]) -> None:
    for node in nodes:
        kind = node[0]
        if kind == "text":
            out.append(node[1])
        elif kind == "out":
            value = _value(node[1], node[2], frames)
            if not isinstance(value, _OUTPUT_TYPES):
                raise Unsupported("output type")
            out.append(str(value))
        elif kind == "set":
            frames[-1][1][node[1]] = _value(node[2], node[3], frames)
        elif kind == "if":
            for test, names, body in node[1]:
                if _value(test, names, frames):
                    _run(body, frames, ctx, out)
                    break
            else:
                if node[2] is not None:
                    _run(node[2], frames, ctx, out)
        else:  # for
            items: Iterable[Any] = _value(node[2], node[3], frames)
            if not isinstance(items, _ITERABLES):
                raise Unsupported("loop over a non-sequence")
            target, symbols = node[1], node[5]
            for item in items:
                if isinstance(target, str):
                    params = {target: item}
                elif isinstance(item, list | tuple | str) and len(item) == len(target):
                    params = dict(zip(target, item, strict=True))
                else:
                    raise Unsupported("unpacking")
                slots = _enter(symbols, frames, ctx)
                slots.update(params)
                frames.append((symbols, slots))
                _run(node[4], frames, ctx, out)
                frames.pop()


def _fell_back(reason: str) -> Any:
    STATS["fallback"] += 1
    REASONS[reason] = REASONS.get(reason, 0) + 1
    return FALLBACK


def render(text: str, context: Any) -> Any:
    """The template rendered with ``context`` (a mapping), or ``FALLBACK``."""
    if not ENABLED:
        return FALLBACK
    parsed = _parse(text)
    if isinstance(parsed, str):
        return _fell_back(f"parse: {parsed}")
    nodes, symbols = parsed
    out: list[str] = []
    try:
        frames: _Frames = []
        frames.append((symbols, _enter(symbols, frames, context)))
        _run(nodes, frames, context, out)
    except Exception as exc:  # noqa: BLE001 -- any failure: Jinja decides and reports it
        return _fell_back(str(exc) if isinstance(exc, Unsupported) else type(exc).__name__)
    STATS["fast"] += 1
    return "".join(out)
