"""Reading ``v1expr``'s expressions and templates: a hand-written scanner and a recursive
descent parser producing tuples (``("name", "x")``, ``("filter", ...)``, ...), and the names
each reads. Syntax it does not read as Jinja would raises ``Unsupported``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .v1values import FILTERS, TESTS, Unsupported

# --- tokens ------------------------------------------------------------------------------

# A hand-written scanner: compiling a token regex would cost more (~0.4 ms) than scanning the
# few dozen expressions a recipe holds. Tokens as Jinja's lexer makes them; what it would read
# otherwise (``1_000``, ``0x1f``, ``{``, non-ASCII names, ...) is left to it.
_DIGITS = frozenset("0123456789")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | _DIGITS
_AFTER_NUMBER = _NAME_CHARS | {"."}
_OPS2 = frozenset({"**", "//", "==", "!=", "<=", ">=", "}}"})
_OPS1 = frozenset("-+*/%~<>()[].,|:=")
_ESCAPES = frozenset("\\'\"abfnrtv01234567xuUN\n")
_END = ("end", None)
_TRIM_END = ("end", "-")  # a v0 tag closed by ``-}}`` / ``-%}``


def _digits(src: str, pos: int, n: int) -> int:
    while pos < n and src[pos] in _DIGITS:
        pos += 1
    return pos


def _string(src: str, pos: int) -> tuple[str, int]:
    """The string literal at ``pos`` (its quote) decoded as Jinja does, and the end."""
    quote, j = src[pos], pos + 1
    while True:
        end = src.find(quote, j)
        if end < 0:
            raise Unsupported("unclosed string")
        slash = src.find("\\", j, end)
        if slash < 0:
            break
        j = slash + 2
    body = src[pos + 1 : end]
    if "\r" in body:
        raise Unsupported("newline in string")  # Jinja normalises it
    if "\\" in body:
        i = body.find("\\")
        while i >= 0:
            if body[i + 1 : i + 2] not in _ESCAPES:
                raise Unsupported("escape")  # Python warns about it (and may someday fail)
            i = body.find("\\", i + 2)
    if "\\" in body or not body.isascii():
        try:
            body = body.encode("ascii", "backslashreplace").decode("unicode-escape")
        except UnicodeDecodeError as exc:
            raise Unsupported("escape") from exc
    return body, end + 1


def _tokenize(
    src: str, pos: int, template: bool, close: str = ""
) -> tuple[list[tuple[str, Any]], int]:
    """Tokens from ``pos`` to the end (or, in a template, to the closing ``}}``).

    ``close`` (``"}}"`` or ``"%}"``, for ``v0template``'s tags) ends the tokens at that
    delimiter, or at ``-`` right before it with ``_TRIM_END`` (Jinja's whitespace control)."""
    out: list[tuple[str, Any]] = []
    n = len(src)
    while True:
        while pos < n and src[pos].isspace():
            pos += 1
        if pos >= n:
            if template:
                raise Unsupported("unclosed")
            out.append(_END)
            return out, n
        c = src[pos]
        if close:  # Jinja tries the end of the tag first at every token
            if src.startswith(close, pos):
                out.append(_END)
                return out, pos + 2
            if c == "-" and src.startswith(close, pos + 1):
                out.append(_TRIM_END)
                return out, pos + 3
        if c in _NAME_START:
            end = pos + 1
            while end < n and src[end] in _NAME_CHARS:
                end += 1
            out.append(("name", src[pos:end]))
            pos = end
        elif c in _DIGITS:
            end = _digits(src, pos, n)
            is_float = False
            if src[end : end + 1] == "." and src[end + 1 : end + 2] in _DIGITS:
                end, is_float = _digits(src, end + 1, n), True
            if src[end : end + 1] in ("e", "E"):
                sign = 1 if src[end + 1 : end + 2] in ("+", "-") else 0
                if src[end + 1 + sign : end + 2 + sign] in _DIGITS:
                    end, is_float = _digits(src, end + 1 + sign, n), True
            if end < n and src[end] in _AFTER_NUMBER:
                raise Unsupported("number")
            text = src[pos:end]
            if is_float:
                out.append(("const", float(text)))
            elif len(text) > 1 and text[0] == "0" and text.strip("0"):
                raise Unsupported("number")
            else:
                out.append(("const", int(text)))
            pos = end
        elif c == "'" or c == '"':
            body, pos = _string(src, pos)
            out.append(("str", body))
        elif src[pos : pos + 2] in _OPS2:
            op = src[pos : pos + 2]
            if op == "}}":
                if not template or close or src[pos - 1] == "-":
                    raise Unsupported("whitespace control")
                out.append(_END)
                return out, pos + 2
            out.append(("op", op))
            pos += 2
        elif c in _OPS1:
            out.append(("op", c))
            pos += 1
        else:
            raise Unsupported("character")


# --- parser (Jinja's grammar and precedence) ---------------------------------------------

_CMP = {"==": "eq", "!=": "ne", "<": "lt", "<=": "lteq", ">": "gt", ">=": "gteq"}
_KEYWORD_CONST = {"true": True, "false": False, "True": True, "False": False,
                  "none": None, "None": None}  # fmt: skip
# names Jinja may treat specially in a template frame: left to Jinja
_SPECIAL_NAMES = frozenset({"loop", "caller", "self", "varargs", "kwargs", "super", "result"})


def _not_folded(left: tuple[Any, ...]) -> tuple[Any, ...]:
    """The left side of ``and``/``or`` (or an if-expression's test), if Jinja cannot fold
    it: it folds ``'' and x`` to ``''`` when it compiles, so ``x`` is then never looked up
    (nor reported as a name)."""
    if _constant(left):
        raise Unsupported("constant operand")
    return left


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]], v0: bool = False):
        self.tokens = tokens
        self.i = 0
        self.names: list[str] = []
        # meta.yaml's sandbox (``v0template``) orders values as Python does (no minijinja
        # cross-kind ordering) and formats strings with `%` (which minijinja does not)
        self.v0 = v0

    @property
    def cur(self) -> tuple[str, Any]:
        return self.tokens[self.i]

    def look(self) -> tuple[str, Any]:
        return self.tokens[min(self.i + 1, len(self.tokens) - 1)]

    def skip_op(self, op: str) -> bool:
        if self.tokens[self.i] == ("op", op):
            self.i += 1
            return True
        return False

    def skip_name(self, name: str) -> bool:
        if self.tokens[self.i] == ("name", name):
            self.i += 1
            return True
        return False

    def expect_op(self, op: str) -> None:
        if not self.skip_op(op):
            raise Unsupported("syntax")

    def expect_name(self) -> str:
        kind, value = self.cur
        if kind != "name":
            raise Unsupported("syntax")
        self.i += 1
        return str(value)

    def expression(self) -> tuple[Any, ...]:
        expr1 = self.or_()
        while self.skip_name("if"):
            test = _not_folded(self.or_())  # `x if false else 1` folds to 1 likewise
            expr3 = self.expression() if self.skip_name("else") else None
            expr1 = ("cond", test, expr1, expr3)
        return expr1

    def or_(self) -> tuple[Any, ...]:
        left = self.and_()
        while self.skip_name("or"):
            left = ("or", _not_folded(left), self.and_())
        return left

    def and_(self) -> tuple[Any, ...]:
        left = self.not_()
        while self.skip_name("and"):
            left = ("and", _not_folded(left), self.not_())
        return left

    def not_(self) -> tuple[Any, ...]:
        if self.skip_name("not"):
            return ("not", self.not_())
        return self.compare()

    def compare(self) -> tuple[Any, ...]:
        expr = self.math1()
        ops = []
        while True:
            kind, value = self.cur
            if kind == "op" and value in _CMP:
                self.i += 1
                ops.append(("cmp", _CMP[value], self.math1()))
            elif self.skip_name("in"):
                ops.append(("cmp", "in", self.math1()))
            elif self.cur == ("name", "not") and self.look() == ("name", "in"):
                self.i += 2
                ops.append(("cmp", "notin", self.math1()))
            else:
                break
        if not ops:
            return expr
        if len(ops) > 1:
            raise Unsupported("chained comparison")
        if self.v0 and ops[0][1] in ("lt", "lteq", "gt", "gteq"):
            return ("order", ops[0][1], expr, ops[0][2])
        return ("cmp", ops[0][1], expr, ops[0][2])

    def math1(self) -> tuple[Any, ...]:
        left = self.concat()
        while self.cur in (("op", "+"), ("op", "-")):
            op = self.cur[1]
            self.i += 1
            left = ("bin", op, left, self.concat())
        return left

    def concat(self) -> tuple[Any, ...]:
        args = [self.math2()]
        while self.skip_op("~"):
            args.append(self.math2())
        return args[0] if len(args) == 1 else ("concat", args)

    def math2(self) -> tuple[Any, ...]:
        left = self.pow()
        while self.cur in (("op", "*"), ("op", "/"), ("op", "//"), ("op", "%")):
            op = self.cur[1]
            self.i += 1
            left = ("bin", "v0%" if op == "%" and self.v0 else op, left, self.pow())
        return left

    def pow(self) -> tuple[Any, ...]:
        left = self.unary()
        while self.skip_op("**"):
            left = ("bin", "**", left, self.unary())
        return left

    def unary(self, with_filter: bool = True) -> tuple[Any, ...]:
        if self.skip_op("-"):
            node: tuple[Any, ...] = ("neg", self.unary(False))
        elif self.skip_op("+"):
            node = ("pos", self.unary(False))
        else:
            node = self.primary()
        node = self.postfix(node)
        if with_filter:
            node = self.filter_expr(node)
        return node

    def primary(self) -> tuple[Any, ...]:
        kind, value = self.cur
        self.i += 1
        if kind == "name":
            if value in _KEYWORD_CONST:
                return ("const", _KEYWORD_CONST[value])
            if value in _SPECIAL_NAMES:
                raise Unsupported("special name")
            self.names.append(value)
            return ("name", value)
        if kind == "str":
            parts = [value]
            while self.cur[0] == "str":
                parts.append(self.cur[1])
                self.i += 1
            return ("const", "".join(parts))
        if kind == "const":
            return ("const", value)
        if (kind, value) == ("op", "("):
            return self.paren()
        if (kind, value) == ("op", "["):
            items: list[tuple[Any, ...]] = []
            while self.cur != ("op", "]"):
                if items:
                    self.expect_op(",")
                    if self.cur == ("op", "]"):
                        break
                items.append(self.expression())
            self.i += 1
            return ("list", items)
        raise Unsupported("syntax")

    def paren(self) -> tuple[Any, ...]:
        items: list[tuple[Any, ...]] = []
        is_tuple = False
        while True:
            if items:
                self.expect_op(",")
            if self.cur == ("op", ")"):
                break
            items.append(self.expression())
            if self.cur == ("op", ","):
                is_tuple = True
            else:
                break
        self.expect_op(")")
        if not is_tuple and items:
            return items[0]
        return ("tuple", items)

    def postfix(self, node: tuple[Any, ...]) -> tuple[Any, ...]:
        while True:
            if self.skip_op("."):
                attr = self.expect_name()
                if attr.startswith("_"):
                    raise Unsupported("underscore attribute")
                node = ("attr", node, attr)
            elif self.skip_op("["):
                node = self.subscript(node)
            elif self.cur == ("op", "("):
                node = self.call(node)
            else:
                return node

    def subscript(self, node: tuple[Any, ...]) -> tuple[Any, ...]:
        parts: list[tuple[Any, ...] | None] = []
        is_slice = False
        while True:  # [a], [a:b], [a:b:c], with any part left out
            if self.cur in (("op", ":"), ("op", "]")):
                parts.append(None)
            else:
                parts.append(self.expression())
            if self.skip_op(":"):
                is_slice = True
                if len(parts) == 3:
                    raise Unsupported("syntax")
                continue
            break
        self.expect_op("]")
        if not is_slice:
            return ("item", node, parts[0])
        while len(parts) < 3:
            parts.append(None)
        return ("slice", node, *parts)

    def call_args(self) -> tuple[list[Any], dict[str, Any]]:
        self.expect_op("(")
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        while self.cur != ("op", ")"):
            if args or kwargs:
                self.expect_op(",")
                if self.cur == ("op", ")"):
                    break
            if self.cur[0] == "name" and self.look() == ("op", "="):
                key = self.cur[1]
                self.i += 2
                if key in kwargs:
                    raise Unsupported("repeated keyword")
                kwargs[key] = self.expression()
            elif kwargs or self.cur in (("op", "*"), ("op", "**")):
                raise Unsupported("syntax")
            else:
                args.append(self.expression())
        self.i += 1
        return args, kwargs

    def call(self, node: tuple[Any, ...]) -> tuple[Any, ...]:
        if node[0] not in ("name", "attr"):
            raise Unsupported("call of a computed value")
        args, kwargs = self.call_args()
        return ("call", node, args, kwargs)

    def filter_expr(self, node: tuple[Any, ...]) -> tuple[Any, ...]:
        while True:
            if self.skip_op("|"):
                name = self.expect_name()
                if name not in FILTERS or self.cur == ("op", "."):
                    raise Unsupported(f"filter {name}")
                args, kwargs = self.call_args() if self.cur == ("op", "(") else ([], {})
                node = ("filter", name, node, args, kwargs)
            elif self.skip_name("is"):
                negated = self.skip_name("not")
                name = self.expect_name()
                kind, value = self.cur
                if name not in TESTS or (kind, value) == ("op", "."):
                    raise Unsupported(f"test {name}")
                if kind in ("str", "const") or (kind, value) in (("op", "("), ("op", "[")):
                    raise Unsupported("test argument")
                if kind == "name" and value not in ("else", "or", "and"):
                    raise Unsupported("test argument")
                node = ("test", name, node)
                if negated:
                    node = ("not", node)
            elif self.cur == ("op", "("):
                node = self.call(node)
            else:
                return node


