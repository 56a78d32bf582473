"""Which x86-64 micro-architecture level a binary's instructions need (objdump text -> counts).

``count_instructions(["  40: c5 fd 6f 04 07  vmovdqa (%rdi),%ymm0"])`` ->
``IsaCounts(avx2=1, avx512=0, level2=0, cpuid=0)`` whose ``level`` is 3.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from .. import lazy
from ..records import dataclass
from .model import AbiCheckError

T = TypeVar("T")

_ZMM_OR_MASK = lazy.regex(r"%?\bzmm\d+|\{%?k[1-7]\}|%k[0-7]\b")
_YMM = lazy.regex(r"%?\bymm\d+")
# Mnemonics that exist only as EVEX (AVX-512) encodings, whatever the vector width.
_AVX512_MNEMONICS = lazy.regex(
    r"^(vpternlog|vpcompress|vpexpand|vcompress|vexpand|vpermt2|vpermi2|vpconflict|vplzcnt|"
    r"vrndscale|vrcp14|vrsqrt14|vgetexp|vgetmant|vscalef|vfixupimm|vreduce|vrange|vfpclass|"
    r"vpmov(?![sz]x)[a-z]*[bdqw][bdqw]\b|vpro[lr]|vpsra[vq]q|vpabsq|vpmaxsq|vpminsq|vpmullq|vcvt[a-z]*2u|"
    r"vcvtu|vextract[if]64x|vinsert[if]64x|vshuf[if]64x|vshuf[if]32x|vbroadcast[if]64x|"
    r"vpbroadcastm|vptestn?m|vpcmpu?[bwdq]\b|vpcmp[bwdq]\b|valign[dq]|vdbpsadbw|vpermw|k[a-z]+[bwdq]\b)"
)
# SSE3..SSE4.2 and POPCNT: what level 2 adds over the baseline.
_LEVEL2_MNEMONICS = lazy.regex(
    r"^(popcnt|crc32|pcmp[ei]str[im]|pcmpgtq|ptest|pblendvb|blendv?p[sd]|pmulld|pmin[su][dw]|"
    r"pmax[su][dw]|pminsb|pmaxsb|round[ps][sd]|dpp[sd]|insertps|extractps|pinsr[bdq]|pextr[bdq]|"
    r"pmov[sz]x|packusdw|pcmpeqq|mpsadbw|phminposuw|movntdqa|pshufb|palignr|pmaddubsw|pmulhrsw|"
    r"ph(add|sub)[a-z]*|psign[bwd]|pabs[bwd]|addsubp[sd]|h(add|sub)p[sd]|movs[hl]dup|movddup|lddqu)$"
)
# glibc's loader picks lib/glibc-hwcaps/x86-64-vN/ copies only on CPUs of level N and above.
_HWCAPS_DIR = lazy.regex(r"(?:^|/)glibc-hwcaps/x86-64-v([1-4])/[^/]+$")
_ADDRESS = lazy.regex(r"^\s*[0-9a-f]+:\s*\t(.*)$")
_HEX_BYTES = lazy.regex(r"^[0-9a-f]{2}( [0-9a-f]{2})*$")


@dataclass(frozen=True)
class IsaCounts:
    """Instruction counts by the level they need, plus runtime-dispatch evidence."""

    avx2: int = 0  # VEX-encoded AVX/AVX2 instructions (level 3)
    avx512: int = 0  # EVEX-encoded AVX-512 instructions (level 4)
    level2: int = 0  # SSE3..SSE4.2, POPCNT
    cpuid: int = 0  # cpuid instructions: the code looks at the CPU before choosing a path

    @property
    def level(self) -> int:
        """The lowest x86-64 level that runs every counted instruction."""
        if self.avx512:
            return 4
        if self.avx2:
            return 3
        return 2 if self.level2 else 1


def classify_instruction(text: str) -> int:
    """The level one disassembled instruction (``vpaddd %zmm1,%zmm2,%zmm3``) needs; 0 = cpuid."""
    mnemonic = text.split(None, 1)[0] if text.strip() else ""
    if mnemonic == "cpuid":
        return 0
    if _ZMM_OR_MASK.search(text) or _AVX512_MNEMONICS.match(mnemonic):
        return 4
    if mnemonic.startswith("v") or _YMM.search(text):
        return 3
    return 2 if _LEVEL2_MNEMONICS.match(mnemonic) else 1


def count_instructions(lines: Iterable[str]) -> IsaCounts:
    """Counts over ``objdump -d`` (or ``llvm-objdump -d``) output lines; others are skipped."""
    counts = [0, 0, 0, 0, 0]  # index: level (0 = cpuid)
    for line in lines:
        instruction = _instruction(line)
        if instruction:
            counts[classify_instruction(instruction)] += 1
    return IsaCounts(avx2=counts[3], avx512=counts[4], level2=counts[2], cpuid=counts[0])


def _instruction(line: str) -> str | None:
    # GNU: "  401126:\tc5 fd 6f 04 07 \tvmovdqa (%rdi),%ymm0"; LLVM: "  1010:      \tcallq\t*%rax";
    # raw bytes may be shown or not, and GNU wraps long byte runs onto lines of their own.
    match = _ADDRESS.match(line)
    if not match:
        return None
    fields = [f.strip() for f in match.group(1).split("\t")]
    text = " ".join(f for f in fields if f and not _HEX_BYTES.match(f))
    return text or None


def allowed_level(path: str, variant_level: int | None) -> int:
    """The highest level ``path`` may need: the variant's, or N for a file in a
    ``glibc-hwcaps/x86-64-vN/`` directory (``lib/glibc-hwcaps/x86-64-v4/libk.so.1`` -> 4)."""
    match = _HWCAPS_DIR.search(path)
    return max(variant_level or 1, int(match.group(1)) if match else 1)


def disassembler() -> str | None:
    """``objdump`` or ``llvm-objdump`` from PATH, None when neither is installed."""
    return shutil.which("objdump") or shutil.which("llvm-objdump")


def disassemble(path: Path, tool: str) -> IsaCounts:
    """Counts for the executable sections of ``path``, streamed so big binaries stay cheap."""
    return read_disassembly(path, tool, count_instructions)


def read_disassembly(path: Path, tool: str, consume: Callable[[Iterable[str]], T]) -> T:
    """``consume`` applied to the disassembly lines of ``path`` as ``tool`` prints them."""
    command = [tool, "-d", "--no-show-raw-insn", str(path)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace"
    ) as proc:
        assert proc.stdout is not None
        result = consume(proc.stdout)
        stderr = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        tail = "\n".join(stderr.splitlines()[-5:])
        raise AbiCheckError(f"{' '.join(command)} exited with {proc.returncode}: {tail}")
    return result
