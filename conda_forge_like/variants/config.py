"""Variant configuration: load files, merge them key by key, validate ``zip_keys``.

``parse(text, "conda_build_config.yaml", "linux-64")`` -> ``VariantConfig``;
``merge([default, recipe_local, *m_files, cli])`` -> one config where later files win per key.
Both conda-build's ``conda_build_config.yaml`` (line selectors) and rattler-build's
``variants.yaml`` (``- if: linux / then: ...`` items) are read by the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from .. import platforms, yamlio
from ..errors import CflError, Location, RecipeError, VariantError, raise_collected
from ..recipe import selectors
from ..records import dataclass, field

# Keys that configure expansion instead of being expanded themselves.
SPECIAL_KEYS = frozenset(
    {"zip_keys", "pin_run_as_build", "ignore_version", "extend_keys", "ignore_build_only_deps"}
)


@dataclass(frozen=True)
class VariantConfig:
    """Keys mapped to candidate values, plus the rules that shape the matrix."""

    values: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    zip_keys: tuple[tuple[str, ...], ...] = ()
    pin_run_as_build: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ignore_version: tuple[str, ...] = ()
    origins: Mapping[str, Location] = field(default_factory=dict)
    zip_origins: Mapping[tuple[str, ...], Location] = field(default_factory=dict)

    def first(self) -> dict[str, Any]:
        """Each key's first value: what an unused key collapses to."""
        return {key: vals[0] for key, vals in self.values.items() if vals}

    def zip_group(self, key: str) -> tuple[str, ...] | None:
        return next((g for g in self.zip_keys if key in g), None)


def _freeze(
    values: dict[str, tuple[Any, ...]],
    zip_keys: list[tuple[str, ...]],
    pins: dict[str, Mapping[str, str]],
    ignore_version: Iterable[str],
    origins: dict[str, Location],
    zip_origins: dict[tuple[str, ...], Location],
) -> VariantConfig:
    return VariantConfig(
        MappingProxyType(values),
        tuple(zip_keys),
        MappingProxyType(pins),
        tuple(ignore_version),
        MappingProxyType(origins),
        MappingProxyType(zip_origins),
    )


_SELECTOR_HINT = "selectors compare platform names and values: [linux and x86_64], [py>=312]"


def parse(text: str, filename: str, target_platform: str, numbers: str = "str") -> VariantConfig:
    """Read one variant file for a target; line selectors and if/then items both apply.

    ``numbers="v1"`` types values as rattler-build does (integers stay ints, floats keep their
    text); the default keeps every number as text, as conda-build does.
    """
    ns = platforms.namespace(target_platform)
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        body, expr = selectors.split_line(line)
        if expr is not None:
            try:
                keep = selectors.evaluate(expr, ns)
            except selectors.SelectorSyntaxError as exc:
                raise VariantError(str(exc), Location(filename, number), _SELECTOR_HINT) from exc
            body = body if keep else ""
        lines.append(body)
    try:
        data = yamlio.load("\n".join(lines), filename, numbers=numbers)
    except RecipeError as exc:
        raise VariantError(exc.message, exc.location, exc.hint) from exc
    if data is None:
        return VariantConfig()
    if not isinstance(data, yamlio.YDict):
        raise VariantError(
            "a variant file must be a mapping of keys to lists of values",
            Location(filename, 1),
            hint="write e.g. `zlib: ['1.3']`",
        )
    return _from_mapping(data, filename, ns)


def from_overrides(
    pairs: Iterable[str], source: str = "command line", numbers: str = "str"
) -> VariantConfig:
    """``["python=3.12", "microarch_level=3,4"]`` -> a config (comma separates values)."""
    values: dict[str, tuple[Any, ...]] = {}
    origins: dict[str, Location] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        items = [v.strip() for v in raw.split(",")]
        problem = (
            "no '=' between key and value"
            if not sep
            else "the key is empty"
            if not key.strip()
            else "a value is empty"
            if "" in items
            else None
        )
        if problem:
            raise VariantError(
                f"bad variant override {pair!r}: {problem}",
                Location(source),
                hint="write --variant KEY=VALUE, e.g. --variant python=3.12 "
                "(comma-separated values expand: python=3.11,3.12)",
            )
        values[key.strip()] = tuple(int(v) if numbers == "v1" and v.isdigit() else v for v in items)
        origins[key.strip()] = Location(source)
    return _freeze(values, [], {}, (), origins, {})


def _from_mapping(data: yamlio.YDict, filename: str, ns: Mapping[str, Any]) -> VariantConfig:
    values: dict[str, tuple[Any, ...]] = {}
    origins: dict[str, Location] = {}
    errors: list[CflError] = []
    zip_keys: list[tuple[str, ...]] = []
    zip_origins: dict[tuple[str, ...], Location] = {}
    pins: dict[str, Mapping[str, str]] = {}
    ignore_version: list[str] = []
    for key, raw in data.items():
        where = Location(filename, data.line_of(key))
        if key == "zip_keys":
            for group, group_where in _zip_groups(raw, where):
                zip_keys.append(group)
                zip_origins[group] = group_where
        elif key == "pin_run_as_build":
            if not isinstance(raw, dict):
                errors.append(
                    VariantError(
                        "pin_run_as_build must be a mapping of package names to pins",
                        where,
                        hint="write e.g. `pin_run_as_build: {zlib: {max_pin: x.x}}`",
                    )
                )
                continue
            for name, pin in raw.items():
                try:
                    pins[str(name)] = _pin_config(pin)
                except ValueError as exc:
                    line = raw.line_of(name) if isinstance(raw, yamlio.YDict) else where.line
                    errors.append(
                        VariantError(
                            f"pin_run_as_build/{name}: {exc}",
                            Location(filename, line),
                            hint="write `max_pin: x.x` (and optionally `min_pin:`) under the "
                            "package name, or just `x.x` for both",
                        )
                    )
        elif key == "ignore_version":
            ignore_version.extend(str(v) for v in _as_list(raw))
        elif key in SPECIAL_KEYS:
            continue  # accepted for compatibility; no effect on the matrix here
        elif raw is not None:  # a key whose every value a selector removed is unset
            values[str(key)] = tuple(_select_items(_as_list(raw), ns, where))
            origins[str(key)] = where
    raise_collected(errors)
    return _freeze(values, zip_keys, pins, ignore_version, origins, zip_origins)


