"""A small, fast loader for the plain YAML that recipes and variant files use.

``load(text, v1, dict_class, list_class)`` returns what ``yamlio``'s PyYAML path returns for
the same text: block mappings and sequences (also the indentless and compact forms), plain,
quoted and block scalars, flow collections, comments, and the YAML 1.1 plain-scalar typing
PyYAML's SafeLoader applies (null, bool, int; floats and, with ``v1`` false, ints stay text).
Anything else (anchors, aliases, tags, directives, explicit keys, several documents, tabs,
timestamps, merge keys, odd indentation, every syntax error, anything doubtful) raises
``Unsupported``: the caller then lets PyYAML load the text, with its usual error messages.
A wrong result would be a bug; a fallback only costs time, so doubtful cases fall back.
"""

from __future__ import annotations

from . import lazy
from .yamlscalars import Unsupported, _Scalars, safe_int

TYPE_CHECKING = False  # importing typing costs more than this whole module

if TYPE_CHECKING:
    from typing import Any

__all__ = ["Unsupported", "load", "safe_int"]

_NOT_ASCII_TEXT = lazy.regex("[^\n -~]")  # a class reaching past ASCII takes ms to compile
_NOT_PLAIN = set("?:,[]{}#&*!|>'\"%@`")
_FLOW_END = set(",[]{}")


