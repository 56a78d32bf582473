"""PATH shims that run a cross package's programs under qemu when binfmt_misc is not set up."""

from __future__ import annotations

from pathlib import Path

from conda_forge_like.build import emulation
from conda_forge_like.platforms import Execution


def test_shims_for_target_programs_only(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (prefix / "bin").mkdir(parents=True)
    elf = b"\x7fELF\x02\x01\x01" + bytes(11)  # 64-bit little-endian; e_machine follows
    (prefix / "bin" / "tool").write_bytes(elf + (183).to_bytes(2, "little") + bytes(40))
    (prefix / "bin" / "cmake").write_bytes(elf + (62).to_bytes(2, "little") + bytes(40))
    (prefix / "bin" / "wrapper").write_text('#!/bin/sh\ntool "$@"\n')
    runs = Execution("linux-aarch64", False, "/usr/bin/qemu-aarch64-static",
                     (("QEMU_LD_PREFIX", "/usr/aarch64-linux-gnu"),))  # fmt: skip
    assert emulation.needs_shims(runs)
    shims = emulation.shims(prefix, runs, tmp_path / "shims")
    assert sorted(p.name for p in shims.iterdir()) == ["tool"]
    text = (shims / "tool").read_text()
    assert text == f'#!/bin/sh\nexec /usr/bin/qemu-aarch64-static {prefix}/bin/tool "$@"\n'
    assert (shims / "tool").stat().st_mode & 0o111
    assert "full path" in emulation.note(runs)


def test_no_shims_where_programs_run_directly_or_nothing_runs_them() -> None:
    assert not emulation.needs_shims(Execution("linux-64", True))
    assert not emulation.needs_shims(Execution("linux-aarch64", True, "/usr/bin/qemu-aarch64"))
    assert not emulation.needs_shims(Execution("win-64", False, note="no wine"))
