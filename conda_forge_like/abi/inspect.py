"""The relocation and ABI report of a built package, for ``cfl inspect`` (any conda package).

``inspect_package(Path("zlib-1.3-h0_0.conda"))`` -> ``{"package": "zlib-1.3-h0_0", "subdir":
"linux-64", "binaries": {"lib/libz.so.1": {"format": "elf", "needed": ["libc.so.6"], ...}},
"prefix_placeholders": [{"path": "bin/zconf", "file_mode": "text", ...}]}``.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from ..baseplate.microarch import required_level as microarch_level
from ..baseplate.targets import GLIBC_FLOOR
from ..package import extract, read_index
from ..relocate import classify
from .binary import BinaryInfo, read_binary
from .checks import check, spec_name
from .isa import disassemble, disassembler
from .model import CheckContext
from .symbols import floors, version_tuple

# Without the build's dependency files, linkage findings would be guesses; inspect reports the
# checks that need nothing but the package itself.
_INSPECT_ONLY = {"overlinking": "ignore", "overdepending": "ignore"}


def inspect_package(archive: Path) -> dict[str, Any]:
    """Per binary: format, arch, NEEDED, RPATH/RUNPATH, newest GLIBC/GLIBCXX/CXXABI import,
    ISA note and AVX2/AVX-512 counts; plus the prefix placeholders of ``info/paths.json``."""
    index = read_index(archive)
    with tempfile.TemporaryDirectory(prefix="cfl-inspect-") as temp:
        root = Path(temp)
        extract(archive, root)
        paths = _paths_json(root)
        files = [p["_path"] for p in paths] or _walk(root)
        tool = disassembler()
        binaries = {
            path: _binary_report(root / path, read_binary(root / path), tool)
            for group in classify(root, files).values()
            for path in sorted(group)
        }
        findings = check(root, files, _context(index, files, paths)) if tool else []
        license_files = _license_files(root)
    return {
        "package": archive.name.removesuffix(".conda").removesuffix(".tar.bz2"),
        "subdir": index.get("subdir"),
        "license": index.get("license"),
        "license_files": license_files,
        "depends": index.get("depends", []),
        "binaries": binaries,
        "prefix_placeholders": [_placeholder(p) for p in paths if p.get("prefix_placeholder")],
        "findings": [vars(f) for f in findings],
    }


def _context(index: dict[str, Any], files: list[str], paths: list[dict[str, Any]]
             ) -> CheckContext:  # fmt: skip
    depends = tuple(index.get("depends", []))
    # The archive still holds the build's placeholder: check the strings clients will rewrite.
    placeholders = [str(p["prefix_placeholder"]) for p in paths if p.get("prefix_placeholder")]
    return CheckContext(
        subdir=str(index.get("subdir", "linux-64")),
        package_files=frozenset(files),
        run_depends=depends,
        dependency_files={},
        microarch_level=microarch_level(depends),
        glibc_floor=glibc_floor(depends),
        severities=_INSPECT_ONLY,
        prefix=placeholders[0] if placeholders else "",
    )


def glibc_floor(depends: tuple[str, ...]) -> str:
    """The glibc a package asks for with ``__glibc >=X`` (a build against a newer glibc than
    the base plate's), else the base plate's floor."""
    for spec in depends:
        if spec_name(spec) == "__glibc":
            match = re.search(r">=\s*([0-9][0-9.]*)", spec)
            if match:
                return match.group(1).rstrip(".")
    return GLIBC_FLOOR


def _placeholder(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "path": record["_path"],
        "placeholder": record["prefix_placeholder"],
        "file_mode": record.get("file_mode", "text"),
    }


def _binary_report(path: Path, info: BinaryInfo, tool: str | None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "format": info.format,
        "arch": info.arch,
        "soname": info.soname,
        "needed": list(info.needed),
        "rpath": list(info.rpath),
        "runpath": list(info.runpath),
        "max_versions": max_versions(info.imports),
        "isa_needed": info.isa_needed,
        "dispatch": list(info.dispatch),
    }
    if tool and info.arch in ("x86_64", "amd64", "i386") and info.format != "macho":
        counts = disassemble(path, tool)
        report |= {"avx2": counts.avx2, "avx512": counts.avx512, "isa_level": counts.level}
    return report


def max_versions(imports: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The newest version per family: ``{"GLIBC": "GLIBC_2.34", "GLIBCXX": "GLIBCXX_3.4.30"}``."""
    best: dict[str, str] = {}
    for _, version in imports:
        family, _, number = version.partition("_")
        if family not in floors("2.17") or not number:
            continue
        current = best.get(family)
        if current is None or version_tuple(number) > version_tuple(current.partition("_")[2]):
            best[family] = version
    return best


def _paths_json(root: Path) -> list[dict[str, Any]]:
    path = root / "info" / "paths.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("paths", []))


def _license_files(root: Path) -> list[str]:
    """The files under ``info/licenses/`` (conda-forge requires at least one)."""
    base = root / "info" / "licenses"
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def _walk(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and p.relative_to(root).parts[0] != "info")  # fmt: skip


def plain(value: object) -> str:
    """A report value as a reader writes it: ``a, b`` for a list, the values of a mapping
    (``GLIBC_2.17, GLIBCXX_3.4.19``), not Python's ``['a', 'b']``."""
    if isinstance(value, dict):
        return ", ".join(plain(v) for v in value.values())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(plain(v) for v in value)
    return str(value)


def report_lines(report: dict[str, Any]) -> list[str]:
    """``cfl inspect``'s text form of ``inspect_package``'s report (the CLI prints it)."""
    lines = [f"{report['package']} ({report['subdir']})",
             f"  license: {report.get('license') or 'not declared'}"]  # fmt: skip
    shown = ", ".join(report.get("license_files") or []) or "none (info/licenses/ is empty)"
    lines.append(f"  license files: {shown}")
    for path, binary in report["binaries"].items():
        lines.append(f"  {path}: {binary['format']} {binary['arch']}")
        for key in ("soname", "needed", "rpath", "runpath", "max_versions", "isa_needed"):
            if binary.get(key):
                lines.append(f"    {key}: {plain(binary[key])}")
        if "isa_level" in binary:
            lines.append(f"    isa: x86-64-v{binary['isa_level']} "
                         f"(AVX/AVX2 {binary['avx2']}, AVX-512 {binary['avx512']})")  # fmt: skip
    for record in report["prefix_placeholders"]:
        lines.append(f"  prefix placeholder: {record['path']} ({record['file_mode']})")
    for found in report["findings"]:
        lines.append(
            f"  {found['severity']}: [{found['code']}] {found['path']}: {found['message']}"
        )
    return lines
