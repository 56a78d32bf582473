"""The ABI checks over a package's files: files + context -> findings.

``check(root, ["bin/tool"], CheckContext("linux-64", frozenset({"bin/tool"}), (), {}))`` ->
``[Finding("error", "glibc-floor", "bin/tool", "needs GLIBC_2.34 ...", "...")]``.
Run it after relocation, on the files that go into the package.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import lazy
from ..relocate.scan import classify
from .layout import layout_findings
from .model import AbiCheckError, CheckContext, Finding, finding, spec_name

if TYPE_CHECKING:
    from .binary import BinaryInfo

_SHARED_LIBRARY = lazy.regex(r"\.so(\.\d+)*$|\.dylib$|\.dll$", re.IGNORECASE)
__all__ = ["check", "exported_symbols", "spec_name"]


def check(root: Path, files: Sequence[str], ctx: CheckContext) -> list[Finding]:
    """Every finding for ``files`` (relative to ``root``), binaries first, then leaks."""
    kinds = classify(root, files)
    binaries: dict[str, BinaryInfo] = {}
    found: list[Finding | None] = []
    # Imported late: a package without binaries needs neither the ELF reader nor objdump.
    if any(kinds.values()):
        from .binary_checks import binary_findings

        binaries, found = binary_findings(root, kinds, ctx)
    found += _overdepending(binaries, ctx)
    if binaries:
        from .prefix_check import prefix_findings

        found += prefix_findings(root, kinds, ctx)
    found += layout_findings(files, ctx.subdir, ctx.severities)
    leaked = {f.path for f in found if f is not None and f.code == "leak"}
    # A leaked RPATH is also in the file's bytes: one finding per file is enough.
    found += [f for f in _byte_leaks(root, files, ctx) if f is not None and f.path not in leaked]
    return [f for f in found if f is not None]


def _overdepending(binaries: dict[str, BinaryInfo], ctx: CheckContext) -> list[Finding | None]:
    if not ctx.host_run_exporters:
        return []
    from .allowlist import library_key, provided_names  # host dependencies with run_exports

    linked = {library_key(n, ctx.subdir) for info in binaries.values() for n in info.needed}
    found: list[Finding | None] = []
    for spec in ctx.host_run_exporters:
        name = spec_name(spec)
        # A split package (zlib) exports the package holding its library (libzlib): linking
        # that library is what the exporter is in host for. What python exports (python_abi)
        # holds no library: an extension module does not link libpython, nor need to.
        owners = list(ctx.export_targets.get(name, ())) or [name]
        libraries = {f for owner in owners for f in ctx.dependency_files.get(owner, frozenset())
                     if _SHARED_LIBRARY.search(f)}  # fmt: skip
        if not libraries or provided_names(libraries, ctx.subdir) & linked:
            continue
        found.append(finding(
            ctx.severities, "overdepending", "info/index.json",
            f"host dependency {name} adds a run dependency through run_exports, "
            "but no binary in the package links its libraries",
            f"drop {name} from host, or ignore its run_exports (ignore_run_exports: [{name}])",
        ))  # fmt: skip
    return found


def _byte_leaks(root: Path, files: Sequence[str], ctx: CheckContext) -> list[Finding | None]:
    needles = [os.fsencode(s) for s in ctx.leak_strings if s]
    patterns = [re.compile(os.fsencode(p)) for p in ctx.leak_patterns]
    if not needles and not patterns:
        return []
    prefix = os.fsencode(ctx.prefix)
    found: list[Finding | None] = []
    for relpath in sorted(files):
        data = _read_regular(root / relpath)
        if data is None:
            continue
        if prefix:  # the host prefix is replaced at install time: not a leak
            data = data.replace(prefix, b"")
        hits = [n.decode(errors="replace") for n in needles if n in data]
        hits += [m.group().decode(errors="replace") for p in patterns if (m := p.search(data))]
        if hits:
            found.append(finding(
                ctx.severities, "leak", relpath, f"contains the build path {hits[0]!r}",
                "do not embed build paths (use relative paths, or the host prefix, which is "
                "replaced at install time); check __FILE__, -g debug info and config scripts",
            ))  # fmt: skip
    return found


def _read_regular(path: Path) -> bytes | None:
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        return path.read_bytes()
    except OSError as exc:
        raise AbiCheckError(f"cannot read {path}: {exc.strerror}") from exc


def exported_symbols(root: Path, files: Sequence[str]) -> dict[str, set[str]]:
    """``{soname: {"name@VERSION", ...}}`` of the shared libraries among ``files``, the input of
    ``diff_symbols`` (libraries without a SONAME are keyed by file name)."""
    found: dict[str, set[str]] = {}
    for paths in classify(root, files).values():
        for path in paths:
            if _SHARED_LIBRARY.search(path):
                from .binary import read_binary  # imported late, as in ``check``

                info = read_binary(root / path)
                found.setdefault(info.soname or Path(path).name, set()).update(info.exports)
    return found
