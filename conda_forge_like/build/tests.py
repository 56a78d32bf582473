"""Package tests: what to run (pure, from either recipe format) and running it.

``test_specs(rendered.meta, "v1")`` -> ``[TestSpec(commands=("greet world",), ...)]``. The
specs are stored in the package as ``info/test/tests.json`` so ``cfl test PACKAGE`` can run
them later without the recipe.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CflError
from . import script as script_runner


class TestFailure(CflError):
    """A package test failed; the package goes to broken/."""

    exit_code = 6


@dataclass(frozen=True)
class TestSpec:
    commands: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    contents: dict[str, list[str]] = field(default_factory=dict)  # package_contents


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(item) for item in items if item not in (None, ""))


def _v1_test(item: Mapping[str, Any]) -> TestSpec:
    files = item.get("files") or {}
    recipe_files = files.get("recipe") if isinstance(files, dict) else files
    python = item.get("python") or {}
    contents = item.get("package_contents") or {}
    return TestSpec(
        commands=_strings(item.get("script")),
        requires=_strings((item.get("requirements") or {}).get("run")),
        files=_strings(recipe_files),
        imports=_strings(python.get("imports") if isinstance(python, dict) else None),
        contents={k: list(_strings(v)) for k, v in contents.items()}
        if isinstance(contents, dict)
        else {},
    )


def test_specs(meta: Mapping[str, Any], recipe_format: str) -> list[TestSpec]:
    if recipe_format == "v1":
        return [_v1_test(item) for item in meta.get("tests") or [] if isinstance(item, dict)]
    test = meta.get("test") or {}
    if not isinstance(test, dict) or not test:
        return []
    spec = TestSpec(
        commands=_strings(test.get("commands")),
        requires=_strings(test.get("requires")),
        files=_strings(test.get("files")),
        imports=_strings(test.get("imports")),
    )
    return [spec] if spec != TestSpec() else []


def dump(specs: Sequence[TestSpec]) -> bytes:
    return json.dumps([asdict(s) for s in specs], indent=2, sort_keys=True).encode()


def load(data: bytes) -> list[TestSpec]:
    return [
        TestSpec(
            tuple(d.get("commands", ())), tuple(d.get("requires", ())), tuple(d.get("files", ())),
            tuple(d.get("imports", ())), dict(d.get("contents", {})),
        )
        for d in json.loads(data)
    ]  # fmt: skip


def requirements(specs: Sequence[TestSpec]) -> list[str]:
    extra = [r for s in specs for r in s.requires]
    if any(s.imports for s in specs):
        extra.append("python")
    return extra


def _check_contents(spec: TestSpec, prefix: Path, subdir: str) -> list[str]:
    """package_contents: files/lib/bin/include that must exist in the installed prefix."""
    missing = []
    win = subdir.startswith("win")
    for kind, names in spec.contents.items():
        for name in names:
            candidates = {
                "files": [name],
                "include": [f"include/{name}", f"Library/include/{name}"],
                "bin": [f"bin/{name}", f"bin/{name}.exe"]
                if not win
                else [f"Library/bin/{name}.exe", f"bin/{name}.exe"],
                "lib": [
                    f"lib/lib{name}.so",
                    f"lib/lib{name}.dylib",
                    f"bin/{name}.dll",
                    f"lib/{name}",
                ],
            }.get(kind, [name])
            if not any(list(prefix.glob(c)) for c in candidates):
                missing.append(f"{kind}: {name}")
    return missing


def run(
    specs: Sequence[TestSpec],
    prefix: Path,
    env: Mapping[str, str],
    test_dir: Path,
    log: Path,
    recipe_dir: Path | None = None,
    subdir: str = "linux-64",
) -> None:
    """Run every test against the environment at ``prefix``; raise ``TestFailure``."""
    test_dir.mkdir(parents=True, exist_ok=True)
    for index, spec in enumerate(specs):
        for name in spec.files:
            if recipe_dir is not None and (recipe_dir / name).exists():
                target = test_dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if (recipe_dir / name).is_dir():
                    shutil.copytree(recipe_dir / name, target, dirs_exist_ok=True)
                else:
                    shutil.copy2(recipe_dir / name, target)
        missing = _check_contents(spec, prefix, subdir)
        if missing:
            raise TestFailure(
                f"package contents missing from the installed package: {', '.join(missing)}",
                hint="check the build script installs them, or the `files:` selection",
            )
        commands = list(spec.commands) + [f'python -c "import {m}"' for m in spec.imports]
        if commands:
            try:
                script_runner.run("\n".join(commands), env, test_dir, log, name=f"test_{index}")
            except script_runner.ScriptError as exc:
                raise TestFailure(exc.message, hint=exc.hint) from exc
