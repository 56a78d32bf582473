"""The C runtime a win-64 build really links, named in the variant so the hash says it.

conda-forge's win-64 pins say ``c_stdlib: vs``, ``c_stdlib_version: '2022'`` (MSVC). The base
plate builds win-64 with zig's mingw-w64 target: mingw-w64's C start-up files and headers over
Microsoft's Universal CRT (``api-ms-win-crt-*.dll``), not MSVC's compiler runtime. For a build,
``substitute(config, "win-64", versions)`` replaces any other ``c_stdlib`` by
``mingw-w64-ucrt`` at the mingw-w64 version zig ships (``versions["mingw-w64"]``, read from
zig's headers by ``mingw_version``), so the build string and ``hash_input`` name the runtime
used; ``cfl render`` keeps conda-forge's values.

Pure except ``mingw_version``. ``substitute(cfg with c_stdlib vs 2022, "win-64",
{"mingw-w64": "15"})`` -> ``(cfg with c_stdlib mingw-w64-ucrt, c_stdlib_version '15', [note])``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .. import lazy
from ..records import replace
from ..variants.config import VariantConfig

CRT = "mingw-w64-ucrt"
_MAJOR = lazy.regex(r"#define\s+__MINGW64_VERSION_MAJOR\s+(\d+)")


def mingw_version(zig_exe: str | None) -> str | None:
    """The major version of the mingw-w64 headers zig bundles (``15``), None when unknown."""
    if not zig_exe:
        return None
    header = os.path.join(os.path.dirname(os.path.realpath(zig_exe)), "lib", "libc", "include",
                          "any-windows-any", "_mingw_mac.h")  # fmt: skip
    try:
        with open(header, encoding="utf-8", errors="replace") as handle:
            match = _MAJOR.search(handle.read())
    except OSError:
        return None
    return match.group(1) if match else None


def substitute(
    config: VariantConfig, subdir: str, versions: Mapping[str, str]
) -> tuple[VariantConfig, list[str]]:
    """The config with the win-64 C runtime pins naming what the base plate links."""
    if not subdir.startswith("win-"):
        return config, []
    version = versions.get("mingw-w64")
    names = config.values.get("c_stdlib") or ()
    pinned = config.values.get("c_stdlib_version") or ()
    wanted = (CRT,) * max(len(names), 1), (version,) * max(len(pinned), 1)
    if version is None or (tuple(map(str, names)), tuple(map(str, pinned))) == wanted:
        return config, []
    values: dict[str, tuple[Any, ...]] = dict(config.values)
    values["c_stdlib"], values["c_stdlib_version"] = wanted
    said = " / ".join(sorted({f"{n} {v}" for n, v in zip(names or ("?",), pinned or ("?",),
                                                           strict=False)}))  # fmt: skip
    note = (
        f"c_stdlib {said}: the base plate links win-64 code against mingw-w64 {version}'s C "
        f"start-up over Microsoft's UCRT, not MSVC's runtime; building with c_stdlib {CRT} "
        f"{version} (the build string and hash_input name it)"
    )
    return replace(config, values=MappingProxyType(values)), [note]
