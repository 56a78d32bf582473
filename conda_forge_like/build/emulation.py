"""Running a cross package's tests under the target's emulator when the kernel cannot start its
programs by itself (qemu-user installed, but not registered with binfmt_misc).

``shims(prefix, runs, dest)`` writes, for every target-architecture ELF program in
``prefix/bin``, a shell script
``dest/<name>`` that runs it under the emulator (``qemu-aarch64-static``, with
``QEMU_LD_PREFIX`` from ``runs.env``), and returns ``dest`` to put first on PATH: test commands
call programs by name (``lz4 --version``), which then works; a program started by its full path
(``$PREFIX/bin/lz4``) still needs binfmt_misc.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ..platforms import Execution, info

_ELF = b"\x7fELF"
# ELF e_machine per conda arch: build tools linked into the test environment (cmake from the
# base plate) are the build machine's and must not be shimmed.
_MACHINES = {"aarch64": 183, "x86_64": 62, "ppc64le": 21, "s390x": 22, "riscv64": 243}


def needs_shims(runs: Execution) -> bool:
    """The target's programs run here only when named through the emulator."""
    return not runs.direct and runs.emulator is not None


def note(runs: Execution) -> str:
    return (
        f"{runs.subdir} programs in $PREFIX/bin run under {runs.emulator} through PATH shims "
        "(qemu is not registered with binfmt_misc: a program started by its full path fails)"
    )


def shims(prefix: Path, runs: Execution, dest: Path) -> Path:
    """One shim per ELF program of ``prefix/bin`` in ``dest`` (created; emptied first)."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        old.unlink()
    emulator = shlex.quote(str(runs.emulator))
    machine = _MACHINES.get(info(runs.subdir).arch)
    for program in sorted((prefix / "bin").glob("*")):
        if not program.is_file() or _elf_machine(program) != machine:
            continue
        shim = dest / program.name
        shim.write_text(f'#!/bin/sh\nexec {emulator} {shlex.quote(str(program))} "$@"\n')
        shim.chmod(0o755)
    return dest


def _elf_machine(path: Path) -> int | None:
    """An ELF file's e_machine (little-endian ELF only: every target cfl emulates), else None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[:4] != _ELF or head[5] != 1:
        return None
    return int.from_bytes(head[18:20], "little")
