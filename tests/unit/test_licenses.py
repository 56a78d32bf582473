"""``about: license_file`` -> the files of ``info/licenses/`` (source tree first, then the recipe
folder; folders whole; globs in recipe.yaml; every missing entry an error at its line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_forge_like.build import licenses
from conda_forge_like.errors import CflErrorGroup, RecipeError
from conda_forge_like.yamlio import load


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    src, recipe = tmp_path / "src", tmp_path / "recipe"
    (src / "licenses").mkdir(parents=True)
    (src / "lib").mkdir()
    recipe.mkdir()
    (src / "LICENSE").write_text("source license\n")
    (src / "lib" / "LICENSE").write_text("lib license\n")
    (src / "licenses" / "a.txt").write_text("a\n")
    (src / "licenses" / "b.txt").write_text("b\n")
    (recipe / "LICENSE").write_text("recipe license\n")
    (recipe / "NOTICE").write_text("notice\n")
    return src, recipe


def _about(text: str) -> dict[str, object]:
    about: dict[str, object] = load(text, "meta.yaml")["about"]
    return about


def test_source_tree_first_then_recipe_folder_and_folders_whole(tmp_path: Path) -> None:
    src, recipe = _tree(tmp_path)
    about = _about("about:\n  license_file:\n    - LICENSE\n    - NOTICE\n    - lib/LICENSE\n"
                   "    - licenses/\n")  # fmt: skip
    found = licenses.collect(about, "v0", src, recipe, "meta.yaml")
    assert found == {
        "LICENSE": b"source license\n",
        "NOTICE": b"notice\n",
        "lib/LICENSE": b"lib license\n",
        "licenses/a.txt": b"a\n",
        "licenses/b.txt": b"b\n",
    }


def test_v1_globs(tmp_path: Path) -> None:
    src, recipe = _tree(tmp_path)
    about = _about("about:\n  license_file: licenses/*.txt\n")
    assert set(licenses.collect(about, "v1", src, recipe, "recipe.yaml")) == {
        "licenses/a.txt", "licenses/b.txt",
    }  # fmt: skip


def test_every_missing_entry_is_an_error_at_its_line(tmp_path: Path) -> None:
    src, recipe = _tree(tmp_path)
    about = _about("about:\n  license: MIT\n  license_file:\n    - COPYING\n    - LICENSE\n"
                   "    - docs/*.md\n")  # fmt: skip
    with pytest.raises(CflErrorGroup) as caught:
        licenses.collect(about, "v1", src, recipe, "recipe.yaml")
    found = [(str(e.location), e.message) for e in caught.value.errors]
    assert [loc for loc, _ in found] == ["recipe.yaml:4", "recipe.yaml:6"]
    assert "'COPYING' matches nothing in the source tree" in found[0][1]


def test_a_single_string_names_its_line(tmp_path: Path) -> None:
    src, recipe = _tree(tmp_path)
    with pytest.raises(RecipeError) as caught:
        licenses.collect(_about("about:\n  license_file: COPYING\n"), "v0", src, recipe, "m.yaml")
    assert str(caught.value.location) == "m.yaml:2"
    assert "recipe folder" in (caught.value.hint or "")


@pytest.mark.parametrize("name", ["../outside", "/etc/passwd"])
def test_paths_outside_both_folders_are_refused(tmp_path: Path, name: str) -> None:
    src, recipe = _tree(tmp_path)
    (tmp_path / "outside").write_text("not ours\n")
    with pytest.raises(RecipeError, match="points outside"):
        licenses.collect({"license_file": name}, "v0", src, recipe, "meta.yaml")


def test_a_link_out_of_the_source_tree_is_not_followed(tmp_path: Path) -> None:
    src, recipe = _tree(tmp_path)
    (tmp_path / "secret").write_text("secret\n")
    (src / "COPYING").symlink_to(tmp_path / "secret")
    with pytest.raises(RecipeError, match="matches nothing"):
        licenses.collect({"license_file": "COPYING"}, "v0", src, recipe, "meta.yaml")


def test_no_license_file_means_no_files(tmp_path: Path) -> None:
    src, recipe = _tree(tmp_path)
    assert licenses.collect({"license": "MIT", "license_file": ""}, "v0", src, recipe, "m") == {}
