"""Source preparation against real files, archives, git repositories, patch tools and pip.

Every fixture is made in ``tmp_path``: tarballs and zips with tarfile/zipfile, a repository
with ``git init``, an sdist that pip finds through ``PIP_FIND_LINKS`` with ``PIP_NO_INDEX``.
Nothing touches the network.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
import zstandard

from conda_forge_like.errors import CflErrorGroup, SourceError
from conda_forge_like.source import SourceCache, SourceSpec, parse_sources, prepare

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def run_prepare(tmp_path: Path, *specs: SourceSpec, recipe_dir: Path | None = None) -> Path:
    recipe = recipe_dir or tmp_path / "recipe"
    return prepare(specs, recipe, tmp_path / "work", SourceCache(tmp_path / "cache")).src


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts}


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def make_tar(path: Path, files: dict[str, str], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith(".sh") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


def url_spec(archive: Path, **kwargs: object) -> SourceSpec:
    return SourceSpec("url", archive.as_uri(), sha256=sha256(archive), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def recipe_dir(tmp_path: Path) -> Path:
    path = tmp_path / "recipe"
    path.mkdir()
    return path


UPSTREAM = {"pkg-1.0/configure.sh": "#!/bin/sh\n", "pkg-1.0/src/a.c": "int a;\n"}


# --------------------------------------------------------------------------- path


def test_path_folder_is_copied_with_its_symlinks(tmp_path: Path, recipe_dir: Path) -> None:
    make_tree(recipe_dir / "src", {"a.c": "int a;\n", "sub/b.h": "#pragma once\n"})
    (recipe_dir / "src" / "link.h").symlink_to("sub/b.h")
    src = run_prepare(tmp_path, SourceSpec("path", "src"))
    assert src == tmp_path / "work" / "src"
    assert listing(src) == {"a.c", "sub", "sub/b.h", "link.h"}
    assert (src / "link.h").is_symlink()


def test_path_file_is_copied(tmp_path: Path, recipe_dir: Path) -> None:
    (recipe_dir / "tool.py").write_text("print(1)\n")
    src = run_prepare(tmp_path, SourceSpec("path", "tool.py"))
    assert (src / "tool.py").read_text() == "print(1)\n"


def test_path_archive_is_extracted_unless_file_name(tmp_path: Path, recipe_dir: Path) -> None:
    make_tar(recipe_dir / "pkg.tar.gz", UPSTREAM)
    src = run_prepare(tmp_path, SourceSpec("path", "pkg.tar.gz"))
    assert listing(src) == {"configure.sh", "src", "src/a.c"}
    src = run_prepare(tmp_path, SourceSpec("path", "pkg.tar.gz", file_name="kept.tar.gz"))
    assert listing(src) == {"kept.tar.gz"}


def test_path_dot_skips_a_work_dir_inside_the_recipe(tmp_path: Path, recipe_dir: Path) -> None:
    (recipe_dir / "build.sh").write_text("make\n")
    cache = SourceCache(tmp_path / "c")
    src = prepare([SourceSpec("path", ".")], recipe_dir, recipe_dir / "work", cache).src
    assert listing(src) == {"build.sh"}


def test_missing_path_and_patch_are_reported_together(tmp_path: Path, recipe_dir: Path) -> None:
    specs = [SourceSpec("path", "does-not-exist"), SourceSpec("path", ".", patches=("no.patch",))]
    with pytest.raises(CflErrorGroup) as info:
        run_prepare(tmp_path, *specs)
    messages = [e.message for e in info.value.errors]
    assert any("source path not found" in m and "does-not-exist" in m for m in messages)
    assert any("patch not found" in m and "no.patch" in m for m in messages)
    assert all(e.hint and str(recipe_dir) in e.hint for e in info.value.errors)
    assert info.value.exit_code == 3


# --------------------------------------------------------------------------- url + archives


@pytest.mark.parametrize(
    ("name", "mode"),
    [
        ("pkg-1.0.tar.gz", "w:gz"),
        ("pkg-1.0.tgz", "w:gz"),
        ("pkg-1.0.tar.bz2", "w:bz2"),
        ("pkg-1.0.tar.xz", "w:xz"),
        ("pkg-1.0.tar", "w"),
    ],
)
def test_tarballs_are_extracted_with_the_top_folder_stripped(
    tmp_path: Path, name: str, mode: str
) -> None:
    archive = make_tar(tmp_path / name, UPSTREAM, mode)
    src = run_prepare(tmp_path, url_spec(archive))
    assert listing(src) == {"configure.sh", "src", "src/a.c"}
    assert os.access(src / "configure.sh", os.X_OK)


def test_zip_keeps_the_executable_bit(tmp_path: Path) -> None:
    archive = tmp_path / "pkg-1.0.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in UPSTREAM.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
            info.external_attr = ((0o755 if name.endswith(".sh") else 0o644) | stat.S_IFREG) << 16
            zf.writestr(info, text)
    src = run_prepare(tmp_path, url_spec(archive))
    assert listing(src) == {"configure.sh", "src", "src/a.c"}
    assert os.access(src / "configure.sh", os.X_OK)
    assert not os.access(src / "src" / "a.c", os.X_OK)


def test_tar_zst(tmp_path: Path) -> None:
    plain = make_tar(tmp_path / "pkg-1.0.tar", UPSTREAM, "w")
    packed = tmp_path / "pkg-1.0.tar.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(plain.read_bytes()))
    src = run_prepare(tmp_path, url_spec(packed))
    assert listing(src) == {"configure.sh", "src", "src/a.c"}


def test_several_top_level_entries_are_not_stripped(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "flat.tar.gz", {"a/x.c": "", "b.c": ""})
    assert listing(run_prepare(tmp_path, url_spec(archive))) == {"a", "a/x.c", "b.c"}


def test_file_name_keeps_the_archive_whole(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "data.tar.gz", UPSTREAM)
    src = run_prepare(tmp_path, url_spec(archive, file_name="data-copy.tar.gz"))
    assert listing(src) == {"data-copy.tar.gz"}
    assert sha256(src / "data-copy.tar.gz") == sha256(archive)


def test_plain_file_url_is_copied(tmp_path: Path) -> None:
    script = make_tree(tmp_path, {"helper.py": "print(2)\n"}) / "helper.py"
    assert listing(run_prepare(tmp_path, url_spec(script))) == {"helper.py"}


def test_md5_is_verified(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "pkg.tar.gz", UPSTREAM)
    md5 = hashlib.md5(archive.read_bytes(), usedforsecurity=False).hexdigest()
    assert (run_prepare(tmp_path, SourceSpec("url", archive.as_uri(), md5=md5)) / "src").is_dir()
    with pytest.raises(SourceError, match="md5 mismatch"):
        run_prepare(tmp_path, SourceSpec("url", archive.as_uri(), md5="0" * 32))


def test_bad_sha256_shows_both_hashes_and_extracts_nothing(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "pkg.tar.gz", UPSTREAM)
    with pytest.raises(SourceError) as info:
        run_prepare(tmp_path, SourceSpec("url", archive.as_uri(), sha256="0" * 64))
    assert "0" * 64 in info.value.message
    assert sha256(archive) in info.value.message
    assert archive.as_uri() in info.value.message
    assert info.value.hint
    assert "nothing was extracted or cached" in info.value.hint
    assert listing(tmp_path / "work" / "src") == set()
    assert listing(tmp_path / "cache") == set()  # not even a .part file


def test_downloads_are_cached(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "pkg.tar.gz", UPSTREAM)
    spec = url_spec(archive)
    run_prepare(tmp_path, spec)
    assert listing(tmp_path / "cache") == {spec.sha256, "md5", f"md5/{md5(archive)}"}
    archive.unlink()
    assert (run_prepare(tmp_path, spec) / "configure.sh").is_file()


def test_mirrors_are_tried_in_order(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "pkg.tar.gz", UPSTREAM)
    missing = (tmp_path / "gone.tar.gz").as_uri()
    spec = SourceSpec("url", missing, sha256=sha256(archive), mirrors=(archive.as_uri(),))
    assert (run_prepare(tmp_path, spec) / "configure.sh").is_file()


def test_missing_file_url(tmp_path: Path) -> None:
    url = (tmp_path / "gone.tar.gz").as_uri()
    with pytest.raises(SourceError, match=r"cannot download .*gone\.tar\.gz") as info:
        run_prepare(tmp_path, SourceSpec("url", url, sha256="0" * 64))
    assert "0" * 64 in info.value.message
    assert info.value.hint
    assert "cfl fetch-sources" in info.value.hint
    assert "0" * 64 in info.value.hint


def test_damaged_archive(tmp_path: Path) -> None:
    fake = tmp_path / "pkg.tar.gz"
    fake.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(SourceError, match="cannot extract"):
        run_prepare(tmp_path, url_spec(fake))


# --------------------------------------------------------------------------- malicious archives


def malicious_tar(path: Path, member: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        data = b"fine\n"
        good = tarfile.TarInfo("pkg/ok.txt")
        good.size = len(data)
        tar.addfile(good, io.BytesIO(data))
        payload = b"" if member.issym() else b"evil\n"
        member.size = len(payload)
        tar.addfile(member, io.BytesIO(payload))
    return path


def symlink(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (tarfile.TarInfo("pkg/../../evil"), "escapes"),
        (tarfile.TarInfo("/tmp/cfl-absolute-evil"), "absolute path"),
        (symlink("pkg/escape", "../../../etc"), "pointing outside"),
        (symlink("pkg/abs", "/etc/passwd"), "absolute path"),
    ],
    ids=["dotdot", "absolute", "symlink-out", "symlink-absolute"],
)
def test_malicious_tarball_is_refused_whole(
    tmp_path: Path, member: tarfile.TarInfo, reason: str
) -> None:
    archive = malicious_tar(tmp_path / "bad.tar.gz", member)
    with pytest.raises(SourceError) as info:
        run_prepare(tmp_path, url_spec(archive))
    assert "refusing to extract" in info.value.message
    assert reason in info.value.message
    assert listing(tmp_path / "work" / "src") == set()
    assert not (tmp_path / "evil").exists()
    assert not Path("/tmp/cfl-absolute-evil").exists()
    assert not [p for p in (tmp_path / "work").iterdir() if p.name.startswith(".extract")]


def test_malicious_zip_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pkg/ok.txt", "fine\n")
        zf.writestr("../evil", "evil\n")
    with pytest.raises(SourceError, match="refusing to extract"):
        run_prepare(tmp_path, url_spec(archive))
    assert not (tmp_path / "work" / "evil").exists()


# --------------------------------------------------------------------------- git


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with tag v1 (version.txt = 1), then main at version 2, branch `next` at 3."""
    path = tmp_path / "upstream"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    for version in ("1", "2"):
        (path / "version.txt").write_text(version + "\n")
        git(path, "add", "version.txt")
        git(path, "commit", "-q", "-m", f"v{version}")
        if version == "1":
            git(path, "tag", "v1")
    git(path, "checkout", "-q", "-b", "next")
    (path / "version.txt").write_text("3\n")
    git(path, "commit", "-q", "-am", "v3")
    git(path, "checkout", "-q", "main")
    return path


