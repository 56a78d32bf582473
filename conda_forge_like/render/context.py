"""Jinja context functions: ``compiler``, ``stdlib``, ``pin_subpackage``, ``pin_compatible``...

Pure: they read only the variant and target platform they are built with.
``Functions({"c_compiler": "gcc", "c_compiler_version": "12"}, "linux-64").compiler("c")``
-> ``"gcc_linux-64 12.*"``. ``pin_subpackage`` returns a marker that is resolved once every
output's version and build string are known (``resolve_pins``); so does ``pin_compatible`` of a
package the variant does not pin: ``take_compatible_pins`` turns that marker back into the bare
name and a ``PendingPin`` the build resolves from the host environment.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from .. import lazy, platforms
from ..errors import RecipeError
from .model import PendingPin

_NATIVE: dict[str, dict[str, str]] = {
    "linux": {"c": "gcc", "cxx": "gxx", "fortran": "gfortran", "rust": "rust", "go": "go"},
    "osx": {"c": "clang", "cxx": "clangxx", "fortran": "gfortran", "rust": "rust", "go": "go"},
    "win": {"c": "vs2022", "cxx": "vs2022", "fortran": "flang", "rust": "rust", "go": "go"},
}
_STDLIB: dict[str, str] = {"linux": "sysroot", "osx": "macosx_deployment_target", "win": "vs"}
_PIN_MARK = "cflpin-"
PIN_RE = lazy.regex(_PIN_MARK + r"([A-Za-z0-9_=-]+)")
_COMPAT_MARK = "cflcompat-"
COMPAT_RE = lazy.regex(_COMPAT_MARK + r"([A-Za-z0-9_=-]+)")


class Functions:
    """The functions both recipe formats offer, bound to one variant and target platform."""

    def __init__(self, variant: Mapping[str, Any], target_platform: str, v1: bool = False):
        self.variant = variant
        self.target = target_platform
        self.os = platforms.info(target_platform).os
        self.v1 = v1
        self.pending: list[dict[str, Any]] = []

    def _spec(self, name: str, version: Any) -> str:
        if version is None or str(version) == "":
            return name
        from .pins import ensure_valid_spec  # pins load with the first pinned spec

        return ensure_valid_spec(f"{name} {version}")

    def compiler(self, language: str) -> str:
        default = _NATIVE.get(self.os, {}).get(language, language)
        name = str(self.variant.get(f"{language}_compiler", default))
        return self._spec(f"{name}_{self.target}", self.variant.get(f"{language}_compiler_version"))

    def stdlib(self, language: str) -> str:
        name = self.variant.get(f"{language}_stdlib", _STDLIB.get(self.os))
        if name is None:
            return ""
        return self._spec(f"{name}_{self.target}", self.variant.get(f"{language}_stdlib_version"))

    def cdt(self, name: str) -> str:
        cdt_name = self.variant.get("cdt_name", "conda")
        arch = platforms.info(self.target).arch
        cdt_arch = self.variant.get("cdt_arch", "x86_64" if arch == "x86_64" else arch)
        return f"{name}-{cdt_name}-{cdt_arch}"

    def pin_subpackage(self, name: str, *args: Any, **kwargs: Any) -> str:
        lower, upper, exact = self._pin_args(args, kwargs)
        payload = {"name": name, "lower": lower, "upper": upper, "exact": exact, "v1": self.v1}
        raw = json.dumps(payload, sort_keys=True).encode()
        return _PIN_MARK + _urlsafe_b64(raw)

    def pin_compatible(self, name: str, *args: Any, **kwargs: Any) -> str:
        if not self.v1:
            return self._pin_compatible_v0(name, *args, **kwargs)
        lower, upper, exact = self._pin_args(args, kwargs)
        version = self._variant_version(name)
        if version is None:
            return self._pending(name, lower=lower, upper=upper, exact=exact)
        if exact:
            return f"{name} =={version}"
        from .pins import apply_pin

        return f"{name} {apply_pin(str(version), lower, upper)}"

    def _pin_compatible_v0(
        self,
        name: str,
        lower_bound: str | None = None,
        upper_bound: str | None = None,
        min_pin: str | None = "x.x.x.x.x.x",
        max_pin: str | None = "x",
        exact: bool = False,
        **_: Any,
    ) -> str:
        """conda-build's signature and rules: ``lower_bound`` replaces the host version,
        ``upper_bound`` replaces the max pin (``>=version,<upper_bound``)."""
        version = self._variant_version(name)
        if exact and version is not None:
            return f"{name} =={version}"
        version = lower_bound or version
        if version is None:
            return self._pending(
                name, lower=min_pin, upper=max_pin, exact=exact, upper_bound=upper_bound
            )
        version = str(version).split()[0]
        if upper_bound:
            lower = f">={version}," if (min_pin or lower_bound) else ""
            return f"{name} {lower}<{upper_bound}"
        from .pins import apply_pin

        return f"{name} {apply_pin(version, min_pin, max_pin)}"

    def _pending(self, name: str, **pin: Any) -> str:
        """The host environment decides: a marker that stands for the bare name in the
        requirements and carries the pin to the build stage, which resolves it after solving."""
        if not pin.get("upper_bound"):
            pin.pop("upper_bound", None)
        payload = {"name": name, **pin}
        self.pending.append(payload)
        raw = json.dumps(payload, sort_keys=True).encode()
        return _COMPAT_MARK + _urlsafe_b64(raw)

    def _variant_version(self, name: str) -> Any:
        return self.variant.get(name, self.variant.get(name.replace("-", "_")))

    def _pin_args(
        self, args: tuple[Any, ...], kwargs: Mapping[str, Any]
    ) -> tuple[str | None, str | None, bool]:
        if self.v1:
            upper = kwargs.get("upper_bound", args[0] if args else "x")
            lower = kwargs.get("lower_bound", args[1] if len(args) > 1 else "x.x.x.x.x.x")
        else:
            lower = kwargs.get("min_pin", args[0] if args else "x.x.x.x.x.x")
            upper = kwargs.get("max_pin", args[1] if len(args) > 1 else "x")
        return lower, upper, bool(kwargs.get("exact", False))

    def as_context(self) -> dict[str, Callable[..., str]]:
        return {
            "compiler": self.compiler,
            "stdlib": self.stdlib,
            "cdt": self.cdt,
            "pin_subpackage": self.pin_subpackage,
            "pin_compatible": self.pin_compatible,
        }


# base64's urlsafe alphabet over binascii (the base64 module, with struct, is 1 ms to import).
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _urlsafe_b64(raw: bytes) -> str:
    return binascii.b2a_base64(raw, newline=False).translate(_TO_URLSAFE).decode()


def _decode(payload: str) -> dict[str, Any]:
    pin: dict[str, Any] = json.loads(binascii.a2b_base64(payload.encode().translate(_FROM_URLSAFE)))
    return pin


def take_compatible_pins(specs: list[str]) -> tuple[list[str], list[PendingPin]]:
    """``pin_compatible`` markers -> the bare names and the pins the build resolves."""
    out: list[str] = []
    pins: list[PendingPin] = []
    for spec in specs:
        match = COMPAT_RE.search(spec)
        if match is None:
            out.append(spec)
            continue
        pin = _decode(match.group(1))
        pins.append(PendingPin(**pin))
        out.append(spec[: match.start()] + str(pin["name"]) + spec[match.end() :])
    return out, pins


def pinned_names(text: str) -> list[str]:
    """The output names the ``pin_subpackage`` markers in ``text`` refer to."""
    return [str(_decode(m.group(1))["name"]) for m in PIN_RE.finditer(text)]


def unknown_output_error(name: str, outputs: Collection[str], where: Any) -> RecipeError:
    return RecipeError(
        f"pin_subpackage({name!r}) names no output of this recipe",
        where,
        hint=f"outputs are: {', '.join(sorted(outputs)) or 'none'}; "
        "for a package built elsewhere use pin_compatible",
    )


def resolve_pins(spec: str, outputs: Mapping[str, tuple[str, str]], where: Any = None) -> str:
    """Replace a pin_subpackage marker with a real spec; ``outputs`` maps name -> (version,
    build string) of the recipe's outputs for this variant."""
    match = PIN_RE.search(spec)
    if match is None:
        return spec
    pin = _decode(match.group(1))
    if pin["name"] not in outputs:
        raise unknown_output_error(pin["name"], outputs, where)
    version, build_string = outputs[pin["name"]]
    if pin["exact"]:
        # rattler-build writes `==1.2.3`; conda-build the bare version.
        resolved = f"{pin['name']} {'==' if pin.get('v1') else ''}{version} {build_string}"
    else:
        from .pins import apply_pin

        resolved = f"{pin['name']} {apply_pin(version, pin['lower'], pin['upper'])}".rstrip()
    return spec[: match.start()] + resolved + spec[match.end() :]
