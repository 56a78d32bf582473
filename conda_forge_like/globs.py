"""Path globs as conda-build and rattler-build read ``files:`` lists: one function for all.

Pure. ``matches("lib/libx.so", "lib/**/*.so")`` -> ``True``: ``**`` as a whole path segment
matches zero or more directories; ``*`` and ``?`` stay inside one segment (``lib/*.so`` does not
pick ``lib/sub/x.so``); ``[abc]`` is a character class; a pattern ending in ``/`` picks
everything under that directory.
"""

from __future__ import annotations

import re
from functools import lru_cache


def _segment(segment: str) -> str:
    out = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := segment.find("]", index + 2)) != -1:
            out.append(_class(segment[index + 1 : end]))
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


def _class(body: str) -> str:
    """``[!ab]`` / ``[0-9]``: ranges kept, ``!`` negates, backslashes and ``^`` literal."""
    negate = body.startswith("!")
    body = (body[1:] if negate else body).replace("\\", "\\\\")
    if body.startswith("^"):
        body = "\\" + body
    return f"[{'^' if negate else ''}{body}]"


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The regular expression of one glob (anchored, POSIX separators)."""
    text = pattern.replace("\\", "/").removeprefix("./")
    if text.endswith("/"):
        text += "**"
    parts = text.split("/")
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _segment(part) + ("" if last else "/")
    return re.compile(rf"\A{regex}\Z")


def matches(path: str, pattern: str) -> bool:
    """Whether a relative POSIX ``path`` matches the glob ``pattern``."""
    return bool(compile_glob(str(pattern)).match(path))


def selects(path: str, pattern: str) -> bool:
    """conda-build's ``files:`` rule (utils.expand_globs): a pattern that matches a directory
    selects every file under it, so ``include`` or ``lib/pkg*`` pick whole folders."""
    if matches(path, pattern):
        return True
    parts = path.split("/")
    return any(matches("/".join(parts[:i]), pattern) for i in range(1, len(parts)))
