"""Reading and rewriting Mach-O load commands with lief (the only lief user for Mach-O).

``LiefMachoRelinker().read(path)`` -> ``MachoLinks(install_name="/p/lib/libx.dylib",
dylibs=("/usr/lib/libSystem.B.dylib",), rpaths=("/p/lib",), signed=True)``;
``write(path, old, new)`` stores ``new`` and, when the file was signed, signs it again ad hoc
(``codesign.adhoc_sign``): Apple silicon refuses to run a binary whose pages no longer match.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import codesign
from .model import MachoLinks, RelocationError, UnreadableBinary

_DYLIB_KINDS = (
    "LOAD_DYLIB", "LOAD_WEAK_DYLIB", "REEXPORT_DYLIB", "LAZY_LOAD_DYLIB", "LOAD_UPWARD_DYLIB",
)  # fmt: skip


class LiefMachoRelinker:
    """Mach-O install names, dependent libraries and LC_RPATHs, read and written with lief."""

    def read(self, path: Path) -> MachoLinks:
        _fat, binary = _parse(path)
        names = _dylib_commands(binary)
        ident = [c.name for c in binary.commands if _kind(c) == "ID_DYLIB"]
        return MachoLinks(
            install_name=ident[0] if ident else None,
            dylibs=tuple(c.name for c in names),
            rpaths=tuple(c.path for c in _rpath_commands(binary)),
            signed=binary.has_code_signature,
        )

    def write(self, path: Path, old: MachoLinks, new: MachoLinks) -> None:
        _fat, binary = _parse(path)  # the container must stay alive while the slice is used
        if len(new.dylibs) != len(old.dylibs):
            raise ValueError("a Mach-O plan renames libraries, it never adds or drops them")
        for command in binary.commands:
            if _kind(command) == "ID_DYLIB" and new.install_name is not None:
                command.name = new.install_name
        for command, name in zip(_dylib_commands(binary), new.dylibs, strict=True):
            if command.name != name:
                command.name = name
        _set_rpaths(binary, new.rpaths)
        data = bytes(binary.write_to_bytes())
        if old.signed:
            data = codesign.adhoc_sign(data, path.name)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise RelocationError(f"cannot write {path}: {exc.strerror}") from exc


def _set_rpaths(binary: Any, rpaths: tuple[str, ...]) -> None:
    """Rewrite the LC_RPATHs in place, drop the extra ones, append any new ones."""
    import lief

    commands = _rpath_commands(binary)
    for command, entry in zip(commands, rpaths, strict=False):
        if command.path != entry:
            command.path = entry
    for command in commands[len(rpaths) :]:
        binary.remove(command)
    for entry in rpaths[len(commands) :]:
        if binary.add(lief.MachO.RPathCommand.create(entry)) is None:
            raise RelocationError(f"lief could not add LC_RPATH {entry!r}")


def _parse(path: Path) -> tuple[Any, Any]:
    """(the fat container, its one slice): the container must outlive the slice."""
    import lief

    with lief.logging.level_scope(lief.logging.LEVEL.OFF):
        fat = lief.MachO.parse(str(path))
    if fat is None or fat.size == 0:
        raise UnreadableBinary(f"cannot parse Mach-O file {path}")
    if fat.size > 1:
        raise UnreadableBinary(f"{path}: a universal (fat) Mach-O file; not relinked")
    return fat, fat.at(0)


def _kind(command: Any) -> str:
    return str(command.command.name)


def _dylib_commands(binary: Any) -> list[Any]:
    return [c for c in binary.commands if _kind(c) in _DYLIB_KINDS]


def _rpath_commands(binary: Any) -> list[Any]:
    return [c for c in binary.commands if _kind(c) == "RPATH"]
