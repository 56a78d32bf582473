"""The scalars of ``yamlscan``'s YAML: plain scalars typed as PyYAML's SafeLoader types them
(YAML 1.1's null, bool and int; floats, and ints unless ``v1``, stay text; timestamps and merge
keys are left to PyYAML), single- and double-quoted scalars with their escapes and line
folding, and ``|``/``>`` block scalars with chomping and indentation indicators.
``_Scalars`` holds the methods; ``yamlscan._Parser`` adds the structure around them.
"""

from __future__ import annotations

import re

from . import lazy

TYPE_CHECKING = False  # importing typing costs more than this whole module
if TYPE_CHECKING:
    from typing import Any


class Unsupported(Exception):
    """The text needs YAML this loader does not handle (or is not valid YAML)."""


_SPECIAL: dict[str, object] = {"~": None, "null": None, "Null": None, "NULL": None}
for _words, _value in (
    ("yes Yes YES true True TRUE on On ON", True),
    ("no No NO false False FALSE off Off OFF", False),
):
    for _word in _words.split():
        _SPECIAL[_word] = _value
_MISSING = object()
_INT_PATTERN = (  # YAML 1.1's int, as PyYAML's resolver has it; compiled on first use
    r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_int_re: re.Pattern[str] | None = None
_DATE = lazy.regex(r"[0-9][0-9][0-9][0-9]-[0-9]")
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_HEX = {"x": 2, "u": 4, "U": 8}


def safe_int(text: str) -> Any:
    """rattler-build's integers: ``000123`` and ``007`` keep their text, ``0x1F`` is 31."""
    if len(text) > 1 and text.startswith("0") and not text.startswith("0x"):
        return text
    try:
        return int(text.replace("_", ""), 0) if text.startswith("0x") else int(text)
    except ValueError:
        return text


class _Scalars:
    """Reading scalars from ``lines`` (``ind``: each line's indentation, -1 for a blank or
    comment line; ``n`` lines; ``v1``: rattler-build's integers)."""

    lines: list[str]
    ind: list[int]
    n: int
    v1: bool

    def resolve(self, text: str) -> Any:
        value = _SPECIAL.get(text, _MISSING)
        if value is not _MISSING:
            return value
        first = text[0]
        if first in "0123456789+-.":
            if first in "0123456789" and _DATE.match(text):
                raise Unsupported("a timestamp")
            if self.v1:
                global _int_re
                if _int_re is None:
                    _int_re = re.compile(_INT_PATTERN)
                if _int_re.fullmatch(text):
                    return safe_int(text)
            return text
        if text in ("<<", "="):
            raise Unsupported("a merge or value key")
        return text

    def rest_is_empty(self, line: str, col: int) -> bool:
        rest = line[col:]
        stripped = rest.lstrip(" ")
        if not stripped:
            return True
        if stripped[0] == "#" and len(stripped) < len(rest):
            return True
        raise Unsupported("text after a node")

    # --- scalars ----------------------------------------------------------------------------

    def plain(self, li: int, col: int, hash_: int, parent: int) -> tuple[Any, int]:
        lines = self.lines
        line = lines[li]
        chunks = [(line[col:hash_] if hash_ >= 0 else line[col:]).rstrip(" ")]
        i = li + 1
        if hash_ < 0:
            n = self.n
            breaks = 0
            ind = self.ind
            while i < n:
                k = ind[i]
                if k < 0:
                    if lines[i].strip(" "):
                        break  # a comment line ends the scalar
                    breaks += 1
                    i += 1
                    continue
                if k <= parent:
                    break
                stripped = lines[i][k:]
                hash_ = stripped.find(" #")
                part = (stripped if hash_ < 0 else stripped[:hash_]).rstrip(" ")
                if ": " in part or part.endswith(":"):
                    raise Unsupported("a colon in a multi-line plain scalar")
                chunks.append("\n" * breaks if breaks else " ")
                chunks.append(part)
                breaks = 0
                i += 1
                if hash_ >= 0:
                    break
        return self.resolve("".join(chunks)), i

    def quoted(self, li: int, col: int, parent: int) -> tuple[str, int, int]:
        """A quoted scalar: (text, line, column after the closing quote)."""
        lines = self.lines
        line = lines[li]
        quote = line[col]
        end = line.find(quote, col + 1)
        if quote == "'":
            if end >= 0 and line[end + 1 : end + 2] != "'":
                return line[col + 1 : end], li, end + 1
        elif end >= 0 and "\\" not in line[col + 1 : end]:
            return line[col + 1 : end], li, end + 1
        out: list[str] = []
        spaces = ""
        i = col + 1
        while True:
            size = len(line)
            while i < size:
                ch = line[i]
                if ch == " ":
                    spaces += ch
                    i += 1
                    continue
                if spaces:
                    out.append(spaces)
                    spaces = ""
                if ch == quote:
                    if quote == "'" and line[i + 1 : i + 2] == "'":
                        out.append("'")
                        i += 2
                        continue
                    return "".join(out), li, i + 1
                if ch == "\\" and quote == '"':
                    if i + 1 == size:
                        break  # an escaped line break
                    esc = line[i + 1]
                    if esc in _ESCAPES:
                        out.append(_ESCAPES[esc])
                        i += 2
                        continue
                    width = _HEX.get(esc)
                    digits = line[i + 2 : i + 2 + width] if width else ""
                    if not width or len(digits) != width or not _is_hex(digits):
                        raise Unsupported("an unknown escape")
                    code = int(digits, 16)
                    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                        raise Unsupported("a surrogate escape")
                    out.append(chr(code))
                    i += 2 + width
                    continue
                out.append(ch)
                i += 1
            escaped = i < size
            spaces = ""
            breaks = 0
            while True:
                li += 1
                if li >= self.n:
                    raise Unsupported("an unclosed quoted scalar")
                line = lines[li]
                stripped = line.lstrip(" ")
                if stripped:
                    break
                breaks += 1
            if escaped:
                out.append("\n" * breaks)
            else:
                out.append("\n" * breaks if breaks else " ")
            i = len(line) - len(stripped)

    def block_scalar(self, li: int, col: int, parent: int) -> tuple[str, int]:
        lines = self.lines
        line = lines[li]
        folding = line[col] == ">"
        chomp = ""
        increment = 0
        j = col + 1
        for _ in range(2):
            ch = line[j : j + 1]
            if ch in ("+", "-") and not chomp:
                chomp = ch
            elif ch and ch in "123456789" and not increment:
                increment = int(ch)
            else:
                break
            j += 1
        if j < len(line) and line[j] != " ":
            raise Unsupported("a bad block scalar header")
        self.rest_is_empty(line, j)
        n = self.n
        i = li + 1
        if increment:
            indent = parent + increment
        else:
            widest = 0
            while i < n and not lines[i].strip(" "):
                widest = max(widest, len(lines[i]))
                i += 1
            if i >= n:
                raise Unsupported("an empty block scalar")
            first = len(lines[i]) - len(lines[i].lstrip(" "))
            if widest > first or first <= parent:
                raise Unsupported("an unusual block scalar indentation")
            indent = first
            i = li + 1
        texts: list[str] = []
        gaps: list[int] = []
        breaks = 0
        last = li
        while i < n:
            line = lines[i]
            stripped = line.lstrip(" ")
            if not stripped and len(line) <= indent:
                breaks += 1
                i += 1
                continue
            if len(line) - len(stripped) < indent:
                break
            texts.append(line[indent:])
            gaps.append(breaks)
            breaks = 0
            last = i
            i += 1
        if not texts:
            raise Unsupported("an empty block scalar")
        if i >= n and breaks and not lines[n - 1].strip(" "):
            breaks -= 1  # the last line has no line break after it
        out: list[str] = []
        count = len(texts)
        for k, text in enumerate(texts):
            out.append("\n" * gaps[k])
            out.append(text)
            if k + 1 < count:
                if folding and text[0] != " " and texts[k + 1][0] != " ":
                    if not gaps[k + 1]:
                        out.append(" ")
                else:
                    out.append("\n")
        line_break = "\n" if last + 1 < len(lines) else ""
        if chomp != "-":
            out.append(line_break)
        if chomp == "+":
            out.append("\n" * breaks)
        return "".join(out), i


def _is_hex(digits: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in digits)