@pytest.mark.parametrize(
    ("rev", "version"), [(None, "2"), ("v1", "1"), ("next", "3"), ("main", "2")]
)
def test_git_revisions(tmp_path: Path, repo: Path, rev: str | None, version: str) -> None:
    src = run_prepare(tmp_path, SourceSpec("git", str(repo), git_rev=rev))
    assert (src / "version.txt").read_text() == version + "\n"
    assert (src / ".git").is_dir()


def test_git_commit_sha_and_relative_path(tmp_path: Path, repo: Path, recipe_dir: Path) -> None:
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    [spec] = parse_sources({"git_url": "../upstream", "git_rev": first}, "meta.yaml")
    src = run_prepare(tmp_path, spec)
    assert (src / "version.txt").read_text() == "1\n"


def test_git_unknown_rev_shows_the_command(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(SourceError) as info:
        run_prepare(tmp_path, SourceSpec("git", str(repo), git_rev="no-such-tag"))
    message = info.value.message
    assert "cannot check out 'no-such-tag'" in message
    assert "git -c advice.detachedHead=false" in message
    assert "exited with 1" in message
    assert "no-such-tag" in message.splitlines()[-1]


def test_missing_git_repository(tmp_path: Path, recipe_dir: Path) -> None:
    with pytest.raises(SourceError, match=r"git repository not found: .*nowhere"):
        run_prepare(tmp_path, SourceSpec("git", "nowhere"))


# --------------------------------------------------------------------------- patches

ORIGINAL = "line one\nline two\nline three\n"


def diff(old: str, new: str, label_old: str, label_new: str, header: str = "") -> str:
    return (
        header
        + f"--- {label_old}\n+++ {label_new}\n@@ -1,3 +1,3 @@\n"
        + "".join(
            f" {o}\n" if o == n else f"-{o}\n+{n}\n"
            for o, n in zip(old.splitlines(), new.splitlines(), strict=True)
        )
    )


def patched_source(tmp_path: Path, recipe_dir: Path, *patches: tuple[str, str]) -> Path:
    make_tree(recipe_dir / "src", {"lib/code.txt": ORIGINAL})
    for name, text in patches:
        (recipe_dir / name).write_text(text)
    names = tuple(name for name, _ in patches)
    return run_prepare(tmp_path, SourceSpec("path", "src", patches=names))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a/lib/code.txt", "b/lib/code.txt"),  # -p1, as git diff writes
        ("lib/code.txt", "lib/code.txt"),  # -p0
        ("x/y/lib/code.txt", "x/y/lib/code.txt"),  # -p2
    ],
    ids=["p1", "p0", "p2"],
)
def test_patch_strip_levels(tmp_path: Path, recipe_dir: Path, old: str, new: str) -> None:
    patch = diff(ORIGINAL, ORIGINAL.replace("two", "2"), old, new)
    src = patched_source(tmp_path, recipe_dir, ("fix.patch", patch))
    assert (src / "lib" / "code.txt").read_text() == "line one\nline 2\nline three\n"


