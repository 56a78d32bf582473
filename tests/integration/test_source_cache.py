"""The content-addressed source cache against real files: cache hits need no network, downloads
are stored by sha256 (md5 aliases too), mismatches leave nothing, damaged entries are refused,
read-only caches still serve, and ``cfl fetch-sources`` fills a cache.

The downloader is replaced by one that fails the test wherever a cache hit must be used, so
nothing here can touch the network; the real-world part skips without ``../shared``.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from conda_forge_like import api, cli
from conda_forge_like.errors import SourceError
from conda_forge_like.source import SourceCache, SourceSpec, fetch, parse_sources, prepare

REPO = Path(__file__).resolve().parents[2]
# ../shared beside the repo (CI), or beside the folder of worktrees (a developer's worktree).
SHARED = next(
    (p / "shared" for p in REPO.parents[:2] if (p / "shared" / "realworld").is_dir()),
    REPO / ".." / "shared",
)
REALWORLD = SHARED / "realworld"
SHARED_SOURCES = SHARED / "sources"
needs_shared = pytest.mark.skipif(
    not (REALWORLD.is_dir() and SHARED_SOURCES.is_dir()),
    reason="../shared (real-world feedstocks and their source cache) is not present",
)
needs_patch = pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")


def digest(path: Path, algo: str = "sha256") -> str:
    return hashlib.new(algo, path.read_bytes()).hexdigest()


def make_tar(path: Path, files: dict[str, str]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")} if root.exists() else set()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every download attempt is recorded and fails, as on a machine without network."""
    tried: list[str] = []

    def offline(url: str, directory: Path) -> Path:
        tried.append(url)
        raise SourceError(f"cannot download {url}: no network in this test")

    monkeypatch.setattr(fetch, "download", offline)
    return tried


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    return make_tar(tmp_path / "pkg-1.0.tar.gz", {"pkg-1.0/configure": "#!/bin/sh\n"})


def run(tmp_path: Path, spec: SourceSpec, cache: Path) -> Path:
    return prepare([spec], tmp_path, tmp_path / "work", SourceCache(cache)).src


# --------------------------------------------------------------------------- real feedstocks


def rendered_specs(recipe: str) -> tuple[Path, list[SourceSpec]]:
    rendered = api.render([REALWORLD / recipe / "recipe"], target_platform="linux-64")
    first = rendered[0]
    return Path(first.recipe_path).parent, parse_sources(first.meta["source"], first.recipe_path)


@needs_shared
def test_lz4_c_sources_come_from_the_shared_cache(tmp_path: Path, no_network: list[str]) -> None:
    recipe_dir, specs = rendered_specs("lz4-c")
    assert specs[0].location.startswith("https://")  # the real upstream url, never fetched
    cache = SourceCache(SHARED_SOURCES)
    src = prepare(specs, recipe_dir, tmp_path / "work", cache).src
    assert (src / "lib" / "lz4.h").is_file()
    assert no_network == []


@needs_shared
@needs_patch
def test_snappy_sources_and_its_five_patches(tmp_path: Path, no_network: list[str]) -> None:
    recipe_dir, specs = rendered_specs("snappy")
    assert len(specs[0].patches) == 5
    prepared = prepare(specs, recipe_dir, tmp_path / "work", SourceCache(SHARED_SOURCES))
    cmake = (prepared.src / "CMakeLists.txt").read_text()
    assert 'option(SNAPPY_ENABLE_RTTI "Enable RTTI" OFF)' in cmake  # 0004
    assert cmake.count("if(NOT SNAPPY_ENABLE_RTTI)") == 2
    assert "snappy_static" in cmake  # 0001
    assert not list(prepared.src.rglob("*.orig"))
    assert not list(prepared.src.rglob("*.rej"))
    # 0004 was made against an older CMakeLists.txt: only its fuzz-3 hunks are reported.
    assert len(prepared.warnings) == 1
    assert "0004-cmake-add-option-to-enable-disable-RTTI.patch" in prepared.warnings[0]
    assert "with fuzz 3" in prepared.warnings[0]
    assert no_network == []


# --------------------------------------------------------------------------- cache rules


def test_a_download_is_stored_by_sha256_with_an_md5_alias(tmp_path: Path, upstream: Path) -> None:
    spec = SourceSpec("url", upstream.as_uri(), md5=digest(upstream, "md5"))
    run(tmp_path, spec, tmp_path / "cache")
    sha, md5 = digest(upstream), digest(upstream, "md5")
    assert listing(tmp_path / "cache") == {sha, "md5", f"md5/{md5}"}
    assert (tmp_path / "cache" / f"md5/{md5}").read_text().strip() == sha


