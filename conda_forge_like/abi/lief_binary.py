"""Reading Mach-O and PE files with lief (the ABI stage's only lief user; ELF files are read
by ``..elf``): ``read_foreign(Path("lib/libz.1.dylib"))`` -> ``BinaryInfo(format="macho", ...)``.

Imported only when such a file is met: loading lief costs 0.7 s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .binary import BinaryInfo
from .model import AbiCheckError


def read_foreign(path: Path) -> BinaryInfo:
    """Parse a Mach-O or PE ``path``; an unparseable file is an ``AbiCheckError`` naming it."""
    import lief

    with lief.logging.level_scope(lief.logging.LEVEL.OFF):
        binary = lief.parse(str(path))
    if binary is None or isinstance(binary, lief.ELF.Binary):
        raise AbiCheckError(f"cannot parse {path} as Mach-O or PE")
    if isinstance(binary, lief.MachO.Binary):
        return _macho(binary)
    return _pe(binary)


def _macho(binary: Any) -> BinaryInfo:
    rpaths = tuple(c.path for c in binary.rpaths) if hasattr(binary, "rpaths") else ()
    exports = frozenset(s.name for s in binary.exported_symbols)
    own = _macho_id(binary)
    return BinaryInfo(
        format="macho",
        arch=str(binary.header.cpu_type).rsplit(".", 1)[-1].lower(),
        # lief lists the dylib's own LC_ID_DYLIB among its libraries.
        needed=tuple(lib.name for lib in binary.libraries if lib.name != own),
        rpath=rpaths,
        soname=own,
        exports=exports,
    )


def _macho_id(binary: Any) -> str | None:
    """The install name (``LC_ID_DYLIB``) of a dylib; None for executables."""
    import lief

    command = binary.get(lief.MachO.LoadCommand.TYPE.ID_DYLIB)
    return str(command.name) if command is not None else None


def _pe(binary: Any) -> BinaryInfo:
    return BinaryInfo(
        format="pe",
        arch=str(binary.header.machine).rsplit(".", 1)[-1].lower(),
        needed=tuple(imp.name for imp in binary.imports),
        exports=frozenset(e.name for e in binary.get_export().entries if e.name)
        if binary.has_exports
        else frozenset(),
    )