def test_patches_apply_in_order(tmp_path: Path, recipe_dir: Path) -> None:
    step = ORIGINAL.replace("two", "2")
    first = diff(ORIGINAL, step, "a/lib/code.txt", "b/lib/code.txt")
    second = diff(step, step.replace("three", "3"), "a/lib/code.txt", "b/lib/code.txt")
    src = patched_source(tmp_path, recipe_dir, ("1.patch", first), ("2.patch", second))
    assert (src / "lib" / "code.txt").read_text() == "line one\nline 2\nline 3\n"


@pytest.mark.parametrize("source_crlf", [True, False], ids=["crlf-source", "lf-source"])
def test_patch_line_endings_are_tried_both_ways(
    tmp_path: Path, recipe_dir: Path, source_crlf: bool
) -> None:
    # A patch written on one system for files with the other's line endings (conda-build's
    # "lf" and "crlf" tries); the patched file keeps its own line endings.
    text = ORIGINAL.replace("\n", "\r\n") if source_crlf else ORIGINAL
    (recipe_dir / "src").mkdir()
    (recipe_dir / "src" / "code.txt").write_bytes(text.encode())
    patch = diff(ORIGINAL, ORIGINAL.replace("two", "2"), "a/code.txt", "b/code.txt")
    if not source_crlf:
        patch = patch.replace("\n", "\r\n")
    (recipe_dir / "eol.patch").write_bytes(patch.encode())
    src = run_prepare(tmp_path, SourceSpec("path", "src", patches=("eol.patch",)))
    expected = ORIGINAL.replace("two", "2")
    if source_crlf:
        expected = expected.replace("\n", "\r\n")
    assert (src / "code.txt").read_bytes() == expected.encode()