@lru_cache(maxsize=8192)
def _parse_expression(expr: str) -> tuple[Any, frozenset[str]] | None:
    """A bare expression (an ``if:`` condition): its tree and names, ``None`` if unsupported."""
    try:
        tokens, _ = _tokenize(expr, 0, template=False)
        parser = _Parser(tokens)
        tree = parser.expression()
        if parser.cur != _END:
            raise Unsupported("syntax")
    except (Unsupported, IndexError):
        return None
    return tree, frozenset(parser.names)


@lru_cache(maxsize=8192)
def _parse_template(text: str) -> tuple[tuple[Any, ...], frozenset[str], bool] | None:
    """Mixed text: literal pieces (str) and expression trees (tuples), its names, and whether
    ``names`` may answer for it; ``None`` if unsupported."""
    if "{%" in text or "{#" in text or "\r" in text:
        return None
    pieces: list[Any] = []
    names: set[str] = set()
    folds = True
    pos = 0
    try:
        while (start := text.find("${{", pos)) >= 0:
            if text[pos:start]:
                pieces.append(text[pos:start])
            if text[start + 3 : start + 4] in ("-", "+"):
                raise Unsupported("whitespace control")
            tokens, pos = _tokenize(text, start + 3, template=True)
            parser = _Parser(tokens)
            pieces.append(parser.expression())
            if parser.cur != _END:
                raise Unsupported("syntax")
            names.update(parser.names)
            folds &= not _folds_access(pieces[-1])
    except (Unsupported, IndexError):
        return None
    if text[pos:]:
        pieces.append(text[pos:])
    return tuple(pieces), frozenset(names), folds


def _subtrees(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return list(node.values())
    if isinstance(node, list):
        return node
    if isinstance(node, tuple) and node and node[0] != "const":
        return [part for part in node[1:] if isinstance(part, tuple | list | dict)]
    return []


def _constant(node: Any) -> bool:
    return not (isinstance(node, tuple) and node[:1] == ("name",)) and all(
        _constant(sub) for sub in _subtrees(node)
    )


def _folds_access(node: Any) -> bool:
    """Does the tree read an attribute, item, filter or test of a constant? Jinja folds
    those when it compiles the template, and a missing one (``true.k or 1``) fails right
    there: the name analysis leaves such templates to Jinja."""
    if isinstance(node, tuple) and node[:1] in (("attr",), ("item",), ("slice",)):
        if _constant(node[1]):
            return True
    elif isinstance(node, tuple) and node[:1] in (("filter",), ("test",)) and _constant(node[2]):
        return True
    return any(_folds_access(sub) for sub in _subtrees(node))


# --- evaluation --------------------------------------------------------------------------
