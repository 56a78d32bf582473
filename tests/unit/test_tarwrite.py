"""package.tarwrite: byte for byte what tarfile writes in PAX_FORMAT for the same members."""

from __future__ import annotations

import bz2
import io
import random
import tarfile

import pytest

from conda_forge_like.package import tarwrite
from conda_forge_like.package.archive import _Bzip2Writer

KINDS = {tarwrite.REGULAR: tarfile.REGTYPE, tarwrite.SYMLINK: tarfile.SYMTYPE,
         tarwrite.DIRECTORY: tarfile.DIRTYPE}  # fmt: skip


def _info(name: str, kind: bytes, mode: int, mtime: int, size: int, link: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.size, info.linkname = kind, mode, mtime, size, link
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _names(rng: random.Random) -> list[str]:
    pieces = ["lib", "share/doc", "é", "日本", "a" * 40, "b" * 99, "\udcff", "x y", "-"]
    names = ["a", "a" * 99, "a" * 100, "a" * 101, "d/" * 50, "c" * 255, "ü" * 50, "ü" * 51]
    for _ in range(300):
        names.append("/".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))))
    return names


@pytest.mark.parametrize("seed", range(4))
def test_archives_are_tarfiles_bytes(seed: int) -> None:
    rng = random.Random(seed)
    members = []
    for name in _names(rng):
        kind = rng.choice(list(KINDS))
        size = rng.choice([0, 1, 511, 512, 513, 10_000]) if kind == tarwrite.REGULAR else 0
        link = (
            rng.choice(["x", "../" * 40 + "target", "ö" * 60]) if kind == tarwrite.SYMLINK else ""
        )
        mode = {tarwrite.REGULAR: rng.choice([0o644, 0o755]), tarwrite.SYMLINK: 0o777}
        mtime = rng.choice([0, 1_700_000_000, 8**11 - 1, 8**11])
        data = rng.randbytes(size)
        members.append((name, kind, mode.get(kind, 0o755), mtime, size, link, data))
    theirs = io.BytesIO()
    with tarfile.open(fileobj=theirs, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, mode, mtime, size, link, data in members:
            info = _info(name, KINDS[kind], mode, mtime, size, link)
            tar.addfile(info, io.BytesIO(data) if kind == tarwrite.REGULAR else None)
    ours = io.BytesIO()
    writer = tarwrite.TarWriter(ours)
    for name, kind, mode, mtime, size, link, data in members:
        if kind == tarwrite.REGULAR and rng.random() < 0.5:
            writer.add_bytes(name, data, mtime, mode)
        else:
            source = io.BytesIO(data) if kind == tarwrite.REGULAR else None
            writer.add(name, kind, mode, mtime, size, link, source)
    writer.close()
    assert ours.getvalue() == theirs.getvalue()
    with tarfile.open(fileobj=io.BytesIO(ours.getvalue())) as back:  # and it reads back
        assert [m.name for m in back.getmembers()] == [
            m[0].rstrip("/") if m[1] == tarwrite.DIRECTORY else m[0] for m in members
        ]


@pytest.mark.parametrize("size", [8**11 - 1, 8**11, 10**13])
def test_sizes_beyond_ustar_go_to_the_pax_header(size: int) -> None:
    info = _info("big.bin", tarfile.REGTYPE, 0o644, 0, size, "")
    expected = info.tobuf(tarfile.PAX_FORMAT, tarfile.ENCODING, "surrogateescape")
    assert tarwrite.header("big.bin", tarwrite.REGULAR, 0o644, 0, size) == expected


def test_a_short_file_is_an_error_as_with_tarfile() -> None:
    writer = tarwrite.TarWriter(io.BytesIO())
    with pytest.raises(OSError, match="unexpected end of data"):
        writer.add("f", tarwrite.REGULAR, 0o644, 0, 10, data=io.BytesIO(b"short"))


def test_bzip2_stream_is_tarfiles_w_bz2() -> None:
    data = random.Random(1).randbytes(300_000) * 3
    theirs = io.BytesIO()
    with tarfile.open(fileobj=theirs, mode="w|bz2", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_info("f", tarfile.REGTYPE, 0o644, 5, len(data), ""), io.BytesIO(data))
    ours = io.BytesIO()
    packed = _Bzip2Writer(ours)
    writer = tarwrite.TarWriter(packed)  # type: ignore[arg-type]
    writer.add("f", tarwrite.REGULAR, 0o644, 5, len(data), data=io.BytesIO(data))
    writer.close()
    packed.close()
    assert ours.getvalue() == theirs.getvalue()
    assert bz2.decompress(ours.getvalue())[:1] == b"f"
