"""Writing, reading and extracting real .conda and .tar.bz2 files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from conda_package_streaming import package_streaming

from conda_forge_like import package
from conda_forge_like.errors import PackageError
from conda_forge_like.package import PackageMetadata, PathRecord, records

PLACEHOLDER = "/opt/cfl/host_env" + "_placehold" * 8
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
FORMATS = ["conda", "tar.bz2"]


def make_tree(root: Path) -> None:
    (root / "bin").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "lib").mkdir()
    (root / "share" / "empty").mkdir(parents=True)
    script = root / "bin" / "greet"
    script.write_text(f'#!/bin/sh\necho "hello from {PLACEHOLDER}"\n')
    script.chmod(0o755)
    (root / "etc" / "greet.cfg").write_text(f"prefix={PLACEHOLDER}\n")
    (root / "lib" / "libgreet.so.1").write_bytes(b"\x7fELF\0" + PLACEHOLDER.encode() + b"\0tail")
    (root / "lib" / "libgreet.so").symlink_to("libgreet.so.1")


def tree_records(root: Path) -> list[PathRecord]:
    return [
        package.file_record(root, "bin/greet", PLACEHOLDER),
        package.file_record(root, "etc/greet.cfg", PLACEHOLDER),
        package.file_record(root, "lib/libgreet.so.1", PLACEHOLDER),
        package.file_record(root, "lib/libgreet.so"),
        package.file_record(root, "share/empty"),
    ]


META = PackageMetadata(
    name="greet",
    version="1.0",
    build="h1234567_0",
    build_number=0,
    subdir="linux-64",
    depends=("libzlib >=1.3",),
    license="MIT",
    about={"summary": "says hello"},
    run_exports={"weak": ["greet >=1.0,<2.0a0"]},
    hash_input={"target_platform": "linux-64"},
    recipe_files={"recipe.yaml": b"package: {name: greet}\n"},
    test_files={"run_test.sh": b"greet\n"},
    extra_info={"baseplate": "zig-0.17.1"},
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "prefix"
    make_tree(root)
    return root


def write(root: Path, out: Path, fmt: str, environ: dict[str, str] | None = None) -> Path:
    return package.write(root, tree_records(root), META, out, fmt, environ=environ or EPOCH)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- path records -----------------------------------------------------------------------


def test_file_record_hashes_content_and_detects_file_mode(tree: Path) -> None:
    text = package.file_record(tree, "etc/greet.cfg", PLACEHOLDER)
    binary = package.file_record(tree, "lib/libgreet.so.1", PLACEHOLDER)
    content = (tree / "etc" / "greet.cfg").read_bytes()
    assert text == PathRecord(
        "etc/greet.cfg",
        "hardlink",
        hashlib.sha256(content).hexdigest(),
        len(content),
        PLACEHOLDER,
        "text",
    )
    assert binary.file_mode == "binary"
    assert package.file_record(tree, "bin/greet").file_mode is None


def test_symlink_record_follows_conda_build_and_rattler_build(tree: Path) -> None:
    link = package.file_record(tree, "lib/libgreet.so")
    target = (tree / "lib" / "libgreet.so.1").read_bytes()
    assert link.path_type == "softlink"
    assert link.sha256 == hashlib.sha256(target).hexdigest()
    assert link.size == len("libgreet.so.1")


def test_dangling_or_escaping_symlink_hashes_as_empty(tree: Path, tmp_path: Path) -> None:
    (tmp_path / "outside").write_text("not in the package")
    (tree / "lib" / "dangling").symlink_to("nothing-here")
    (tree / "lib" / "escaping").symlink_to("../../outside")
    for name in ("dangling", "escaping"):
        assert package.file_record(tree, f"lib/{name}").sha256 == records.EMPTY_SHA256


def test_directory_record(tree: Path) -> None:
    assert package.file_record(tree, "share/empty") == PathRecord("share/empty", "directory", "", 0)


@pytest.mark.parametrize(
    ("relpath", "kwargs", "match"),
    [
        ("../prefix/bin/greet", {}, "normalized"),
        ("bin/missing", {}, "cannot read"),
        ("bin/greet", {"file_mode": "text"}, "without a placeholder"),
        ("bin/greet", {"placeholder": PLACEHOLDER, "file_mode": "utf8"}, "file_mode"),
        ("lib/libgreet.so", {"placeholder": PLACEHOLDER}, "symlink"),
    ],
)
def test_file_record_refuses(tree: Path, relpath: str, kwargs: dict[str, str], match: str) -> None:
    with pytest.raises(PackageError, match=match):
        package.file_record(tree, relpath, **kwargs)


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_writing_twice_gives_identical_bytes(tree: Path, tmp_path: Path, fmt: str) -> None:
    first = write(tree, tmp_path / "one", fmt)
    for path in tree.rglob("*"):
        os.utime(path, (1_234_567_890, 1_234_567_890), follow_symlinks=False)
    (tree / "bin" / "greet").chmod(0o700)  # only the executable bit is kept
    (tree / "etc" / "greet.cfg").chmod(0o600)
    second = write(tree, tmp_path / "two", fmt)
    assert first.name == f"greet-1.0-h1234567_0.{fmt}"
    assert sha256(first) == sha256(second)


def test_conda_bytes_do_not_depend_on_zstd_threads(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small inner archives use one zstd worker, big ones one per core: the same bytes."""
    from conda_forge_like.package import archive

    (tree / "share" / "blob").write_bytes(os.urandom(1 << 16) * 40)  # 2.5 MiB, 2 jobs' worth
    records = [*tree_records(tree), package.file_record(tree, "share/blob")]
    one = package.write(tree, records, META, tmp_path / "one", "conda", environ=EPOCH)
    monkeypatch.setattr(archive, "_ONE_JOB", 0)  # every archive multi-threaded
    many = package.write(tree, records, META, tmp_path / "many", "conda", environ=EPOCH)
    assert sha256(one) == sha256(many)