def _pin_config(pin: Any) -> dict[str, str]:
    """``x.x`` (both bounds, as conda-build reads a string) or ``{min_pin:, max_pin:}``."""
    if pin is None:
        return {}
    if isinstance(pin, str):
        return {"min_pin": pin, "max_pin": pin}
    if not isinstance(pin, dict):
        raise ValueError(f"expected a mapping or a pin such as x.x, got {pin!r}")
    unknown = sorted(str(k) for k in pin if k not in ("min_pin", "max_pin"))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)} (known: min_pin, max_pin)")
    return {str(k): str(v) for k, v in pin.items()}


def _as_list(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else [raw]


def _select_items(items: list[Any], ns: Mapping[str, Any], where: Location) -> list[Any]:
    """Flatten rattler-build style ``- if: cond / then: [...] / else: [...]`` items."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and "if" in item:
            try:
                chosen = (
                    item.get("then")
                    if selectors.evaluate(str(item["if"]), ns)
                    else item.get("else")
                )
            except selectors.SelectorSyntaxError as exc:
                raise VariantError(str(exc), where, _SELECTOR_HINT) from exc
            out.extend(_as_list(chosen) if chosen is not None else [])
        else:
            out.append(item)
    return out


def _zip_groups(raw: Any, where: Location) -> list[tuple[tuple[str, ...], Location]]:
    """Each zip group with the line it is written on (``zip_keys: [a, b]`` is one group)."""
    if raw is None or raw == []:
        return []  # every group was removed by a selector
    if not isinstance(raw, list):
        raise VariantError(
            "zip_keys must be a list of lists of keys", where, hint="write `zip_keys: [[a, b]]`"
        )
    if all(isinstance(k, str) for k in raw):
        return [(_zip_group(raw, where), where)]
    groups = []
    for index, group in enumerate(raw):
        line = raw.line_of(index) if isinstance(raw, yamlio.YList) else where.line
        at = Location(where.file, line)
        groups.append((_zip_group(group, at), at))
    return groups


def _zip_group(group: Any, where: Location) -> tuple[str, ...]:
    if not isinstance(group, list) or len(group) < 2:
        raise VariantError(
            f"zip_keys group {group!r} must list at least two keys",
            where,
            hint="write `zip_keys: [[c_compiler_version, cxx_compiler_version]]`",
        )
    return tuple(str(k) for k in group)


def merge(configs: Iterable[VariantConfig]) -> VariantConfig:
    """Later configs override earlier ones key by key; a later zip group replaces the earlier
    groups it shares a key with."""
    values: dict[str, tuple[Any, ...]] = {}
    origins: dict[str, Location] = {}
    zip_keys: list[tuple[str, ...]] = []
    zip_origins: dict[tuple[str, ...], Location] = {}
    pins: dict[str, Mapping[str, str]] = {}
    ignore_version: list[str] = []
    for config in configs:
        for key in _versions_left_behind(config.values):
            values.pop(key, None)
            origins.pop(key, None)
        values.update(config.values)
        origins.update(config.origins)
        pins.update(config.pin_run_as_build)
        ignore_version.extend(v for v in config.ignore_version if v not in ignore_version)
        for group in config.zip_keys:
            zip_keys = [g for g in zip_keys if not set(g) & set(group)] + [group]
            zip_origins[group] = config.zip_origins.get(group, Location("<unknown>"))
    return _freeze(values, zip_keys, pins, ignore_version, origins, zip_origins)


def _versions_left_behind(layer: Mapping[str, Any]) -> list[str]:
    """A layer that picks a compiler or stdlib (``c_compiler: [vs2019]``) without its version
    drops the version earlier layers set: that version belonged to their compiler (the
    default's zig ``0.17`` is no version of vs2019). conda-smithy's files rely on this."""
    return [
        f"{key}_version"
        for key in layer
        if key.endswith(("_compiler", "_stdlib")) and f"{key}_version" not in layer
    ]


def validate(config: VariantConfig) -> None:
    """Every zip group's keys that are set must have equal lengths; report all groups at once."""
    errors: list[CflError] = []
    for group in config.zip_keys:
        present = [k for k in group if k in config.values]
        lengths = {k: len(config.values[k]) for k in present}
        if len(set(lengths.values())) > 1:
            detail = ", ".join(
                f"{k} has {n} (from {config.origins.get(k, '?')})" for k, n in lengths.items()
            )
            errors.append(
                VariantError(
                    f"zip_keys group [{', '.join(group)}] needs lists of equal length: {detail}",
                    config.zip_origins.get(group),
                    hint="give every key in a zip group the same number of values, or "
                    "override the whole group together",
                )
            )
    raise_collected(errors)
