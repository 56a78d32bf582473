"""``cfl inspect`` judges packages other tools built: py-rattler-build packages a program the
host gcc linked against this machine's glibc without complaint; cfl names the glibc floor it
breaks (a user on an older glibc would get a program that does not start)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conda_forge_like import cli

rattler_build = pytest.importorskip("rattler_build")
pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs the host gcc")

RECIPE = """\
package:
  name: rbhello
  version: "1.0"
source:
  path: .
build:
  number: 0
  script:
    - mkdir -p $PREFIX/bin
    - gcc -O2 -o $PREFIX/bin/rbhello hello.c
"""


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rattler-build")
    recipe = root / "recipe"
    recipe.mkdir()
    (recipe / "recipe.yaml").write_text(RECIPE)
    (recipe / "hello.c").write_text(
        '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'
    )
    channel = root / "channel"  # empty and local: rattler-build needs no network
    for subdir in ("noarch", "linux-64"):
        (channel / subdir).mkdir(parents=True)
        (channel / subdir / "repodata.json").write_text(
            json.dumps({"info": {"subdir": subdir}, "packages": {}, "packages.conda": {}})
        )
    with pytest.warns(DeprecationWarning, match="build_recipes is deprecated"):
        rattler_build.build_recipes(
            [str(recipe / "recipe.yaml")],
            channel=[channel.as_uri()],
            output_dir=str(root / "out"),
            test="skip",
        )
    (package,) = (root / "out" / "linux-64").glob("rbhello-1.0-*.conda")
    return package


def test_inspect_names_the_glibc_floor_rattler_build_let_through(
    foreign: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["inspect", str(foreign), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["depends"] == []  # no __glibc requirement: any glibc would install it
    binary = report["binaries"]["bin/rbhello"]
    assert binary["needed"] == ["libc.so.6"]
    assert binary["rpath"] == ["$ORIGIN/../lib"]  # rattler-build's relocation
    found = [(f["severity"], f["code"], f["path"]) for f in report["findings"]]
    assert found == [("error", "glibc-floor", "bin/rbhello")]
    assert "GLIBC_2." in report["findings"][0]["message"]
