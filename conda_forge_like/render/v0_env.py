"""The names conda-build's Jinja context takes from its build environment, for one variant.

conda-build renders a meta.yaml with ``conda_build.environ.get_dict`` merged into the Jinja
context (``context_processor`` in ``jinja_context.py``), so recipes may write
``{{ PKG_NAME }}``, ``{{ SHLIB_EXT }}`` or ``h{{ PKG_HASH }}``.
``names({"python": "3.12"}, "linux-64", "/r", Package("zlib", "1.3", 0))`` ->
``{"PY_VER": "3.12", "SHLIB_EXT": ".so", "PKG_NAME": "zlib", ...}``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import platforms
from ..records import dataclass
from .outputs import PKG_HASH_MARK

# PKG_HASH_MARK stands where ``{{ PKG_HASH }}`` is written; the build-string step puts the
# hash's digits there (conda-build renders with a placeholder too and fills it in ``build_id``).

_SHLIB_EXT = {"linux": ".so", "osx": ".dylib", "win": ".dll"}
# conda-build's language version names (environ.python_vars / perl_vars / lua_vars / r_vars):
# the variant's value cut to major.minor.
_LANGUAGE_VERSIONS = {
    "PY_VER": "python",
    "NPY_VER": "numpy",
    "PERL_VER": "perl",
    "LUA_VER": "lua",
    "R_VER": "r_base",
}


@dataclass(frozen=True)
class Package:
    """What conda-build's ``PKG_*`` names are taken from: the recipe's package section."""

    name: str = ""
    version: str = ""
    number: int = 0


# A recipe that names one of these is rendered twice: first to read its package section.
PACKAGE_NAMES = ("PKG_NAME", "PKG_VERSION", "PKG_BUILDNUM")


def names(
    variant: Mapping[str, Any], subdir: str, recipe_dir: str, package: Package
) -> dict[str, str]:
    plat = platforms.info(subdir)
    result = {
        "CONDA_BUILD": "1",
        "CONDA_BUILD_STATE": "RENDER",
        "PKG_NAME": package.name,
        "PKG_VERSION": package.version,
        "PKG_BUILDNUM": str(package.number),
        # conda-build's values while the hash is not final (environ.meta_vars)
        "PKG_BUILD_STRING": "placeholder",
        "PKG_HASH": PKG_HASH_MARK,
        "RECIPE_DIR": recipe_dir,
        "SUBDIR": subdir,
        "ARCH": _arch(subdir),
        "SHLIB_EXT": _SHLIB_EXT.get(plat.os, ".so"),
    }
    result.update(_build_paths(plat.os))
    for name, key in _LANGUAGE_VERSIONS.items():
        if variant.get(key) is not None:
            result[name] = ".".join(str(variant[key]).split()[0].split(".")[:2])
    if "PY_VER" in result:
        result["PY3K"] = "1" if result["PY_VER"].startswith("3") else "0"
    return result


# conda-build's paths (environ.conda_build_vars / windows_vars / python_vars) are only known
# in the build; rendered into a script or test command they stay a reference to the variable
# the build exports under the same name.
_PATHS = ("PREFIX", "BUILD_PREFIX", "SRC_DIR", "SP_DIR", "STDLIB_DIR", "PYTHON", "CPU_COUNT")
_WIN_PATHS = ("LIBRARY_PREFIX", "LIBRARY_BIN", "LIBRARY_INC", "LIBRARY_LIB", "SCRIPTS")


def _build_paths(os_name: str) -> dict[str, str]:
    if os_name == "win":
        return {name: f"%{name}%" for name in (*_PATHS, *_WIN_PATHS)}
    return {name: f"${{{name}}}" for name in _PATHS}


def _arch(subdir: str) -> str:
    """conda-build's ``ARCH``: the subdir's part after the os (``64``, ``aarch64``, ``arm64``)."""
    return subdir.split("-", 1)[-1]