@pytest.mark.parametrize("fmt", FORMATS)
def test_source_date_epoch_sets_the_archive_time(tree: Path, tmp_path: Path, fmt: str) -> None:
    first = write(tree, tmp_path / "one", fmt, {"SOURCE_DATE_EPOCH": "1700000000"})
    second = write(tree, tmp_path / "two", fmt, {"SOURCE_DATE_EPOCH": "1700000002"})
    assert sha256(first) != sha256(second)
    assert package.read_index(second)["timestamp"] == 1_700_000_002_000


# --- layout -----------------------------------------------------------------------------


def inner_tar(archive: zipfile.ZipFile, name: str) -> tarfile.TarFile:
    data = zstandard.ZstdDecompressor().stream_reader(archive.read(name)).read()
    return tarfile.open(fileobj=io.BytesIO(data))


def test_conda_layout(tree: Path, tmp_path: Path) -> None:
    path = write(tree, tmp_path, "conda")
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        assert [e.filename for e in entries] == [
            "metadata.json",
            "pkg-greet-1.0-h1234567_0.tar.zst",
            "info-greet-1.0-h1234567_0.tar.zst",
        ]
        assert {e.compress_type for e in entries} == {zipfile.ZIP_STORED}
        assert {e.date_time for e in entries} == {(2023, 11, 14, 22, 13, 20)}
        assert json.loads(archive.read("metadata.json")) == {"conda_pkg_format_version": 2}
        pkg = inner_tar(archive, entries[1].filename).getmembers()
        info = inner_tar(archive, entries[2].filename).getmembers()
    assert [m.name for m in pkg] == [
        "bin/greet",
        "etc/greet.cfg",
        "lib/libgreet.so",
        "lib/libgreet.so.1",
        "share/empty",
    ]
    assert all(m.name.startswith("info/") for m in info)
    assert [m.name for m in info] == sorted(m.name for m in info)
    for member in pkg + info:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert member.mtime == 1_700_000_000
    modes = {m.name: (m.type, m.mode) for m in pkg}
    assert modes["bin/greet"] == (tarfile.REGTYPE, 0o755)
    assert modes["etc/greet.cfg"] == (tarfile.REGTYPE, 0o644)
    assert modes["lib/libgreet.so"] == (tarfile.SYMTYPE, 0o777)
    assert modes["share/empty"] == (tarfile.DIRTYPE, 0o755)


