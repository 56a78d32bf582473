"""Host compilers a CI job installs: a job's variant file -> ``HostCompiler``s + shell (pure).

``host_compilers({"c_compiler": ["gcc"], "c_compiler_version": ["12"]})`` ->
``(HostCompiler("gcc", "12"),)``: packages ``gcc-12 g++-12``, linked as ``gcc``, ``g++``, ``cc``
and ``c++``. The base plate takes the host's gcc/clang from PATH under their plain names and
refuses one whose major version is not the pinned ``c_compiler_version``, while CI runners ship
whatever default their image has; so a job pinning one installs it from the runner's
distribution (Debian/Ubuntu ``gcc-V``/``clang-V``) and puts it first on PATH. zig needs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import VariantError
from ..records import dataclass
from ..variants.config import SPECIAL_KEYS, VariantConfig
from ..variants.expand import expand

# conda-forge's compiler names -> the host toolchains the base plate runs (zig is not one).
_HOST = {"gcc": "gcc", "gxx": "gcc", "clang": "clang", "clangxx": "clang"}
_KEYS = ("c_compiler", "c_compiler_version", "cxx_compiler", "cxx_compiler_version")

# Environment variables the generated setup step reads (matrix entries / job variables).
PACKAGES_VAR = "CFL_COMPILER_PACKAGES"
LINKS_VAR = "CFL_COMPILER_LINKS"


@dataclass(frozen=True, order=True)
class HostCompiler:
    """One host toolchain at one major version, e.g. ``HostCompiler("gcc", "12")``."""

    toolchain: str  # "gcc" | "clang"
    version: str  # the major version: Debian/Ubuntu package names carry only that

    @property
    def packages(self) -> tuple[str, ...]:
        if self.toolchain == "gcc":
            return (f"gcc-{self.version}", f"g++-{self.version}")
        return (f"clang-{self.version}",)  # clang-V ships clang++-V too

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """``(plain name, versioned binary)``: the names the base plate looks up on PATH."""
        v = self.version
        if self.toolchain == "gcc":
            return (("gcc", f"gcc-{v}"), ("g++", f"g++-{v}"), ("cc", f"gcc-{v}"),
                    ("c++", f"g++-{v}"))  # fmt: skip
        return (("clang", f"clang-{v}"), ("clang++", f"clang++-{v}"))


def _combinations(variant: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The compiler keys' combinations a (possibly merged, zipped) variant file renders."""
    values = {
        k: tuple(v) if isinstance(v, list | tuple) else (v,)
        for k, v in variant.items()
        if k not in SPECIAL_KEYS
    }
    zips = tuple(tuple(g) for g in variant.get("zip_keys") or ())
    return expand(VariantConfig(values=values, zip_keys=zips), used=_KEYS)


def _pinned(combo: Mapping[str, Any]) -> HostCompiler | None:
    """The base plate's rule: c_compiler picks the toolchain (cxx_compiler when it is absent)
    and its ``*_compiler_version`` must match the installed compiler."""
    language = "c" if "c_compiler" in combo else "cxx"
    toolchain = _HOST.get(str(combo.get(f"{language}_compiler", "zig")))
    pinned = combo.get(f"{language}_compiler_version")
    if toolchain is None or pinned is None or str(pinned) == "":
        return None
    match = re.match(r"(\d+)(\.[\d*]+)*$", str(pinned))
    if match is None:
        raise VariantError(
            f"{language}_compiler_version {pinned!r} is not a {toolchain} version",
            hint=f"pin a version such as '12' or '14.2' (the {toolchain} package is by major)",
        )
    return HostCompiler(toolchain, match.group(1))


def host_compilers(variant: Mapping[str, Any]) -> tuple[HostCompiler, ...]:
    """Every pinned host compiler the job's builds need (none for zig-only jobs)."""
    found = {c for combo in _combinations(variant) if (c := _pinned(combo)) is not None}
    return tuple(sorted(found))


def compatible(compilers: Sequence[HostCompiler]) -> bool:
    """One job can put only one version of each toolchain first on PATH."""
    toolchains = [c.toolchain for c in set(compilers)]
    return len(toolchains) == len(set(toolchains))


def packages(compilers: Sequence[HostCompiler]) -> str:
    """``gcc-12 g++-12``: the value of ``$CFL_COMPILER_PACKAGES`` ('' for none)."""
    return " ".join(p for c in compilers for p in c.packages)


def links(compilers: Sequence[HostCompiler]) -> str:
    """``gcc=gcc-12 g++=g++-12 ...``: the value of ``$CFL_COMPILER_LINKS`` ('' for none)."""
    return " ".join(f"{name}={target}" for c in compilers for name, target in c.links)


def install_script(bin_dir: str, sudo: bool) -> list[str]:
    """Shell lines installing ``$CFL_COMPILER_PACKAGES`` with apt-get and linking each
    ``$CFL_COMPILER_LINKS`` pair into ``bin_dir`` (the caller puts that first on PATH).

    The lists are split by xargs/read rather than an unquoted ``$VAR`` (shellcheck SC2086)."""
    apt = "sudo apt-get" if sudo else "apt-get"
    return [
        f"{apt} update -q",
        f'echo "${PACKAGES_VAR}" | xargs {apt} install -y -q --no-install-recommends',
        f'mkdir -p "{bin_dir}"',
        f"echo \"${LINKS_VAR}\" | tr ' ' '\\n' | while IFS== read -r name target; do "
        f'ln -sf "/usr/bin/$target" "{bin_dir}/$name"; done',
    ]
