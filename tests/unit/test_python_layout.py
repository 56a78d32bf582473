"""Python packages: the noarch: python layout, entry points, pip's records, pip check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conda_forge_like.build import python_layout, tests
from conda_forge_like.errors import CflError
from conda_forge_like.package import PathRecord, metadata
from conda_forge_like.package.model import PackageMetadata
from conda_forge_like.render.v1_eval import base_context

SCRIPTS = frozenset({"mytool"})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("lib/python3.11/site-packages/foo/__init__.py", "site-packages/foo/__init__.py"),
        ("lib/python3.13t/site-packages/foo.pth", "site-packages/foo.pth"),
        ("Lib/site-packages/foo/core.py", "site-packages/foo/core.py"),
        ("lib/python3.11/site-packages/foo/__pycache__/core.cpython-311.pyc", None),
        ("lib/python3.11/site-packages/foo/old.pyc", None),
        ("bin/mytool", None),  # an entry point: the installer writes it for its python
        ("Scripts/mytool.exe", None),
        ("Scripts/mytool-script.py", None),
        ("bin/helper.sh", "python-scripts/helper.sh"),
        ("share/man/man1/mytool.1", "share/man/man1/mytool.1"),
        ("etc/conda/activate.d/foo.sh", "etc/conda/activate.d/foo.sh"),
    ],
)
def test_noarch_paths(path: str, expected: str | None) -> None:
    assert python_layout.noarch_path(path, SCRIPTS) == expected


def test_entry_points_from_both_formats_and_checked() -> None:
    v1 = {"build": {"python": {"entry_points": ["mytool = foo.cli:main"]}}}
    v0 = {"build": {"entry_points": ["mytool=foo.cli:main", "other = foo:run"]}}
    assert python_layout.entry_points(v1, "v1") == ("mytool = foo.cli:main",)
    assert python_layout.entry_points(v0, "v0") == ("mytool=foo.cli:main", "other = foo:run")
    assert python_layout.entry_point_names(python_layout.entry_points(v0, "v0")) == {
        "mytool",
        "other",
    }
    assert python_layout.entry_points({}, "v1") == ()
    with pytest.raises(CflError, match="name = module:function"):
        python_layout.entry_points({"build": {"entry_points": ["mytool foo.cli"]}}, "v0")


def test_link_json_is_what_conda_clients_read() -> None:
    meta = PackageMetadata(
        "foo", "1.0", "pyh4616a5c_0", 0, "noarch", noarch="python",
        link=python_layout.link_json(["mytool = foo.cli:main"]),
    )  # fmt: skip
    files = metadata.info_files(meta, [], {})
    assert json.loads(files["info/link.json"]) == {
        "noarch": {"type": "python", "entry_points": ["mytool = foo.cli:main"]},
        "package_metadata_version": 1,
    }
    assert json.loads(files["info/index.json"])["noarch"] == "python"
    plain = PackageMetadata("foo", "1.0", "h0_0", 0, "linux-64")
    assert "info/link.json" not in metadata.info_files(plain, [], {})


def _record(path: str) -> PathRecord:
    return PathRecord(path, "hardlink", "0" * 64, 1)


def test_noarch_tree_moves_files_and_keeps_their_records(tmp_path: Path) -> None:
    host = tmp_path / "host"
    files = {
        "lib/python3.11/site-packages/foo/__init__.py": "x = 1\n",
        "lib/python3.11/site-packages/foo/__pycache__/__init__.cpython-311.pyc": "pyc",
        "bin/mytool": "#!/host/bin/python\n",
        "bin/helper": "#!/bin/sh\n",
    }
    for rel, text in files.items():
        (host / rel).parent.mkdir(parents=True, exist_ok=True)
        (host / rel).write_text(text)
    records = [_record(p) for p in files]
    out = python_layout.noarch_tree(host, records, tmp_path / "root", ["mytool = foo:main"])
    assert [r.path for r in out] == ["python-scripts/helper", "site-packages/foo/__init__.py"]
    assert (tmp_path / "root/site-packages/foo/__init__.py").read_text() == "x = 1\n"
    top = sorted(p.name for p in (tmp_path / "root").iterdir())
    assert top == ["python-scripts", "site-packages"]


def test_pip_records_say_conda_and_lose_the_direct_url(tmp_path: Path) -> None:
    info = "lib/python3.11/site-packages/foo-1.0.dist-info"
    new = {f"{info}/INSTALLER", f"{info}/direct_url.json", f"{info}/METADATA", "bin/x"}
    for rel in new:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("pip\n")
    kept = python_layout.tidy_pip_records(tmp_path, new)
    assert kept == new - {f"{info}/direct_url.json"}
    assert not (tmp_path / info / "direct_url.json").exists()
    assert (tmp_path / info / "INSTALLER").read_text() == "conda\n"
    assert (tmp_path / info / "METADATA").read_text() == "pip\n"


def test_entry_point_scripts_of_a_compiled_package(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "already").write_text("pip's own\n")
    points = ["mytool = foo.cli:main", "already = foo:run"]
    added = python_layout.write_entry_points(tmp_path, points, set(), "/host/bin/python")
    assert added == {"bin/mytool"}
    text = (tmp_path / "bin" / "mytool").read_text()
    assert text.startswith("#!/host/bin/python\n")
    assert "from foo.cli import main" in text
    assert "sys.exit(main())" in text
    assert (tmp_path / "bin" / "mytool").stat().st_mode & 0o111
    assert (tmp_path / "bin" / "already").read_text() == "pip's own\n"


def test_v1_python_tests_check_pip_by_default() -> None:
    meta = {
        "tests": [
            {"python": {"imports": ["foo"]}},
            {"python": {"imports": ["bar"], "pip_check": False}},
        ]
    }
    first, second = tests.test_specs(meta, "v1")
    assert first.pip_check
    assert not second.pip_check
    assert tests.load(tests.dump([first, second])) == [first, second]
    text = tests.driver_text(first, True, None, has_pip=True)
    assert text.splitlines()[1:3] == ['python -s -c "import foo"', "python -s -m pip check"]
    assert "pip check" not in tests.driver_text(first, True, None, has_pip=False)
    assert "pip check" not in tests.driver_text(second, True, None, has_pip=True)


@pytest.mark.parametrize(("subdir", "expected"), [("linux-64", "$PYTHON"), ("win-64", "%PYTHON%")])
def test_v1_python_variable_is_the_scripts_own(subdir: str, expected: str) -> None:
    assert base_context({"python": "3.11"}, subdir)["PYTHON"] == expected