def test_an_md5_only_source_is_found_through_its_alias(
    tmp_path: Path, upstream: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SourceSpec("url", upstream.as_uri(), md5=digest(upstream, "md5"))
    run(tmp_path, spec, tmp_path / "cache")
    tried: list[str] = []
    monkeypatch.setattr(fetch, "download", lambda url, _d: tried.append(url))
    assert (run(tmp_path, spec, tmp_path / "cache") / "configure").is_file()
    assert tried == []


def test_a_cache_hit_needs_no_network(
    tmp_path: Path, upstream: Path, no_network: list[str]
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copyfile(upstream, cache / digest(upstream))
    spec = SourceSpec("url", "https://example.invalid/pkg-1.0.tar.gz", sha256=digest(upstream))
    assert (run(tmp_path, spec, cache) / "configure").is_file()
    assert no_network == []


def test_missing_and_offline_names_url_sha256_and_fetch_sources(
    tmp_path: Path, no_network: list[str]
) -> None:
    url, mirror = "https://example.invalid/a.tar.gz", "https://mirror.invalid/a.tar.gz"
    spec = SourceSpec("url", url, sha256="1" * 64, mirrors=(mirror,))
    with pytest.raises(SourceError) as info:
        run(tmp_path, spec, tmp_path / "cache")
    assert url in info.value.message
    assert mirror in info.value.message
    assert "1" * 64 in info.value.message
    assert info.value.hint
    assert "cfl fetch-sources" in info.value.hint
    assert no_network == [url, mirror]  # mirrors in order


def test_a_damaged_cache_entry_is_refused_by_name(tmp_path: Path, upstream: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / digest(upstream)
    entry.write_bytes(b"not the file")
    with pytest.raises(SourceError) as info:
        run(tmp_path, SourceSpec("url", upstream.as_uri(), sha256=digest(upstream)), cache)
    assert str(entry) in info.value.message
    assert "damaged" in info.value.message


def test_a_mismatch_leaves_the_cache_clean(tmp_path: Path, upstream: Path) -> None:
    with pytest.raises(SourceError, match="sha256 mismatch"):
        run(tmp_path, SourceSpec("url", upstream.as_uri(), sha256="0" * 64), tmp_path / "cache")
    assert listing(tmp_path / "cache") == set()


def test_a_read_only_cache_still_serves_and_downloads_go_to_the_work_dir(
    tmp_path: Path, upstream: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores permission bits, so "cannot write" is simulated where it is detected.
    cache = tmp_path / "cache"
    cache.mkdir()
    other = make_tar(tmp_path / "other.tar.gz", {"other/x": "x\n"})
    shutil.copyfile(other, cache / digest(other))
    monkeypatch.setattr(SourceCache, "staging_dir", lambda _self: None)
    assert (
        run(tmp_path, SourceSpec("url", "https://x.invalid/o.tgz", sha256=digest(other)), cache)
        / "x"
    ).is_file()
    src = run(tmp_path, SourceSpec("url", upstream.as_uri(), sha256=digest(upstream)), cache)
    assert (src / "configure").is_file()
    assert listing(cache) == {digest(other)}
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["src"]


# --------------------------------------------------------------------------- cfl fetch-sources


def write_recipe(folder: Path, url: str, sha256: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "meta.yaml").write_text(
        "package:\n  name: fetchdemo\n  version: '1.0'\n"
        f"source:\n  url: {url}\n  sha256: {sha256}\n"
        "build:\n  number: 0\n"
    )
    return folder


def fetch_sources(recipe: Path, cache: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["fetch-sources", str(recipe), "--source-cache", str(cache)])
    return code, capsys.readouterr().out


def test_fetch_sources_fills_an_empty_cache_then_reports_cached(
    tmp_path: Path, upstream: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = write_recipe(tmp_path / "recipe", upstream.as_uri(), digest(upstream))
    cache = tmp_path / "cache"
    code, out = fetch_sources(recipe, cache, capsys)
    assert code == 0
    assert f"{upstream.as_uri()} (sha256 {digest(upstream)}): downloaded" in out
    assert (cache / digest(upstream)).read_bytes() == upstream.read_bytes()
    upstream.unlink()  # the second run must not need the url
    code, out = fetch_sources(recipe, cache, capsys)
    assert code == 0
    assert ": cached" in out
    assert "1 source(s), 0 failed" in out


def test_fetch_sources_with_a_wrong_checksum_fails_and_caches_nothing(
    tmp_path: Path, upstream: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = write_recipe(tmp_path / "recipe", upstream.as_uri(), "0" * 64)
    cache = tmp_path / "cache"
    code, out = fetch_sources(recipe, cache, capsys)
    assert code == 1
    assert "failed: sha256 mismatch" in out
    assert listing(cache) == set()


def test_fetch_sources_honours_the_environment_variable(
    tmp_path: Path, upstream: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipe = write_recipe(tmp_path / "recipe", upstream.as_uri(), digest(upstream))
    monkeypatch.setenv("CFL_SOURCE_CACHE", str(tmp_path / "env-cache"))
    [report] = api.fetch_sources([recipe])
    assert report.status == "downloaded"
    assert report.path == tmp_path / "env-cache" / digest(upstream)