def test_tar_bz2_has_info_first(tree: Path, tmp_path: Path) -> None:
    path = write(tree, tmp_path, "tar.bz2")
    with tarfile.open(path, "r:bz2") as tar:
        names = tar.getnames()
        assert tar.getmember("lib/libgreet.so").linkname == "libgreet.so.1"
    info = [n for n in names if n.startswith("info/")]
    assert names[: len(info)] == info
    assert names[len(info) :] == sorted(names[len(info) :])


@pytest.mark.parametrize("fmt", FORMATS)
def test_paths_json_and_info_members(tree: Path, tmp_path: Path, fmt: str) -> None:
    path = write(tree, tmp_path, fmt)
    paths = json.loads(package.read_info(path, "paths.json") or b"")
    assert paths["paths_version"] == 1
    entries = {p["_path"]: p for p in paths["paths"]}
    assert list(entries) == sorted(entries)
    assert entries["etc/greet.cfg"]["prefix_placeholder"] == PLACEHOLDER
    assert entries["etc/greet.cfg"]["file_mode"] == "text"
    assert entries["lib/libgreet.so.1"]["file_mode"] == "binary"
    assert entries["lib/libgreet.so"]["path_type"] == "softlink"
    assert entries["share/empty"] == {"_path": "share/empty", "path_type": "directory"}
    assert entries["bin/greet"]["size_in_bytes"] == (tree / "bin" / "greet").stat().st_size
    assert package.read_info(path, "test/run_test.sh") == b"greet\n"
    assert package.read_info(path, "info/recipe/recipe.yaml") == b"package: {name: greet}\n"
    assert json.loads(package.read_info(path, "run_exports.json") or b"") == META.run_exports
    assert json.loads(package.read_info(path, "cfl.json") or b"") == {"baseplate": "zig-0.17.1"}
    assert package.read_info(path, "link.json") is None
    assert package.read_info(path, "files") == (
        b"bin/greet\netc/greet.cfg\nlib/libgreet.so\nlib/libgreet.so.1\nshare/empty\n"
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_index(tree: Path, tmp_path: Path, fmt: str) -> None:
    index = package.read_index(write(tree, tmp_path, fmt))
    assert index["name"] == "greet"
    assert index["depends"] == ["libzlib >=1.3"]
    assert (index["subdir"], index["arch"], index["platform"]) == ("linux-64", "x86_64", "linux")


@pytest.mark.parametrize("fmt", FORMATS)
def test_conda_package_streaming_reads_what_cfl_writes(
    tree: Path, tmp_path: Path, fmt: str
) -> None:
    path = write(tree, tmp_path, fmt)
    info = {}
    for tar, member in package_streaming.stream_conda_info(str(path)):
        if member.isfile():  # a .tar.bz2 streams its pkg members here too
            info[member.name] = tar.extractfile(member).read()
    assert json.loads(info["info/index.json"])["name"] == "greet"
    names = []
    for _, member in package_streaming.stream_conda_component(str(path), component="pkg"):
        names.append(member.name)
    assert "lib/libgreet.so.1" in names


# --- extraction -------------------------------------------------------------------------


@pytest.mark.parametrize("filters", [True, False], ids=["stdlib-filter", "python<3.11.4"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_extract_round_trip(
    tree: Path, tmp_path: Path, fmt: str, filters: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conda_forge_like.package import reader

    monkeypatch.setattr(reader, "_HAS_FILTERS", filters)  # .conda's inner tars are streams
    dest = tmp_path / "extracted"
    package.extract(write(tree, tmp_path, fmt), dest)
    for name in ("bin/greet", "etc/greet.cfg", "lib/libgreet.so.1"):
        assert (dest / name).read_bytes() == (tree / name).read_bytes()
    assert os.readlink(dest / "lib" / "libgreet.so") == "libgreet.so.1"
    assert os.access(dest / "bin" / "greet", os.X_OK)
    assert (dest / "share" / "empty").is_dir()
    assert json.loads((dest / "info" / "index.json").read_text())["name"] == "greet"


def evil_tar(members: list[tarfile.TarInfo]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member in members:
            tar.addfile(member, io.BytesIO(b"x" * member.size))
    return buffer.getvalue()


def dotdot_file() -> tarfile.TarInfo:
    member = tarfile.TarInfo("../escaped.txt")
    member.size = 1
    return member


def absolute_link() -> tarfile.TarInfo:
    member = tarfile.TarInfo("lib/passwd")
    member.type, member.linkname = tarfile.SYMTYPE, "/etc/passwd"
    return member


def write_evil_conda(path: Path, members: list[tarfile.TarInfo]) -> None:
    compress = zstandard.ZstdCompressor().compress
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", '{"conda_pkg_format_version": 2}')
        archive.writestr("info-evil-1-0.tar.zst", compress(evil_tar([])))
        archive.writestr("pkg-evil-1-0.tar.zst", compress(evil_tar(members)))


@pytest.mark.parametrize("filters", [True, False], ids=["stdlib-filter", "python<3.11.4"])
@pytest.mark.parametrize("make_member", [dotdot_file, absolute_link])
@pytest.mark.parametrize("fmt", FORMATS)
def test_extract_refuses_members_escaping_dest(
    tmp_path: Path,
    fmt: str,
    make_member: Callable[[], tarfile.TarInfo],
    filters: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from conda_forge_like.package import reader

    monkeypatch.setattr(reader, "_HAS_FILTERS", filters)  # Debian 12's python3 has none
    archive = tmp_path / f"evil-1-0.{fmt}"
    if fmt == "conda":
        write_evil_conda(archive, [make_member()])
    else:
        with tarfile.open(archive, "w:bz2") as tar:
            member = make_member()
            tar.addfile(member, io.BytesIO(b"x" * member.size))
    dest = tmp_path / "dest"
    with pytest.raises(PackageError, match="unsafe member"):
        package.extract(archive, dest)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (dest / "lib" / "passwd").exists()


def test_reading_a_non_package_fails_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus-1-0.conda"
    bogus.write_bytes(b"not a zip")
    with pytest.raises(PackageError, match="cannot read"):
        package.read_index(bogus)
    with pytest.raises(PackageError, match="not a conda package") as caught:
        package.read_index(tmp_path / "thing.zip")
    assert ".tar.bz2" in (caught.value.hint or "")


# --- atomic writes ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_write_leaves_no_file(tree: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    recs = tree_records(tree)
    (tree / "etc" / "greet.cfg").unlink()
    with pytest.raises(PackageError, match=r"greet\.cfg"):
        package.write(tree, recs, META, out, fmt, environ=EPOCH)
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_changed_after_its_record_keeps_the_old_package(
    tree: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "out"
    good = write(tree, out, fmt)
    before = sha256(good)
    recs = tree_records(tree)
    (tree / "etc" / "greet.cfg").write_text("prefix=/somewhere/else\n")
    with pytest.raises(PackageError, match="changed after") as caught:
        package.write(tree, recs, META, out, fmt, environ=EPOCH)
    assert "relocation" in (caught.value.hint or "")
    assert [p.name for p in out.iterdir()] == [good.name]
    assert sha256(good) == before


def test_unknown_format_is_refused(tree: Path, tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="zip"):
        package.write(tree, [], META, tmp_path, "zip")


def test_the_zstd_level_is_the_callers_and_checked(tree: Path, tmp_path: Path) -> None:
    (tree / "share" / "words.txt").write_text(" ".join(str(i * 7919 % 10007) for i in range(20000)))
    records = [*tree_records(tree), package.file_record(tree, "share/words.txt")]
    sizes = {}
    for level in (-7, 15, 22):
        out = package.write(tree, records, META, tmp_path / str(level), "conda",
                            compression_level=level, environ=EPOCH)  # fmt: skip
        with zipfile.ZipFile(out) as archive:
            sizes[level] = archive.getinfo("pkg-greet-1.0-h1234567_0.tar.zst").file_size
    assert sizes[22] < sizes[15] < sizes[-7]
    default = package.write(tree, records, META, tmp_path / "default", "conda", environ=EPOCH)
    assert sha256(default) == sha256(tmp_path / "15" / default.name)  # rattler-build's default
    for fmt, level in (("conda", 23), ("conda", -8), ("tar.bz2", 9)):
        with pytest.raises(PackageError, match="compression level"):
            package.write(tree, records, META, tmp_path / "bad", fmt, compression_level=level)
    assert not (tmp_path / "bad").exists()
