"""recipe.yaml functions rattler-build's Jinja has beyond the shared ones: ``match`` and ``env``.

Pure: ``env`` reads the environment mapping it is given (the recipe's ``environ``), never
``os.environ``. ``match("3.12", ">=3.11")`` -> ``True``; ``Env({"A": "1"}).get("A")`` -> ``"1"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import RecipeError

_MISSING = object()


def match(value: Any, spec: str) -> bool:
    """rattler-build's ``match(variant_value, version_spec)``: does the value's version (its
    first word, ``3.12.* *_cpython`` -> ``3.12``) satisfy the spec (rattler-build's
    jinja functions, ``match``)."""
    from rattler import Version, VersionSpec  # imported on use: most recipes never match()

    version = str(value).split()[0].rstrip(".*") if str(value).strip() else ""
    try:
        return bool(VersionSpec(str(spec)).matches(Version(version)))
    except Exception as exc:  # rattler raises its own parse exceptions
        raise RecipeError(
            f"match({value!r}, {spec!r}): {exc}",
            hint="the first argument is a version (a variant value), the second a spec "
            "such as '>=3.11'",
        ) from exc


class Env:
    """``env.get(name, default=...)`` and ``env.exists(name)`` over the given environment; a
    missing name without a default is an error, as in rattler-build."""

    def __init__(self, environ: Mapping[str, str]):
        self._environ = environ

    def get(self, name: str, default: Any = _MISSING) -> Any:
        if name in self._environ:
            return self._environ[name]
        if default is _MISSING:
            raise RecipeError(
                f"environment variable {name!r} is not set",
                hint=f'set it, or give a default: env.get("{name}", default="...")',
            )
        return default

    def exists(self, name: str) -> bool:
        return name in self._environ