def test_patch_that_does_not_apply_names_it(tmp_path: Path, recipe_dir: Path) -> None:
    stale = diff("other\ntext\nhere\n", "other\nTEXT\nhere\n", "a/lib/code.txt", "b/lib/code.txt")
    with pytest.raises(SourceError) as info:
        patched_source(tmp_path, recipe_dir, ("stale.patch", stale))
    message = info.value.message
    assert "stale.patch does not apply" in message
    assert "git apply --check -p1" in message
    assert "patch --batch" in message
    assert "exited with 1" in message
    assert "patch does not apply" in message  # git's own words
    assert info.value.hint


def test_patch_in_a_folder_of_a_git_source(tmp_path: Path, repo: Path, recipe_dir: Path) -> None:
    (recipe_dir / "v.patch").write_text(diff("2\n", "two\n", "a/version.txt", "b/version.txt"))
    spec = SourceSpec("git", str(repo), folder="up", patches=("v.patch",))
    src = run_prepare(tmp_path, spec)
    assert (src / "up" / "version.txt").read_text() == "two\n"


def test_patch_when_the_work_dir_is_inside_another_repository(tmp_path: Path) -> None:
    # Inside a checkout, `git apply` silently skips a `diff --git` patch's files (exit 0):
    # it must not look above the source directory for a repository.
    outer = tmp_path / "checkout"
    outer.mkdir()
    git(outer, "init", "-q")
    recipe = make_tree(outer / "recipe", {"src/code.txt": ORIGINAL})
    (recipe / "fix.patch").write_text(
        diff(
            ORIGINAL,
            ORIGINAL.replace("one", "1"),
            "a/code.txt",
            "b/code.txt",
            header="diff --git a/code.txt b/code.txt\n",
        )
    )
    spec = SourceSpec("path", "src", patches=("fix.patch",))
    src = prepare([spec], recipe, outer / "work", SourceCache(tmp_path / "cache")).src
    assert (src / "code.txt").read_text().startswith("line 1\n")


# --------------------------------------------------------------------------- several sources


