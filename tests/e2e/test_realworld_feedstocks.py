"""conda-forge feedstocks, unmodified, built offline from the shared source cache.

``../shared/realworld/<feedstock>/recipe`` are real conda-forge recipes (gtest, lz4-c, snappy,
libdeflate, fmt, brotli, libjpeg-turbo); ``../shared/sources`` holds their upstream tarballs by
sha256. One ``cfl build`` of all of them per target: every output builds except
brotli-python (no channel has a Python yet), the feedstocks' own tests pass where the binaries
run here, the tools run from a prefix py-rattler installs, and no file under
``../shared/realworld`` changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conda_forge_like import api, index
from conda_forge_like.build import environments
from conda_forge_like.errors import CflError, CflErrorGroup

pytestmark = pytest.mark.slow
_HERE = Path(__file__).resolve()
# ``shared/`` lives beside the repository (parents[3]); a git worktree in ``wt/<name>/`` finds
# it one level higher.
SHARED = next(
    (p / "shared" for p in _HERE.parents[3:5] if (p / "shared" / "realworld").is_dir()),
    _HERE.parents[3] / "shared",
)
REALWORLD, SOURCES = SHARED / "realworld", SHARED / "sources"
if not REALWORLD.is_dir() or not SOURCES.is_dir():
    pytest.skip(
        f"{REALWORLD} and {SOURCES} are absent (the conda-forge feedstocks are test inputs "
        "shipped beside the repository, not in it)",
        allow_module_level=True,
    )

# Every output of the seven feedstocks that does not need Python.
EXPECTED = {
    "gtest", "gmock", "lz4-c", "lz4-c-static", "snappy", "libdeflate", "fmt",
    "libbrotlicommon", "libbrotlienc", "libbrotlidec", "brotli-bin", "brotli", "libjpeg-turbo",
}  # fmt: skip


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Built:
    def __init__(self, channel: Path, subdir: str):
        self.channel, self.subdir = channel, subdir
        self.events: list[tuple[str, str, str]] = []
        self.error: CflError | None = None

    def names(self) -> set[str]:
        return {r["name"] for r in index.records(self.channel, self.subdir).values()}

    def errors(self) -> list[CflError]:
        if self.error is None:
            return []
        return self.error.errors if isinstance(self.error, CflErrorGroup) else [self.error]


def _build(tmp: Path, subdir: str) -> Built:
    before = _tree_digest(REALWORLD)
    built = Built(tmp / "channel", subdir)
    recipes = sorted(str(p) for p in REALWORLD.glob("*/recipe"))
    try:
        api.build(
            recipes,
            output_dir=built.channel,
            target_platform=subdir,
            source_cache=SOURCES,
            sandbox=False,
            report=lambda event, r, detail: built.events.append((event, r.name, detail)),
        )
    except CflError as exc:
        built.error = exc
    assert _tree_digest(REALWORLD) == before, "the build changed a file of the feedstocks"
    return built


@pytest.fixture(scope="module")
def linux64(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("rw-linux-64"), "linux-64")


@pytest.fixture(scope="module")
def aarch64(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("rw-linux-aarch64"), "linux-aarch64")


@pytest.fixture(scope="module")
def osx_arm64(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory.mktemp("rw-osx-arm64"), "osx-arm64")


def _only_python_failed(built: Built) -> None:
    assert built.names() == EXPECTED, [e for e in built.events if e[0] == "failed"]
    failures = [str(e) for e in built.errors()]
    assert failures
    assert all("of brotli-python is in no channel" in f for f in failures), failures
    assert any("host requirement 'python" in f for f in failures), failures


def test_linux_64_builds_every_output_but_the_python_one(linux64: Built) -> None:
    _only_python_failed(linux64)
    tested = {name for event, name, _ in linux64.events if event == "test"}
    assert tested == EXPECTED, "each feedstock's own tests ran"


def _install(built: Built, specs: list[str], prefix: Path, cache: Path) -> None:
    environments.create(prefix, specs, [built.channel], built.subdir, cache)


def test_the_tools_run_from_a_fresh_prefix(linux64: Built, tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    _install(linux64, ["lz4-c", "libdeflate", "libjpeg-turbo", "brotli"], prefix, tmp_path)
    bin_dir = prefix / "bin"
    assert "v1.10.0" in _run([bin_dir / "lz4", "--version"])
    data = tmp_path / "data.txt"
    data.write_text("hello feedstocks\n" * 100)
    subprocess.run([bin_dir / "libdeflate-gzip", "-k", data], check=True)
    assert (tmp_path / "data.txt.gz").stat().st_size < data.stat().st_size
    assert "3.1.4.1" in _run([bin_dir / "cjpeg", "-version"])
    _run([bin_dir / "brotli", "--version"])


def _run(cmd: list[Path | str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return done.stdout + done.stderr


def test_linux_aarch64_builds_and_its_executables_run_under_qemu(
    aarch64: Built, tmp_path: Path
) -> None:
    _only_python_failed(aarch64)
    qemu = shutil.which("qemu-aarch64-static")
    if qemu is None or not Path("/usr/aarch64-linux-gnu").is_dir():
        pytest.skip("qemu-aarch64-static and libc6-arm64-cross are not installed")
    prefix = tmp_path / "env"
    _install(aarch64, ["lz4-c", "libdeflate"], prefix, tmp_path)
    env = {**os.environ, "QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"}
    lz4 = [qemu, "-L", "/usr/aarch64-linux-gnu", str(prefix / "bin" / "lz4"), "--version"]
    assert "v1.10.0" in _run(lz4, env)
    gzip = [qemu, "-L", "/usr/aarch64-linux-gnu", str(prefix / "bin" / "libdeflate-gzip"), "-h"]
    assert "Usage" in _run(gzip, env)


def test_osx_arm64_builds_relocated_and_signed(osx_arm64: Built, tmp_path: Path) -> None:
    from conda_forge_like import package
    from conda_forge_like.relocate import classify
    from conda_forge_like.relocate.codesign import is_signed, verify

    _only_python_failed(osx_arm64)
    notes = [d for event, _, d in osx_arm64.events if event == "warning" and "tests skipped" in d]
    assert notes, "tests of binaries that cannot run here are skipped with a note"
    checked = 0
    for pkg in sorted((osx_arm64.channel / "osx-arm64").glob("*.conda")):
        root = tmp_path / pkg.name
        package.extract(pkg, root)
        files = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
        for relpath in classify(root, [f for f in files if not f.startswith("info/")])["macho"]:
            data = (root / relpath).read_bytes()
            # the host prefix (padded with "_placehold"), not brotli's dictionary's English
            assert b"h_env_placehold_placehold" not in data, relpath
            assert is_signed(data), relpath
            assert verify(data) == [], relpath
            checked += 1
    assert checked >= 10


def test_a_ci_support_file_builds_with_the_base_plate_named_in_the_hash(tmp_path: Path) -> None:
    """conda-forge's `.ci_support/linux_64_.yaml` pins gcc 14, a compiler package no channel
    has: the build says so in one note and its hash names the compiler really used."""
    import json

    from conda_forge_like import package

    events: list[tuple[str, str]] = []
    feedstock = REALWORLD / "libdeflate"
    api.build(
        [feedstock / "recipe"],
        output_dir=tmp_path,
        variant_files=[feedstock / ".ci_support" / "linux_64_.yaml"],
        source_cache=SOURCES,
        sandbox=False,
        report=lambda event, _r, detail: events.append((event, detail)),
    )
    notes = [d for e, d in events if e == "note" and "c_compiler gcc 14" in d]
    assert len(notes) == 1
    assert "zig" in notes[0]
    (pkg,) = (tmp_path / "linux-64").glob("libdeflate-*.conda")
    hashed = json.loads(package.read_info(pkg, "hash_input.json") or b"{}")
    assert hashed["c_compiler"] == "zig"
    assert hashed["c_stdlib_version"] == "2.17"
