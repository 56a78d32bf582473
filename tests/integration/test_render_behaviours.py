"""Good recipes in ``tests/data/recipes/<behaviour>/``, checked through ``cfl render --json``.

Expected build strings are conda-build's: sha1 over ``json.dumps(contents, sort_keys=True)``,
so a change to the hash rules shows up here as a changed string.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from conda_forge_like.cli import main

RECIPES = Path(__file__).resolve().parent.parent / "data" / "recipes"


def render(capsys: pytest.CaptureFixture[str], recipe: str, *args: str) -> list[dict[str, Any]]:
    code = main(["render", str(RECIPES / recipe), "--target-platform", "linux-64", "--json", *args])
    out = capsys.readouterr()
    assert code == 0, out.err
    result: list[dict[str, Any]] = json.loads(out.out)
    return result


def h(contents: dict[str, str]) -> str:
    return "h" + hashlib.sha1(json.dumps(contents, sort_keys=True).encode()).hexdigest()[:7]


def test_zip_keys_expand_together(capsys: pytest.CaptureFixture[str]) -> None:
    rendered = render(capsys, "zip-keys")
    pairs = [(r["variant"]["python"], r["variant"]["numpy"]) for r in rendered]
    assert pairs == [("3.11", "1.26"), ("3.12", "2.0")]
    first = rendered[0]
    # python is in the prefix, not the hash; numpy (no `numpy x.x`) is in the hash only.
    assert (
        first["build_string"]
        == "py311" + h({"numpy": "1.26", "target_platform": "linux-64"}) + "_0"
    )
    assert first["requirements"]["host"] == ["python 3.11.*", "numpy 1.26.*"]
    assert first["requirements"]["run"] == ["python >=3.11,<3.12.0a0", "numpy"]


def test_only_used_keys_expand(capsys: pytest.CaptureFixture[str]) -> None:
    rendered = render(capsys, "used-keys-only-expand")
    assert [r["variant"] for r in rendered] == [
        {"target_platform": "linux-64", "zlib": "1.2"},
        {"target_platform": "linux-64", "zlib": "1.3"},
    ]
    assert rendered[0]["build_string"] == h({"target_platform": "linux-64", "zlib": "1.2"}) + "_0"
    assert rendered[0]["requirements"]["host"] == ["zlib 1.2.*"]


def test_selected_out_requirement_counts_on_its_platform(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["render", str(RECIPES / "used-keys-only-expand"), "--target-platform", "win-64", "--json"]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    variants = [r["variant"] for r in json.loads(out.out)]
    assert len(variants) == 4  # zlib x libtiff on Windows
    assert {v["libtiff"] for v in variants} == {"4.5", "4.6"}


def test_multi_output_v0(capsys: pytest.CaptureFixture[str]) -> None:
    lib, tools = render(capsys, "multi-output-v0")
    lib_hash = h(
        {
            "c_compiler": "zig",
            "c_compiler_version": "0.17",
            "target_platform": "linux-64",
            "zlib": "1.3",
        }
    )
    assert (lib["name"], lib["version"], lib["build_string"]) == (
        "libmulti",
        "2.3.4",
        lib_hash + "_2",
    )
    assert lib["run_exports"] == {"weak": ["libmulti >=2.3.4,<2.4.0a0"]}
    assert lib["requirements"]["build"] == ["zig_linux-64 0.17.*"]
    # The tools output reads only its own section: it uses no key, so no hash.
    assert tools["build_string"] == "2"
    assert tools["variant"] == {"target_platform": "linux-64"}
    assert tools["requirements"]["run"] == [f"libmulti 2.3.4 {lib_hash}_2"]


def test_pin_run_as_build_and_pin_compatible(capsys: pytest.CaptureFixture[str]) -> None:
    (rendered,) = render(capsys, "pin-run-as-build")
    assert rendered["requirements"]["host"] == ["zlib 1.2.13.*", "libpng 1.6.34.*"]
    assert rendered["requirements"]["run"] == [
        "zlib >=1.2,<1.3.0a0",  # `zlib: x.x` is min_pin and max_pin
        "libpng >=1.6.34,<2.0a0",
        "libpng >=1.6.34,<1.7.0a0",
    ]


def test_recipe_local_variants_sit_between_default_and_m_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rendered = render(capsys, "recipe-local-variants")
    assert [r["variant"]["zlib"] for r in rendered] == ["1.2", "1.2.13"]  # not the default 1.3
    # microarch_level is used by a selector, so it is in the variant and the hash.
    assert rendered[0]["hash_input"] == json.dumps(
        {"microarch_level": "1", "target_platform": "linux-64", "zlib": "1.2"}
    )
    ci = tmp_path / "ci.yaml"
    ci.write_text("zlib:\n  - 1.3.1\nmicroarch_level:\n  - 3\n", encoding="utf-8")
    (by_file,) = render(capsys, "recipe-local-variants", "-m", str(ci))
    assert by_file["variant"]["zlib"] == "1.3.1"
    assert "microarch_level_is_not_a_package" in by_file["requirements"]["host"]
    (by_flag,) = render(capsys, "recipe-local-variants", "-m", str(ci), "--variant", "zlib=1.2.11")
    assert by_flag["variant"] == {
        "microarch_level": "3",
        "target_platform": "linux-64",
        "zlib": "1.2.11",
    }


def test_noarch_python_build_string_is_conda_forges(capsys: pytest.CaptureFixture[str]) -> None:
    rendered = render(capsys, "noarch-python-channel-targets")
    # Both python variants give the same package: conda-forge's pyhd8ed1ab_0.
    assert [r["build_string"] for r in rendered] == ["pyhd8ed1ab_0"]
    assert rendered[0]["subdir"] == "noarch"
    assert rendered[0]["requirements"]["run"] == ["python"]
