"""Known recipe keys for both formats; an unknown key is an error with a did-you-mean hint.

Pure. ``check_keys(tree, V0_SCHEMA, "meta.yaml")`` -> list of ``RecipeError`` (empty when fine).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import CflError, Location, RecipeError
from ..yamlio import YDict

Schema = Mapping[str, "Schema | None"]

_REQUIREMENTS: Schema = dict.fromkeys(
    ("build", "host", "run", "run_constrained", "run_constraints")
)
_ABOUT_V0: Schema = dict.fromkeys(
    (
        "home", "dev_url", "doc_url", "doc_source_url", "license_url", "license",
        "summary", "description", "license_family", "license_file", "identifiers", "tags",
        "keywords", "recipe-maintainers", "prelink_message", "readme",
    )
)  # fmt: skip
_BUILD_V0: Schema = dict.fromkeys(
    (
        "number", "string", "entry_points", "osx_is_app", "disable_pip", "features",
        "track_features", "preserve_egg_dir", "no_link", "binary_relocation", "script",
        "noarch", "noarch_python", "has_prefix_files", "binary_has_prefix_files",
        "ignore_prefix_files", "detect_binary_files_with_prefix", "skip_compile_pyc", "rpaths",
        "rpaths_patcher", "script_env", "always_include_files", "skip", "msvc_compiler",
        "pin_depends", "include_recipe", "run_exports", "ignore_run_exports",
        "ignore_run_exports_from", "requires_features", "provides_features", "force_use_keys",
        "force_ignore_keys", "merge_build_host", "missing_dso_whitelist", "error_overdepending",
        "error_overlinking", "overlinking_ignore_patterns", "overdepending_ignore_patterns",
        "runpath_whitelist", "post-link", "pre-link", "pre-unlink", "ignore_verify_codes",
        "activate_in_script", "abi_check", "microarch", "rpaths_patcher",
    )
)  # fmt: skip
_TEST: Schema = dict.fromkeys(
    ("requires", "commands", "files", "source_files", "imports", "script", "downstreams")
)
_OUTPUT_V0: Schema = {
    "name": None, "version": None, "script": None, "script_interpreter": None,
    "build": _BUILD_V0, "requirements": None, "test": _TEST, "about": _ABOUT_V0,
    "files": None, "type": None, "run_exports": None, "target": None, "extra": None,
    "noarch": None,
}  # fmt: skip

V0_SCHEMA: Schema = {
    "package": dict.fromkeys(("name", "version")),
    "source": None,
    "build": _BUILD_V0,
    "requirements": _REQUIREMENTS,
    "test": _TEST,
    "outputs": None,
    "about": _ABOUT_V0,
    "extra": None,
    "app": None,
}

_BUILD_V1: Schema = dict.fromkeys(
    (
        "number", "string", "script", "noarch", "python", "skip", "always_copy_files",
        "always_include_files", "merge_build_and_host_envs", "variant", "prefix_detection",
        "dynamic_linking", "files", "post_process", "abi_check", "microarch", "run_exports",
    )
)  # fmt: skip
_ABOUT_V1: Schema = dict.fromkeys(
    (
        "homepage", "repository", "documentation", "license", "license_family",
        "license_file", "license_url", "summary", "description", "prelink_message",
    )
)  # fmt: skip
_REQUIREMENTS_V1: Schema = dict.fromkeys(
    ("build", "host", "run", "run_constraints", "run_exports", "ignore_run_exports")
)

V1_SCHEMA: Schema = {
    "schema_version": None,
    "context": None,
    "package": dict.fromkeys(("name", "version")),
    "recipe": dict.fromkeys(("name", "version")),
    "source": None,
    "build": _BUILD_V1,
    "requirements": _REQUIREMENTS_V1,
    "tests": None,
    "about": _ABOUT_V1,
    "extra": None,
    "outputs": None,
    "cache": None,
}

V1_OUTPUT_SCHEMA: Schema = {
    "package": dict.fromkeys(("name", "version")),
    "staging": None,
    "inherit": None,
    "source": None,
    "build": _BUILD_V1,
    "requirements": _REQUIREMENTS_V1,
    "tests": None,
    "about": _ABOUT_V1,
    "extra": None,
}


def check_keys(tree: Any, schema: Schema, filename: str, path: str = "") -> list[CflError]:
    """Every unknown key in ``tree`` (recursively where the schema goes deeper)."""
    if not isinstance(tree, dict):
        return []
    errors: list[CflError] = []
    for key, value in tree.items():
        where = Location(filename, tree.line_of(key) if isinstance(tree, YDict) else None)
        if isinstance(key, str) and key.startswith("if") and schema is V1_SCHEMA:
            continue
        if key not in schema:
            errors.append(_unknown(str(key), path, schema, where))
            continue
        sub = schema[key]
        if sub is not None:
            errors.extend(check_keys(value, sub, filename, f"{path}{key}/"))
    return errors


def _unknown(key: str, path: str, schema: Schema, where: Location) -> RecipeError:
    import difflib  # only a misspelt key needs it

    close = difflib.get_close_matches(key, [str(k) for k in schema], n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(sorted(schema))}"
    section = path.rstrip("/") or "the top level"
    return RecipeError(f"unknown key {key!r} in {section}", where, hint=hint)