def test_several_sources_with_folders(tmp_path: Path, recipe_dir: Path, repo: Path) -> None:
    archive = make_tar(tmp_path / "pkg-1.0.tar.gz", UPSTREAM)
    make_tree(recipe_dir, {"extra/README": "hi\n"})
    raw = [
        {"url": archive.as_uri(), "sha256": sha256(archive)},
        {"path": "extra", "target_directory": "vendor/extra"},
        {"git": str(repo), "tag": "v1", "target_directory": "vendor/up"},
    ]
    src = run_prepare(tmp_path, *parse_sources(raw, str(recipe_dir / "recipe.yaml")))
    assert {"configure.sh", "src/a.c", "vendor/extra/README", "vendor/up/version.txt"} <= listing(
        src
    )
    assert (src / "vendor" / "up" / "version.txt").read_text() == "1\n"


def test_prepare_starts_from_an_empty_src(tmp_path: Path, recipe_dir: Path) -> None:
    make_tree(recipe_dir, {"one/a": "", "two/b": ""})
    run_prepare(tmp_path, SourceSpec("path", "one"))
    assert listing(run_prepare(tmp_path, SourceSpec("path", "two"))) == {"b"}


# --------------------------------------------------------------------------- pypi (offline)


def metadata_backend(root: str, metadata: str) -> str:
    """An in-tree PEP 517 backend that only writes ``metadata`` (all ``pip download`` asks)."""
    return (
        "import os\n"
        "def prepare_metadata_for_build_wheel(d, config_settings=None):\n"
        f"    info = os.path.join(d, '{root}.dist-info')\n"
        "    os.makedirs(info)\n"
        f"    with open(os.path.join(info, 'METADATA'), 'w') as f:\n        f.write({metadata!r})\n"
        f"    return '{root}.dist-info'\n"
    )


def make_sdist(directory: Path, name: str, version: str) -> Path:
    """An sdist pip can read without an index: an in-tree backend with no requirements."""
    root = f"{name}-{version}"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    backend = metadata_backend(root, metadata)
    files = {
        f"{root}/PKG-INFO": metadata,
        f"{root}/pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["."]\n',
        f"{root}/backend.py": backend,
        f"{root}/{name}/__init__.py": "VALUE = 42\n",
    }
    directory.mkdir(parents=True, exist_ok=True)
    return make_tar(directory / f"{root}.tar.gz", files)


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    links = tmp_path / "links"
    make_sdist(links, "cfldemo", "1.0")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    return links


def test_pypi_sdist_is_fetched_through_pip(tmp_path: Path, local_index: Path) -> None:
    sdist = local_index / "cfldemo-1.0.tar.gz"
    raw = {"pypi": {"name": "cfldemo", "version": "1.0", "sha256": sha256(sdist)}}
    src = run_prepare(tmp_path, *parse_sources(raw, "recipe.yaml"))
    assert (src / "cfldemo" / "__init__.py").read_text() == "VALUE = 42\n"
    assert (src / "PKG-INFO").is_file()
    assert (tmp_path / "cache" / sha256(sdist)).is_file()  # stored by its sha256 like a url


def test_pypi_cache_is_reused(tmp_path: Path, local_index: Path) -> None:
    sdist = local_index / "cfldemo-1.0.tar.gz"
    spec = SourceSpec("pypi", "cfldemo", version="1.0", sha256=sha256(sdist))
    run_prepare(tmp_path, spec)
    sdist.unlink()
    assert (run_prepare(tmp_path, spec) / "cfldemo").is_dir()


def test_pypi_bad_sha256(tmp_path: Path, local_index: Path) -> None:
    sdist = local_index / "cfldemo-1.0.tar.gz"
    spec = SourceSpec("pypi", "cfldemo", version="1.0", sha256="0" * 64)
    with pytest.raises(SourceError) as info:
        run_prepare(tmp_path, spec)
    assert "0" * 64 in info.value.message
    assert sha256(sdist) in info.value.message
    assert listing(tmp_path / "work" / "src") == set()


def test_pypi_missing_version_shows_pip_output(tmp_path: Path, local_index: Path) -> None:
    spec = SourceSpec("pypi", "cfldemo", version="9.9", sha256="0" * 64)
    with pytest.raises(SourceError) as info:
        run_prepare(tmp_path, spec)
    message = info.value.message
    assert "cfldemo==9.9" in message
    assert "pip download --no-deps" in message
    assert "exited with 1" in message
    assert "No matching distribution" in message


def test_pypi_uses_the_env_argument(tmp_path: Path, local_index: Path) -> None:
    sdist = local_index / "cfldemo-1.0.tar.gz"
    spec = SourceSpec("pypi", "cfldemo", version="1.0", sha256=sha256(sdist))
    env = {**os.environ, "PIP_FIND_LINKS": str(tmp_path / "empty")}
    with pytest.raises(SourceError, match="No matching distribution"):
        prepare([spec], tmp_path, tmp_path / "work", SourceCache(tmp_path / "cache"), env=env)
