"""The ``microarch-marker`` check: code above x86-64-v1 needs a package that says so.

Pure. A binary whose instructions (or ISA-needed note) need level N > 1 crashes with SIGILL on
an older CPU, so its package must only install where ``__archspec`` is level N or above: a run
dependency ``_x86_64-microarch-level >=K`` with K >= N (conda-forge's marker, which the
``x86_64-microarch-level N`` build requirement adds through its run_exports).

``promised_level(("libc", "_x86_64-microarch-level >=3"))`` -> ``3``;
``needed_level("bin/tool", IsaCounts(avx512=9), 0, ())`` -> ``4``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import lazy
from .isa import IsaCounts, allowed_level
from .model import CheckContext, Finding, finding

MARKER = "_x86_64-microarch-level"
# ">=3", "==3", "3", "3.*" (a lower bound is what the solver guarantees)
_LOWER_BOUND = lazy.regex(r"^(?:>=|==|=)?\s*(\d+)(?:\.\*)?(?:,.*)?$")


def promised_level(run_depends: Iterable[str]) -> int:
    """The highest level the run dependencies guarantee (1 when none does)."""
    best = 1
    for spec in run_depends:
        name, _, rest = spec.strip().partition(" ")
        if name.split("::")[-1] != MARKER:
            continue
        match = _LOWER_BOUND.match(rest.strip().split(" ")[0])
        if match:
            best = max(best, int(match.group(1)))
    return best


def needed_level(path: str, counts: IsaCounts, note: int, dispatch: tuple[str, ...]) -> int:
    """The level a machine needs to run ``path``, beyond what the loader already ensures."""
    needed = max(counts.level, note)
    if (dispatch or counts.cpuid) and counts.level > note:
        needed = max(note, 1)  # wide code behind a CPU check runs only where supported
    # glibc loads lib/glibc-hwcaps/x86-64-vN/ copies only on CPUs of level N and above.
    return 1 if needed <= allowed_level(path, None) else needed


def marker_finding(
    path: str, counts: IsaCounts, note: int, dispatch: tuple[str, ...], ctx: CheckContext
) -> Finding | None:
    """A finding when ``path`` needs a level the package's run dependencies do not promise."""
    needed = needed_level(path, counts, note, dispatch)
    promised = promised_level(ctx.run_depends)
    if needed <= promised:
        return None
    have = f"{MARKER} >={promised}" if promised > 1 else f"no {MARKER} dependency"
    return finding(
        ctx.severities,
        "microarch-marker",
        path,
        f"needs x86-64-v{needed} but the package has {have}: it would install on older CPUs "
        "and crash there with an illegal instruction",
        f"add `x86_64-microarch-level {needed}` to the build requirements (its run_exports add "
        f"{MARKER} >={needed}), or ship the code in lib/glibc-hwcaps/x86-64-v{needed}/ or "
        "behind runtime CPU dispatch",
    )