def load(text: str, v1: bool, dict_class: type[Any], list_class: type[Any]) -> Any:
    """The loaded document; ``Unsupported`` when PyYAML has to do it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            raise Unsupported("a lone carriage return")
    if "\t" in text:
        raise Unsupported("a tab")
    if _NOT_ASCII_TEXT.search(text) and not all(map(_printable, set(text))):
        raise Unsupported("a special character")
    return _Parser(text, v1, dict_class, list_class).document()


class _Parser(_Scalars):
    def __init__(self, text: str, v1: bool, dict_class: type[Any], list_class: type[Any]):
        self.lines = lines = text.split("\n")
        self.n = len(lines)
        self.v1 = v1
        self.dict_class = dict_class
        self.list_class = list_class
        ind = []
        markers = []
        for i, line in enumerate(lines):
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                ind.append(-1)
            else:
                ind.append(len(line) - len(stripped))
            if line[:3] in ("---", "...") and (len(line) == 3 or line[3] == " "):
                markers.append(i)
        self.ind = ind
        self.markers = markers

    # --- helpers --------------------------------------------------------------------------

    def skip(self, li: int) -> int:
        ind, n = self.ind, self.n
        while li < n and ind[li] < 0:
            li += 1
        return li

    # --- documents and block nodes ----------------------------------------------------------

    def document(self) -> Any:
        li = self.skip(0)
        n = self.n
        markers = self.markers
        if li < n and markers and markers[0] == li and self.lines[li].startswith("---"):
            self.rest_is_empty(self.lines[li], 3)
            markers = markers[1:]
            li = self.skip(li + 1)
        end = n
        if markers:
            last = markers[-1]
            if len(markers) > 1 or not self.lines[last].startswith("..."):
                raise Unsupported("several documents or a document marker")
            self.rest_is_empty(self.lines[last], 3)
            if self.skip(last + 1) < n:
                raise Unsupported("text after the document end")
            end = last
        if li >= end:
            return None
        self.n = end
        value, li = self.block(li, self.ind[li], -1, True)
        if self.skip(li) < end:
            raise Unsupported("text after the top-level node")
        return value

    def block(self, li: int, col: int, parent: int, key_ok: bool) -> tuple[Any, int]:
        """The node whose first character is at (li, col) in a collection indented ``parent``."""
        line = self.lines[li]
        ch = line[col]
        nxt = line[col + 1 : col + 2]
        if ch == "-" and nxt in ("", " "):
            if not key_ok:
                raise Unsupported("a sequence entry after a key")
            return self.sequence(li, col)
        if ch in "[{":
            value, li2, end = self.flow(li, col, parent)
            line2 = self.lines[li2]
            if line2[end:].lstrip(" ").startswith(":"):
                raise Unsupported("a flow collection as a key")
            self.rest_is_empty(line2, end)
            return value, li2 + 1
        if ch in "'\"":
            if key_ok and self.key(li, col) is not None:
                return self.mapping(li, col)
            text, li2, end = self.quoted(li, col, parent)
            self.rest_is_empty(self.lines[li2], end)
            return text, li2 + 1
        if ch in "|>":
            if parent < 0:
                raise Unsupported("a top-level block scalar")
            return self.block_scalar(li, col, parent)
        if ch in _NOT_PLAIN or (ch == "-" and nxt == " "):
            raise Unsupported(f"a node starting with {ch!r}")
        colon = line.find(": ", col)
        if colon < 0 and line.endswith(":"):
            colon = len(line) - 1
        hash_ = line.find(" #", col)
        if colon >= 0 and (hash_ < 0 or colon < hash_):
            if not key_ok:
                raise Unsupported("a mapping value after a key")
            return self.mapping(li, col)
        return self.plain(li, col, hash_, parent)

    def key(self, li: int, col: int) -> tuple[Any, int] | None:
        """The key at (li, col) and the column after its ``:``; None when there is no key."""
        line = self.lines[li]
        ch = line[col]
        if ch in "'\"":
            text, li2, end = self.quoted(li, col, -1)
            if li2 == li and line[end : end + 1] == ":" and line[end + 1 : end + 2] in ("", " "):
                return text, end + 1
            return None
        if ch in _NOT_PLAIN or (ch == "-" and line[col + 1 : col + 2] in ("", " ")):
            return None
        colon = line.find(": ", col)
        if colon < 0:
            if not line.endswith(":"):
                return None
            colon = len(line) - 1
        hash_ = line.find(" #", col)
        if 0 <= hash_ < colon:
            return None
        text = line[col:colon].rstrip(" ")
        if len(text) > 1000:
            raise Unsupported("a long key")
        return self.resolve(text), colon + 1

    def mapping(self, li: int, m: int) -> tuple[Any, int]:
        lines, ind, n = self.lines, self.ind, self.n
        result = self.dict_class()
        result.line = li + 1
        key_lines: dict[Any, int] = {}
        col = m
        while True:
            found = self.key(li, col)
            if found is None:
                raise Unsupported("not a key")
            key, after = found
            line = lines[li]
            j = _past_spaces(line, after)
            value: Any = None
            if j == len(line) or line[j] == "#":
                nli = self.skip(li + 1)
                if nli < n:
                    k = ind[nli]
                    if k > m:
                        value, nli = self.block(nli, k, m, True)
                    elif k == m and _is_entry(lines[nli], m):
                        value, nli = self.sequence(nli, m)
            else:
                value, nli = self.block(li, j, m, False)
            result[key] = value
            key_lines[key] = li + 1
            li = self.skip(nli)
            if li >= n or ind[li] < m:
                break
            if ind[li] > m:
                raise Unsupported("unexpected indentation in a mapping")
            col = m
        result.key_lines = key_lines
        return result, li

    def sequence(self, li: int, s: int) -> tuple[Any, int]:
        lines, ind, n = self.lines, self.ind, self.n
        result = self.list_class()
        result.line = li + 1
        item_lines: list[int] = []
        while True:
            line = lines[li]
            j = _past_spaces(line, s + 1)
            item: Any = None
            if j == len(line) or line[j] == "#":
                nli = self.skip(li + 1)
                if nli < n and ind[nli] > s:
                    item_lines.append(nli + 1)
                    item, nli = self.block(nli, ind[nli], s, True)
                else:
                    item_lines.append(li + 1)
            else:
                item_lines.append(li + 1)
                item, nli = self.block(li, j, s, True)
            result.append(item)
            li = self.skip(nli)
            if li >= n or ind[li] < s:
                break
            if ind[li] > s:
                raise Unsupported("unexpected indentation in a sequence")
            line = lines[li]
            if not _is_entry(line, s):
                break
        result.item_lines = item_lines
        return result, li

    # --- flow collections -------------------------------------------------------------------

    def space(self, li: int, i: int, parent: int) -> tuple[int, int]:
        """Skip spaces, comments and line breaks inside a flow collection."""
        lines = self.lines
        line = lines[li]
        while True:
            size = len(line)
            i = _past_spaces(line, i)
            if i < size and line[i] == "#":
                if i and line[i - 1] != " ":
                    raise Unsupported("a '#' right after a flow token")
                i = size
            if i < size:
                return li, i
            li += 1
            if li >= self.n:
                raise Unsupported("an unclosed flow collection")
            line = lines[li]
            i = 0

    def flow(self, li: int, i: int, parent: int) -> tuple[Any, int, int]:
        line = self.lines[li]
        ch = line[i]
        if ch == "[":
            result = self.list_class()
            result.line = li + 1
            item_lines: list[int] = []
            li, i = self.space(li, i + 1, parent)
            while True:
                ch = self.lines[li][i]
                if ch == "]":
                    result.item_lines = item_lines
                    return result, li, i + 1
                if ch == ",":
                    raise Unsupported("an empty flow entry")
                item_lines.append(li + 1)
                item, li, i = self.flow(li, i, parent)
                result.append(item)
                li, i = self.space(li, i, parent)
                ch = self.lines[li][i]
                if ch == ",":
                    li, i = self.space(li, i + 1, parent)
                elif ch != "]":
                    raise Unsupported("a flow sequence entry that is not simple")
        if ch == "{":
            result = self.dict_class()
            result.line = li + 1
            key_lines: dict[Any, int] = {}
            li, i = self.space(li, i + 1, parent)
            while True:
                line = self.lines[li]
                ch = line[i]
                if ch == "}":
                    result.key_lines = key_lines
                    return result, li, i + 1
                if ch in ",[{?":
                    raise Unsupported("a flow mapping key that is not simple")
                key_line = li
                key, li, i = self.flow(li, i, parent)
                line = self.lines[li]
                while i < len(line) and line[i] == " ":
                    i += 1
                if li != key_line or line[i : i + 1] != ":" or line[i + 1 : i + 2] not in ("", " "):
                    raise Unsupported("a flow mapping key without a simple value")
                li, i = self.space(li, i + 1, parent)
                if self.lines[li][i] in ",}":
                    raise Unsupported("an empty flow mapping value")
                value, li, i = self.flow(li, i, parent)
                result[key] = value
                key_lines[key] = key_line + 1
                li, i = self.space(li, i, parent)
                ch = self.lines[li][i]
                if ch == ",":
                    li, i = self.space(li, i + 1, parent)
                elif ch != "}":
                    raise Unsupported("a flow mapping entry that is not simple")
        if ch in "'\"":
            return self.quoted(li, i, parent)
        if ch in _NOT_PLAIN or (ch == "-" and line[i + 1 : i + 2] in ("", " ", *_FLOW_END)):
            raise Unsupported(f"a flow node starting with {ch!r}")
        size = len(line)
        j = i
        while j < size:
            ch = line[j]
            if ch in _FLOW_END:
                break
            if ch == ":":
                if line[j + 1 : j + 2] in ("", " "):
                    break
                raise Unsupported("a colon inside a flow scalar")
            if ch == "?":
                raise Unsupported("a question mark inside a flow scalar")
            if ch == "#" and line[j - 1] == " ":
                break
            j += 1
        if j == size:
            nli = self.skip(li + 1)
            nxt = self.lines[nli].lstrip(" ")[:1] if nli < self.n else ""
            if nxt not in (",", "]", "}"):
                raise Unsupported("a multi-line plain scalar in a flow collection")
        text = line[i:j].rstrip(" ")
        return self.resolve(text), li, j


def _past_spaces(line: str, j: int) -> int:
    """The column of the first character at or after ``j`` that is not a space."""
    size = len(line)
    while j < size and line[j] == " ":
        j += 1
    return j


def _is_entry(line: str, col: int) -> bool:
    """Whether a block sequence entry (``-`` then a space or the line's end) starts at ``col``."""
    return line[col] == "-" and line[col + 1 : col + 2] in ("", " ")


def _printable(ch: str) -> bool:
    """What YAML may hold, less tabs, carriage returns, NEL, LS, PS and a BOM past the start."""
    return (
        " " <= ch <= "~"
        or ch == "\n"
        or ("\xa0" <= ch <= "\ud7ff" and ch not in "\u2028\u2029")
        or ("\ue000" <= ch <= "\ufffd" and ch != "\ufeff")
        or ch >= "\U00010000"
    )
