"""The Windows layout check: conda-forge's win-64 packages keep native files under ``Library/``.

Pure. ``layout_findings(["bin/z.dll", "Library/lib/z.lib"], "win-64", {})`` -> one ``win-layout``
finding naming ``bin/z.dll``; other targets, and paths already in ``Library/`` (or python's
``Lib/``, ``Scripts/``), give none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .model import Finding, finding

_UNIX_DIRS = ("bin", "lib", "include")


def layout_findings(files: Sequence[str], subdir: str, severities: Mapping[str, str]
                    ) -> list[Finding]:  # fmt: skip
    if not subdir.startswith("win-"):
        return []
    misplaced = sorted(f for f in files if f.split("/", 1)[0] in _UNIX_DIRS)
    if not misplaced:
        return []
    shown = ", ".join(misplaced[:4]) + (" ..." if len(misplaced) > 4 else "")
    found = finding(
        severities, "win-layout", misplaced[0],
        f"{len(misplaced)} file(s) in the unix layout ({shown}); conda-forge's {subdir} packages "
        "keep them in Library/bin, Library/lib and Library/include",
        "install to $LIBRARY_PREFIX (CMAKE_ARGS and MESON_ARGS do; a script that passes "
        "-DCMAKE_INSTALL_PREFIX=$PREFIX overrides that: pass ${LIBRARY_PREFIX:-$PREFIX})",
    )  # fmt: skip
    return [found] if found is not None else []
