"""Cross builds for macOS: the shipped C and C++ recipes become relocatable Mach-O packages.

No Mac runs them here, so the test reads what a Mac's loader would: every library reference of
the package's own libraries goes through ``@rpath``, every search path is ``@loader_path``-
relative, no file holds the build's prefix or work directory, and arm64 files carry a valid
ad-hoc signature (macOS kills arm64 code without one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like import api, package
from conda_forge_like.abi.binary import read_binary
from conda_forge_like.relocate import classify
from conda_forge_like.relocate.codesign import is_signed, verify

pytestmark = pytest.mark.slow
RECIPES = Path(__file__).resolve().parent.parent.parent / "recipes"


@pytest.mark.parametrize("subdir", ["osx-64", "osx-arm64"])
def test_shipped_recipes_build_relocatable_macho(subdir: str, tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    results = api.build(
        [RECIPES / "libgreet", RECIPES / "greetpp"],
        output_dir=tmp_path / "out",
        target_platform=subdir,
        report=lambda event, rendered, detail: events.append((event, detail)),
    )
    assert [r.status for r in results] == ["built", "built"]
    linked: set[str] = set()
    warnings = [d for e, d in events if e == "warning" and "tests skipped" not in d]
    assert warnings == []
    for result in results:
        assert result.package is not None
        root = tmp_path / result.name
        package.extract(result.package, root)
        files = [str(p.relative_to(root)) for p in root.rglob("*") if p.parts[-2:][0] != "info"]
        machos = classify(root, files)["macho"]
        assert machos, f"{result.name} has Mach-O files"
        for relpath in machos:
            info = read_binary(root / relpath)
            ours = [n for n in info.needed if not n.startswith(("/usr/lib/", "/System/"))]
            assert all(n.startswith("@rpath/") for n in ours), (relpath, info.needed)
            assert all(r.startswith("@loader_path") for r in info.rpath), (relpath, info.rpath)
            linked.update(ours)
            if ours:
                assert info.rpath, f"{relpath} loads {ours} but has no LC_RPATH"
            if info.soname is not None:
                assert info.soname.startswith("@rpath/")
            data = (root / relpath).read_bytes()
            assert b"placehold" not in data
            assert str(tmp_path).encode() not in data
            if subdir == "osx-arm64":
                assert is_signed(data)
                assert verify(data) == [], relpath
    assert {"@rpath/libgreet.1.dylib", "@rpath/libgreetpp.0.dylib"} <= linked
