"""Package tests: what to run (pure, from either recipe format) and running it.

``test_specs(rendered.meta, "v1")`` -> ``[TestSpec(commands=("greet world",), ...)]``. The
specs are stored in the package as ``info/test/tests.json``, next to the files the tests use
(``files`` from the recipe folder, ``source_files`` from the build's source tree, a v0 recipe's
``run_test.sh``), so ``cfl test PACKAGE`` can run them later without the recipe or the sources.

Like conda-build, the test files are copied into a fresh test directory that is the tests'
working directory; v0 ``commands`` are appended to ``run_test.sh`` after ``set -ex`` and end in
``exit 0`` (conda-build's ``create_shell_files``), and the whole runs with ``bash -e``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..baseplate.conda_vars import shlib_ext
from ..errors import CflError
from ..platforms import Execution
from ..records import asdict, dataclass, field
from ..render.model import TOP_LEVEL
from . import script as script_runner

SPECS_FILE = "tests.json"
V0_SCRIPT = "run_test.sh"


class TestFailure(CflError):
    """A package test failed; the package goes to broken/."""

    exit_code = 6


@dataclass(frozen=True)
class TestSpec:
    commands: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # from the recipe folder
    imports: tuple[str, ...] = ()
    pip_check: bool = False  # v1 `python: pip_check` (rattler-build's default: true)
    contents: dict[str, Any] = field(default_factory=dict)  # package_contents
    source_files: tuple[str, ...] = ()  # from the build's source tree
    script: str | None = None  # v0: run_test.sh (or test/script) from the recipe folder
    recipe_format: str = "v1"


def _normalize_contents(contents: Mapping[str, Any]) -> dict[str, Any]:
    from . import test_contents  # only recipes with package_contents tests load it

    return test_contents.normalize(contents)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(item) for item in items if item not in (None, ""))


def _v1_script(value: Any) -> tuple[str, ...]:
    """``script:`` as a string, a list of lines, or ``{content: ...}``."""
    if isinstance(value, dict):
        value = value.get("content")
    return _strings(value)


def _v1_test(item: Mapping[str, Any]) -> TestSpec:
    files = item.get("files") or {}
    recipe_files = files.get("recipe") if isinstance(files, dict) else files
    source_files = files.get("source") if isinstance(files, dict) else None
    python = item.get("python") or {}
    checks_pip = isinstance(python, dict) and bool(python) and python.get("pip_check") is not False
    contents = item.get("package_contents") or {}
    reqs = item.get("requirements") or {}
    return TestSpec(
        commands=_v1_script(item.get("script")),
        # The build tools of a test go into the same environment: cfl tests only where the
        # package's programs run, so build and target machine agree.
        requires=_strings(reqs.get("run")) + _strings(reqs.get("build")),
        files=_strings(recipe_files),
        imports=_strings(python.get("imports") if isinstance(python, dict) else None),
        pip_check=checks_pip,
        contents=_normalize_contents(contents) if isinstance(contents, dict) else {},
        source_files=_strings(source_files),
    )


def test_specs(
    meta: Mapping[str, Any],
    recipe_format: str,
    recipe_files: Collection[str] = (),  # noqa: PT028
) -> list[TestSpec]:
    """The tests of one output; ``recipe_files`` names the files in the recipe folder (a v0
    recipe's run_test.sh is a test of its own)."""
    if recipe_format == "v1":
        return [_v1_test(item) for item in meta.get("tests") or [] if isinstance(item, dict)]
    test = meta.get("test") or {}
    if not isinstance(test, dict):
        return []
    # conda-build runs run_test.sh for the top-level package, an output's test/script for it.
    script = test.get("script") or (V0_SCRIPT if meta.get(TOP_LEVEL) else None)
    if script not in recipe_files:
        script = None
    spec = TestSpec(
        commands=_strings(test.get("commands")),
        requires=_strings(test.get("requires")),
        files=_strings(test.get("files")),
        imports=_strings(test.get("imports")),
        source_files=_strings(test.get("source_files")),
        script=str(script) if script else None,
        recipe_format="v0",
    )
    return [spec] if spec.commands or spec.imports or spec.files or spec.script else []


def dump(specs: Sequence[TestSpec]) -> bytes:
    return json.dumps([asdict(s) for s in specs], indent=2, sort_keys=True).encode()


def load(data: bytes) -> list[TestSpec]:
    specs = []
    for d in json.loads(data):
        tuples = ("commands", "requires", "files", "imports", "source_files")
        specs.append(
            TestSpec(
                **{k: tuple(d.get(k, ())) for k in tuples},
                contents=dict(d.get("contents", {})),
                pip_check=bool(d.get("pip_check", False)),
                script=d.get("script"),
                recipe_format=d.get("recipe_format", "v1"),
            )
        )
    return specs


def requirements(specs: Sequence[TestSpec], python: bool = True) -> list[str]:
    """What the test environment needs besides the package (``python`` for ``imports``)."""
    extra = [r for s in specs for r in s.requires]
    if python and any(s.imports for s in specs):
        extra.append("python")
    return extra


def payload(specs: Sequence[TestSpec], recipe_dir: Path, src_dir: Path | None) -> dict[str, bytes]:
    """The files the tests use, by their path in the test directory (and in ``info/test/``).

    A name in ``files``/``source_files`` is a file, a folder (taken whole) or a glob; one that
    matches nothing fails the build, as in conda-build.
    """
    found: dict[str, bytes] = {}
    for spec in specs:
        for name in spec.files:
            found.update(_collect(recipe_dir, name, "the recipe folder", "files"))
        for name in spec.source_files:
            if src_dir is None:
                raise CflError(f"test source_files {name!r}: the build has no source tree")
            found.update(_collect(src_dir, name, "the source tree", "source_files"))
        if spec.script and (recipe_dir / spec.script).is_file():
            found[spec.script] = (recipe_dir / spec.script).read_bytes()
    found.pop(SPECS_FILE, None)
    return found


def _collect(root: Path, name: str, where: str, key: str) -> dict[str, bytes]:
    base = root / name
    hits = [base] if base.exists() else sorted(root.glob(name))
    if not hits:
        raise CflError(
            f"test {key} entry {name!r} matches nothing in {where} ({root})",
            hint=f"check the path; {key} names paths relative to {where}",
        )
    out: dict[str, bytes] = {}
    for hit in hits:
        files = [hit] if hit.is_file() else sorted(p for p in hit.rglob("*") if p.is_file())
        for path in files:
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def recipe_scripts(recipe_dir: Path) -> frozenset[str]:
    """The names of the files directly in the recipe folder (for ``test_specs``)."""
    try:
        return frozenset(p.name for p in recipe_dir.iterdir() if p.is_file())
    except OSError:
        return frozenset()


def test_env(
    base: Mapping[str, str],
    prefix: Path,
    index: Mapping[str, Any],
    runs: Execution,
    build_subdir: str,
    test_dir: Path,
) -> dict[str, str]:
    """What conda-build's and rattler-build's test scripts see, over ``base`` (os.environ)."""
    subdir = str(index.get("subdir", build_subdir))
    target = build_subdir if subdir == "noarch" else subdir
    env = dict(base)
    env.update(
        PREFIX=str(prefix), CONDA_PREFIX=str(prefix), CONDA_DEFAULT_ENV=str(prefix),
        SRC_DIR=str(test_dir), PKG_NAME=str(index["name"]), PKG_VERSION=str(index["version"]),
        PKG_BUILDNUM=str(index.get("build_number", 0)), PKG_BUILD_STRING=str(index["build"]),
        CONDA_BUILD="1", CONDA_BUILD_STATE="TEST", SUBDIR=subdir, target_platform=subdir,
        host_platform=subdir, build_platform=build_subdir, ARCH=target.split("-", 1)[-1],
        SHLIB_EXT=shlib_ext(target),
        CONDA_BUILD_CROSS_COMPILATION="1" if target != build_subdir else "0",
        PATH=script_runner.base_path(base, prefix / "bin"),
    )  # fmt: skip
    env.update(runs.env)
    return env


def v0_shell_text(spec: TestSpec, recipe_script: str | None) -> str:
    """conda-build's run_test.sh: the recipe's own, then ``set -ex``, the commands, ``exit 0``."""
    text = recipe_script or ""
    if spec.commands:
        text += "\n\nset -ex\n\n" + "".join(f"{cmd}\n" for cmd in spec.commands) + "exit 0\n"
    return text


def driver_text(
    spec: TestSpec, has_python: bool, shell_file: str | None, has_pip: bool = False
) -> str:
    """The script the test runs with: imports first (conda-build's run_test.py) and ``pip
    check``, then the shell test (v0: ``bash -e run_test.sh``; v1: the ``script`` lines)."""
    lines = ["set -e"]
    if spec.imports and has_python:
        lines += [f'python -s -c "import {module}"' for module in spec.imports]
    if spec.pip_check and has_pip:
        lines.append("python -s -m pip check")
    if shell_file is not None:
        lines.append(f'bash -e "./{shell_file}"')
    elif spec.recipe_format != "v0":
        lines += ["set -x", *spec.commands]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class TestRun:
    """Where one package's tests run: the installed environment and the test directory."""

    prefix: Path
    env: Mapping[str, str]
    test_dir: Path
    log: Path
    subdir: str = "linux-64"
    package_paths: tuple[str, ...] = ()  # the package's info/files


def run(specs: Sequence[TestSpec], files: Mapping[str, bytes], where: TestRun) -> list[str]:
    """Run every test against the environment; raise ``TestFailure``; notes on what was
    skipped (python imports without a python)."""
    _write_files(where.test_dir, files)
    notes: list[str] = []
    has_python = any((where.prefix / p).exists() for p in ("bin/python", "python.exe"))
    has_pip = has_python and _has_pip(where.prefix)
    from . import test_contents  # package_contents checks: loaded by builds that test

    for index, spec in enumerate(specs):
        missing = test_contents.problems(spec.contents, where.package_paths, where.subdir)
        if missing:
            raise TestFailure(
                f"package_contents test failed: {'; '.join(missing)}",
                hint="check the build script installs them, or the `files:` selection",
            )
        if spec.imports and not has_python:
            notes.append(f"python imports not tested (no python in the test environment): "
                         f"{', '.join(spec.imports)}")  # fmt: skip
        if spec.pip_check and has_python and not has_pip:
            notes.append("pip check not run (no pip in the test environment)")
        shell_file = _v0_shell_file(spec, files, where.test_dir, index)
        if shell_file is None and not spec.commands and not (spec.imports and has_python):
            continue
        text = driver_text(spec, has_python, shell_file, has_pip)
        try:
            script_runner.run(text, where.env, where.test_dir, where.log, name=f"test_{index}")
        except script_runner.ScriptError as exc:
            raise TestFailure(exc.message, hint=exc.hint) from exc
    return notes


def _has_pip(prefix: Path) -> bool:
    return (
        any(prefix.glob("lib/python*/site-packages/pip/__init__.py"))
        or (prefix / "Lib" / "site-packages" / "pip" / "__init__.py").is_file()
    )


def _v0_shell_file(
    spec: TestSpec, files: Mapping[str, bytes], test_dir: Path, index: int
) -> str | None:
    if spec.recipe_format != "v0":
        return None
    recipe_script = files.get(spec.script or "")
    text = v0_shell_text(spec, recipe_script.decode(errors="replace") if recipe_script else None)
    if not text:
        return None
    name = V0_SCRIPT if index == 0 else f"run_test_{index}.sh"
    (test_dir / name).write_text(text)
    return name


def _write_files(test_dir: Path, files: Mapping[str, bytes]) -> None:
    if test_dir.exists():
        shutil.rmtree(test_dir)
    test_dir.mkdir(parents=True)
    for rel, data in files.items():
        target = test_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
