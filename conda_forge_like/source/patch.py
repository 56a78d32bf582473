"""Applying a recipe's ``patches`` the way conda-build does, and a little more leniently.

``apply_patch(Path("recipe/fix.patch"), Path("work/src"), os.environ)`` -> None, or a warning
when the patch needed more context fuzz than conda-build allows. Each patch is tried by dry
runs, first at the strip level whose paths exist in the source (``-p1`` for ``git diff``
output, then ``-p0``, ``-p2``, ``-p3``), and at each level with:

1. ``git apply`` (exact; binary hunks, renames and modes),
2. GNU ``patch --batch --forward --no-backup-if-mismatch --binary`` with its default fuzz of 2
   (what conda-build runs), with the patch as written, with LF and with CRLF line endings
   (conda-build's "native", "lf" and "crlf" tries: a patch made on Windows applies to LF
   sources and the other way round).

Only when nothing applies is the same repeated with ``--fuzz=3``, so that a feedstock patch
whose first context line next to a change moved upstream still applies (conda-forge's
snappy 1.2.2 ships one); the hunks that needed it are returned as a warning.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from .. import lazy
from ..errors import SourceError
from . import proc

STRIP_LEVELS = (1, 0, 2, 3)
DEFAULT_FUZZ = 2  # GNU patch's default, and so conda-build's
WIDE_FUZZ = 3
_FILE_LINE = lazy.regex(r"^(?:---|\+\+\+) ([^\t\n]+)")
_FUZZED = lazy.regex(r"^Hunk #\d+ succeeded at \d+ with fuzz \d+", re.MULTILINE)


def patched_paths(text: str) -> list[str]:
    """The file paths a unified diff names on its ``---``/``+++`` lines, without /dev/null."""
    paths: list[str] = []
    for line in text.splitlines():
        found = _FILE_LINE.match(line)
        if found:
            path = found.group(1).strip().strip('"')
            if path != "/dev/null" and path not in paths:
                paths.append(path)
    return paths


def strip_level_order(paths: Sequence[str], exists: Callable[[str], bool]) -> list[int]:
    """``STRIP_LEVELS`` ordered by how many ``paths`` exist once stripped (pure given ``exists``).

    Ties keep conda-build's preference: -p1, then -p0, -p2, -p3.
    """

    def found(level: int) -> int:
        stripped = ("/".join(p.split("/")[level:]) for p in paths)
        return sum(1 for s in stripped if s and exists(s))

    counts = {level: found(level) for level in STRIP_LEVELS}
    return sorted(STRIP_LEVELS, key=lambda level: -counts[level])


def line_ending_variants(data: bytes) -> dict[str, bytes]:
    """The patch as written, with LF and with CRLF line endings, without duplicates (pure)."""
    lf = data.replace(b"\r\n", b"\n")
    crlf = lf.replace(b"\n", b"\r\n")
    variants = {"native": data}
    for name, variant in (("lf", lf), ("crlf", crlf)):
        if variant not in variants.values():
            variants[name] = variant
    return variants


def patch_command(patch: Path, level: int, fuzz: int, dry_run: bool) -> list[str]:
    """The GNU ``patch`` command line for one try (pure)."""
    cmd = ["patch", "--batch", "--forward", "--no-backup-if-mismatch", f"-p{level}", "--binary"]
    if fuzz != DEFAULT_FUZZ:
        cmd.append(f"--fuzz={fuzz}")
    cmd += ["-i", str(patch)]
    return [*cmd, "--dry-run"] if dry_run else cmd


def git_apply_command(patch: Path, level: int, dry_run: bool) -> list[str]:
    """The ``git apply`` command line for one try (pure)."""
    check = ["--check"] if dry_run else []
    return ["git", "apply", *check, f"-p{level}", "--whitespace=nowarn", str(patch)]


def apply_patch(patch: Path, target: Path, env: Mapping[str, str]) -> str | None:
    """Apply ``patch`` inside ``target``; a warning when it needed ``WIDE_FUZZ``.

    Git never looks above ``target`` for a repository: the work dir may sit inside someone's
    checkout, and git would then apply paths relative to it.
    """
    tools = {tool for tool in ("git", "patch") if shutil.which(tool, path=env.get("PATH"))}
    if not tools:
        raise SourceError(
            f"cannot apply {patch}: neither `patch` nor `git` is on PATH",
            hint="install patch (Debian/Ubuntu: apt-get install patch)",
        )
    env = {**env, "GIT_CEILING_DIRECTORIES": str(target.parent)}
    data = patch.read_bytes()
    levels = strip_level_order(
        patched_paths(data.decode("utf-8", "replace")), lambda p: (target / p).exists()
    )
    with tempfile.TemporaryDirectory(prefix="cfl-patch-") as tmp:
        files = _write_variants(patch, data, Path(tmp))
        attempts: list[str] = []
        for fuzz in (DEFAULT_FUZZ, WIDE_FUZZ):
            for index, level in enumerate(levels):
                shown = attempts if fuzz == DEFAULT_FUZZ and index == 0 else []
                output = _try_level(patch, files, target, env, level, fuzz, tools, shown)
                if output is not None:
                    return _fuzz_warning(patch, output) if fuzz != DEFAULT_FUZZ else None
    raise SourceError(
        f"patch {patch} does not apply in {target} (tried -p1, -p0, -p2 and -p3 with git apply "
        f"and with patch at fuzz {DEFAULT_FUZZ} and {WIDE_FUZZ}, LF and CRLF line endings); "
        f"at -p{levels[0]}:\n" + "\n".join(attempts),
        hint="the patch was made for another version of the source or other paths; remake it "
        "with `git diff` (or `diff -ru`) in the unpacked source",
    )


def _write_variants(patch: Path, data: bytes, tmp: Path) -> list[Path]:
    files = [patch.absolute()]
    for name, variant in line_ending_variants(data).items():
        if name != "native":
            path = tmp / f"{patch.name}.{name}"
            path.write_bytes(variant)
            files.append(path)
    return files


def _try_level(
    patch: Path,
    files: Sequence[Path],
    target: Path,
    env: Mapping[str, str],
    level: int,
    fuzz: int,
    tools: Iterable[str],
    attempts: list[str],
) -> str | None:
    """Apply the first try at ``level`` whose dry run passes; its output, or None."""
    tries: list[tuple[list[str], list[str]]] = []
    if "git" in tools and fuzz == DEFAULT_FUZZ:
        tries.append(
            (git_apply_command(files[0], level, True), git_apply_command(files[0], level, False))
        )
    if "patch" in tools:
        tries += [
            (patch_command(f, level, fuzz, True), patch_command(f, level, fuzz, False))
            for f in files
        ]
    for check, apply in tries:
        result = proc.run(check, target, env)
        if result.returncode == 0:
            done = proc.run_checked(
                apply, target, env, f"patch {patch.name} passed its dry run but failed"
            )
            return done.stdout
        attempts.append(proc.failure(check, result, lines=6))
    return None


def _fuzz_warning(patch: Path, output: str) -> str:
    hunks = "; ".join(_FUZZED.findall(output)) or "some hunks"
    return (
        f"patch {patch.name} applied only with context fuzz {WIDE_FUZZ} (conda-build allows "
        f"{DEFAULT_FUZZ}): {hunks}. Check the patched lines, or refresh the patch"
    )
