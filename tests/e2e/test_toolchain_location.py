"""Packages do not depend on where the toolchain is installed: the same C++ recipe (one
library linked with -g, one program without) built with the ziglang wheel at two different
paths — two virtualenvs, in effect — gives byte-identical packages that name neither path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conda_forge_like import package
from conda_forge_like.baseplate import tools, wrappers

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
RECIPE = ROOT / "tests" / "data" / "recipes" / "cxx-toolchain-location"

if tools.find_tools().zig is None:
    pytest.skip("zig (the ziglang wheel) is not installed", allow_module_level=True)


def zig_at(where: Path) -> Path:
    """The installed ziglang package again under ``where`` (hard links where the file system
    allows: the same bytes at another path, as a second virtualenv has them)."""
    import ziglang  # type: ignore[import-untyped]

    source = Path(ziglang.__file__).resolve().parent
    dest = where / "ziglang"
    try:
        shutil.copytree(source, dest, symlinks=True, copy_function=os.link)
    except OSError:
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(source, dest, symlinks=True)
    return where


def build_with(where: Path, out: Path) -> tuple[bytes, Path]:
    """(the package's bytes, where it was unpacked) built with the ziglang under ``where``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(where), str(ROOT)])}
    probe = [sys.executable, "-c", "import ziglang; print(ziglang.__file__)"]
    used = subprocess.run(probe, env=env, capture_output=True, text=True, check=True).stdout
    assert used.startswith(str(where)), used
    command = [sys.executable, "-m", "conda_forge_like.cli", "build", str(RECIPE)]
    done = subprocess.run(
        [*command, "--output-dir", str(out)], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (built,) = (out / "linux-64").glob("cxxwhere-*.conda")
    data = built.read_bytes()
    unpacked = where / "unpacked"
    package.extract(built, unpacked)
    shutil.rmtree(out)  # the next build uses the same output directory (and prefix)
    return data, unpacked


def test_two_install_paths_give_identical_packages(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first, unpacked = build_with(zig_at(tmp_path / "venv-a"), out)
    second, _ = build_with(zig_at(tmp_path / "second-venv-b"), out)
    assert first == second
    library = (unpacked / "lib" / "libwhere.so").read_bytes()
    assert b".debug_info" in library  # -g kept the library's own debug info ...
    for name in (b"venv-a", b"ziglang", b"site-packages", os.fsencode(wrappers.zig_cache_dir())):
        assert name not in library, name  # ... and it names no toolchain path
    # zig's headers under their mapped name (clang writes them relative to /usr/local)
    assert b"share/zig/lib/libcxx/include" in library
