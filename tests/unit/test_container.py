"""The .conda container cfl writes itself: the bytes of Python's zipfile, and its spool file."""

from __future__ import annotations

import io
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest

from conda_forge_like.fsutil import make_temp
from conda_forge_like.package.archive import _zip_add
from conda_forge_like.package.container import Spool, fits_classic_zip, write_stored_zip


def _with_zipfile(members: list[tuple[str, bytes]], epoch: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members:
            _zip_add(archive, name, io.BytesIO(data), epoch)
    return out.getvalue()


def _with_cfl(members: list[tuple[str, bytes]], epoch: int) -> bytes:
    out = io.BytesIO()
    write_stored_zip(out, [(name, io.BytesIO(data)) for name, data in members], epoch)
    return out.getvalue()


CASES = [
    [("metadata.json", b'{"conda_pkg_format_version": 2}')],
    [("metadata.json", b"{}"), ("pkg-a-1.0-h0_0.tar.zst", os.urandom(70_000)),
     ("info-a-1.0-h0_0.tar.zst", b"")],
    [("pkg-naïve-1.0-h0_0.tar.zst", b"x" * 3), ("info-日本-1.0-h0_0.tar.zst", b"y")],
    [("big-chunks", os.urandom((1 << 20) * 2 + 17))],
]  # fmt: skip


@pytest.mark.parametrize("members", CASES)
@pytest.mark.parametrize("epoch", [315532800, 1700000001, 1733011199])  # zip dates: 1980-
def test_stored_zip_is_zipfiles_bytes(members: list[tuple[str, bytes]], epoch: int) -> None:
    ours = _with_cfl(members, epoch)
    assert ours == _with_zipfile(members, epoch)
    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
        assert [(i.filename, archive.read(i)) for i in archive.infolist()] == members
        for info in archive.infolist():
            assert info.date_time[:5] == time.gmtime(epoch)[:5]
            assert stat.S_IMODE(info.external_attr >> 16) == 0o644


def test_a_member_that_changes_size_is_an_error() -> None:
    class Growing(io.BytesIO):
        def seek(self, offset: int, whence: int = 0) -> int:
            if whence == os.SEEK_END:
                return 1  # claims one byte, then reads three
            return super().seek(offset, whence)

    with pytest.raises(OSError, match="changed size"):
        write_stored_zip(io.BytesIO(), [("m", Growing(b"abc"))], 1700000000)


def test_zip64_sizes_are_left_to_zipfile() -> None:
    assert fits_classic_zip([0, 10, 1 << 30])
    assert not fits_classic_zip([(1 << 31) - 100])  # zipfile would add zip64 extras
    assert not fits_classic_zip([1 << 30, 1 << 30])  # offsets past 2 GiB


def test_spool_moves_to_an_unnamed_file_past_its_limit(tmp_path: Path) -> None:
    data = os.urandom(5000)
    with Spool(tmp_path, limit=1000) as spool:
        spool.write(data[:600])
        assert list(tmp_path.iterdir()) == []
        spool.write(data[600:])
        assert list(tmp_path.iterdir()) == []  # unlinked as soon as it is made
        assert spool.tell() == 5000
        spool.seek(0)
        assert spool.read(10) == data[:10]
        assert spool.read() == data[10:]
        assert spool.seek(0, os.SEEK_END) == 5000
    assert spool.closed


def test_make_temp_makes_a_private_new_file(tmp_path: Path) -> None:
    names = set()
    for _ in range(20):
        fd, path = make_temp(tmp_path, ".x.")
        os.close(fd)
        assert os.path.basename(path).startswith(".x.")
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        names.add(path)
    assert len(names) == 20
