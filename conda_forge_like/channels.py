"""What a ``-c CHANNEL`` argument names: a URL, a local folder, or a channel by name.

``resolve("conda-forge")`` -> ``"https://conda.anaconda.org/conda-forge"``;
``resolve("./local")`` -> ``"./local"``; ``resolve("file:///srv/ch")`` stays as given.

The rule, as every conda tool reads ``-c``:

- text with ``://`` is a URL and stays what it is;
- a path is text holding a ``/``, starting with ``.`` or ``~``, or naming a folder that
  exists here (relative to the current directory); ``~`` is expanded;
- anything else is a channel name on the channel alias: ``<alias>/<name>``.

A name is what conda allows in one (letters, digits, ``-``, ``_``, ``.``); a label
(``conda-forge/label/dev``) holds a ``/``, so give it as a URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from . import lazy
from .errors import UsageError

# conda's default channel alias, where a channel given by name lives (conda's `channel_alias`
# setting; conda, mamba, pixi and rattler-build use the same default). It is spelled only here;
# CFL_CHANNEL_ALIAS replaces it (a mirror, or a local server of channels).
DEFAULT_CHANNEL_ALIAS = "https://conda.anaconda.org"
ALIAS_VARIABLE = "CFL_CHANNEL_ALIAS"

_NAME = lazy.regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def channel_alias(environ: Mapping[str, str]) -> str:
    return (environ.get(ALIAS_VARIABLE) or DEFAULT_CHANNEL_ALIAS).rstrip("/")


def is_path(text: str, is_dir: Callable[[str], bool] = os.path.isdir) -> bool:
    return "/" in text or text.startswith((".", "~")) or is_dir(text)


def resolve(
    text: str,
    environ: Mapping[str, str] | None = None,
    is_dir: Callable[[str], bool] = os.path.isdir,
) -> str:
    """One ``-c`` argument -> a URL or a local folder."""
    if "://" in text:
        return text
    if is_path(text, is_dir):
        return os.path.expanduser(text)
    if not _NAME.fullmatch(text):
        raise UsageError(
            f"channel {text!r} is neither a URL, a path nor a channel name",
            hint="give a URL (https://..., file://...), a folder (./channel, /srv/channel) or "
            "a name of letters, digits, '-', '_' and '.' (conda-forge)",
        )
    return f"{channel_alias(os.environ if environ is None else environ)}/{text}"


def resolve_all(texts: Sequence[str | os.PathLike[str]]) -> tuple[str, ...]:
    """Every ``-c`` argument resolved; a ``Path`` is a folder whatever its text."""
    return tuple(os.fspath(t) if isinstance(t, os.PathLike) else resolve(t) for t in texts)
