"""Compiler wrappers, CMake toolchain file and Meson cross file for a ``BasePlate``.

``commands(plate, tools)`` (pure) says what each tool role runs: ``{"cc": ["/.../zig", "cc",
"-target", "x86_64-linux-gnu.2.17", "-mcpu=x86_64_v3"], ...}``. ``install(plate, tools,
build_prefix)`` writes them as conda-forge-named scripts (``x86_64-conda-linux-gnu-cc``) into
``build_prefix/bin`` so that CC and CXX are single paths make, CMake, Meson and autotools accept.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import subprocess
from collections.abc import Callable, Collection
from pathlib import Path

from .. import digests
from ..errors import CflError
from ..fsutil import user_cache_dir
from ..records import dataclass, replace
from . import zig_manifests, zig_shared
from .compiler_script import CompilerBehaviour, compiler_script
from .model import BasePlate
from .tools import Tools

ROLES = ("cc", "c++", "ar", "ranlib", "ld", "strip", "nm", "readelf", "objdump")
ZIG_LIB_NAME = "/usr/local/share/zig/lib"  # what debug info calls zig's lib directory


@dataclass(frozen=True)
class Installed:
    """Paths of the written wrappers and generated files."""

    tools: dict[str, str]  # role -> wrapper path
    cmake_toolchain: str
    meson_cross: str


def _zig_linker(plate: BasePlate) -> str:
    return {"linux": "ld.lld", "osx": "ld64.lld", "win": "lld-link"}[plate.target.os]


def commands(plate: BasePlate, tools: Tools) -> dict[str, list[str]]:
    """The command line behind each wrapper role (target and CPU flags baked in)."""
    flags = list(plate.cpu_flags)
    llvm = tools.llvm
    if plate.toolchain == "zig":
        zig = _require(tools.zig, "zig", "pip install ziglang")
        target = ["-target", plate.target.zig_target]
        # zig's own headers (libc, libc++, clang's) are named in debug info by where the
        # ziglang wheel is installed: one neutral name, whichever virtualenv builds.
        lib = os.path.join(os.path.dirname(os.path.realpath(zig)), "lib")
        flags.append(f"-ffile-prefix-map={lib}={ZIG_LIB_NAME}")
        return {
            "cc": [zig, "cc", *target, *flags],
            "c++": [zig, "c++", *target, *flags],
            "ar": [zig, "ar"],
            "ranlib": [zig, "ranlib"],
            "ld": [zig, _zig_linker(plate)],
            "strip": [llvm.get("strip") or "strip"],
            "nm": [llvm.get("nm") or "nm"],
            # multi-target; CPython's cross configure needs $HOST-readelf
            "readelf": [llvm.get("readelf") or "readelf"],
            "objdump": [llvm.get("objdump") or "objdump"],
        }
    if plate.toolchain == "gcc":
        cc = _require(tools.gcc, "gcc", "apt-get install gcc")
        cxx = _require(tools.gxx, "g++", "apt-get install g++")
        return {
            "cc": [cc, *flags], "c++": [cxx, *flags], "ar": ["ar"], "ranlib": ["ranlib"],
            "ld": ["ld"], "strip": ["strip"], "nm": ["nm"], "readelf": ["readelf"],
            "objdump": ["objdump"],
        }  # fmt: skip
    cc = _require(tools.clang, "clang", "apt-get install clang")
    cxx = _require(tools.clangxx, "clang++", "apt-get install clang")
    return {
        "cc": [cc, *flags], "c++": [cxx, *flags], "ar": [llvm.get("ar") or "ar"],
        "ranlib": [llvm.get("ranlib") or "ranlib"], "ld": ["ld"],
        "strip": [llvm.get("strip") or "strip"], "nm": [llvm.get("nm") or "nm"],
        "readelf": [llvm.get("readelf") or "readelf"],
        "objdump": [llvm.get("objdump") or "objdump"],
    }  # fmt: skip


def _require(path: str | None, name: str, hint: str) -> str:
    if not path:
        raise CflError(f"{name} is not installed", hint=hint)
    return path


def wrapper_name(plate: BasePlate, role: str) -> str:
    return f"{plate.target.conda_triple}-{role}"


def _script(command: list[str], zig_cache: str | None) -> str:
    lines = ["#!/bin/sh", "# Written by cfl: the base plate's tool for this target."]
    if zig_cache:
        # One shared cache: zig builds libc/libc++ once per target, not once per package.
        lines.append(f': "${{ZIG_GLOBAL_CACHE_DIR:={shlex.quote(zig_cache)}}}"')
        lines.append("export ZIG_GLOBAL_CACHE_DIR")
    lines.append(f'exec {shlex.join(command)} "$@"')
    return "\n".join(lines) + "\n"


# GNU_PROPERTY_X86_ISA_1_NEEDED bits: baseline=1, v2=2, v3=4, v4=8 (cumulative, as gcc sets).
_ISA_NEEDED = 0xC0008002


def isa_note_asm(level: int) -> str:
    """Assembly for an ELF note saying "x86 ISA needed: x86-64-v<level>".

    zig links with lld, which drops ``.note.gnu.property`` input (and has no
    ``-z x86-64-vN``); under another section name the note survives in a PT_NOTE segment,
    where readelf, lief and the ABI check read it like gcc's ``-mneeded`` marker.
    """
    bits = sum(1 << i for i in range(level))
    return "\n".join(
        [
            '\t.section .note.cfl.isa,"a",@note',
            "\t.p2align 3",
            "\t.long 4", "\t.long 16", "\t.long 5", '\t.asciz "GNU"',
            f"\t.long {_ISA_NEEDED:#x}", "\t.long 4", f"\t.long {bits}", "\t.long 0",
            "",
        ]
    )  # fmt: skip


def _isa_note_object(plate: BasePlate, tools: Tools, share: Path) -> str | None:
    """Assemble the ISA note for zig builds of x86_64 ELF at level 2 and above."""
    level = plate.microarch_level
    if plate.toolchain != "zig" or plate.target.os != "linux" or not level or level < 2:
        return None
    source = share / f"isa-x86-64-v{level}.s"
    obj = share / f"isa-x86-64-v{level}.o"
    source.write_text(isa_note_asm(level))
    zig = _require(tools.zig, "zig", "pip install ziglang")
    command = [zig, "cc", "-target", plate.target.zig_target, "-c", str(source), "-o", str(obj)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise CflError(
            f"cannot assemble the ISA note: {shlex.join(command)} exited {result.returncode}",
            hint=result.stderr.strip()[-500:] or None,
        )
    return str(obj)


def _runtime_debug_script(plate: BasePlate, zig_cache: str | None, share: Path) -> str | None:
    """A linker script that drops the debug info of zig's runtime from ``-g`` links.

    zig builds libc++, libunwind, compiler-rt and the crt objects with DWARF naming its cache
    and the ziglang install, and no flag maps those paths; a ``-g`` link would carry them into
    the package (a leak, and bytes that depend on the virtualenv). The script discards the
    ``.debug_*`` sections of the archives and crt objects from zig's cache only: the package's
    own objects keep theirs. Without ``-g`` the wrappers strip all debug info anyway.
    """
    if zig_cache is None or plate.target.os != "linux" or any(c.isspace() for c in zig_cache):
        return None  # lld's Mach-O and COFF linkers take no scripts; a glob cannot hold spaces
    cache = zig_cache.rstrip("/")
    text = (
        "/* Written by cfl: zig's runtime keeps no debug info in -g links. */\n"
        f"SECTIONS {{ /DISCARD/ : {{ {cache}/*.a:*(.debug_*) {cache}/*crt*.o(.debug_*) }} }}\n"
        "INSERT AFTER .text;\n"
    )
    script = share / "zig-runtime-nodebug.ld"
    script.write_text(text)
    return str(script)


def _write_executable(path: Path, text: str) -> None:
    """``path`` made executable holding ``text``. A new file is created in place; an existing
    one (a prefix prepared again) is replaced by a rename, never rewritten under a running
    bash, which reads its script as it goes."""
    data = text.encode()
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o755)
        except FileExistsError:
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            tmp.chmod(0o755)
            tmp.replace(path)
            return
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, 0o755)  # whatever the umask
        finally:
            os.close(fd)
    except OSError as exc:
        raise CflError(f"cannot write {path}: {exc.strerror}") from exc


def zig_cache_dir() -> str:
    # "zig-2": caches from before the runtime was warmed in every optimisation mode may hold a
    # runtime compiled inside some package's work directory; zig would keep reusing it.
    return str(user_cache_dir() / "zig-2")


def zig_installs_dir() -> str:
    """Where builds run zig from: one copy per ziglang wheel (see ``zig_shared``)."""
    return str(user_cache_dir() / "zig-installs")


# Every language a build can compile: what install() warms unless told which are needed.
ALL_LANGUAGES = frozenset({"c", "c++"})


def install(
    plate: BasePlate,
    tools: Tools,
    build_prefix: str | os.PathLike[str],
    languages: Collection[str] = ALL_LANGUAGES,
    notify: Callable[[str], None] | None = None,
) -> Installed:
    """Write the wrappers and the CMake/Meson files into the build prefix.

    With zig, the runtimes of ``languages`` ("c", "c++") are built first if this machine has
    not built them yet; ``notify`` hears about it before the minutes that takes."""
    bin_dir = Path(build_prefix) / "bin"
    share = Path(build_prefix) / "share" / "cfl"
    bin_dir.mkdir(parents=True, exist_ok=True)
    share.mkdir(parents=True, exist_ok=True)
    zig_cache = zig_cache_dir() if plate.toolchain == "zig" else None
    note = _isa_note_object(plate, tools, share)
    paths = {role: str(bin_dir / wrapper_name(plate, role)) for role in ROLES}
    lazy = {"cc": "", "c++": ""}
    zig_path = os.path.realpath(tools.zig or "zig")
    if zig_cache:
        zig_path = zig_shared.shared(Path(zig_installs_dir()), zig_path)
        tools = replace(tools, zig=zig_path)
        zig_manifests.reseat(Path(zig_cache), zig_path)  # after a reinstall: see the module
        _write_warm_sources(Path(zig_cache) / "warm")
        if "c" not in languages:
            lazy["cc"] = _lazy_warm(plate, paths, Path(zig_cache), {"c"}, zig_path)
        if "c++" not in languages:
            lazy["c++"] = _lazy_warm(plate, paths, Path(zig_cache), ALL_LANGUAGES, zig_path)
    runtime = _runtime_debug_script(plate, zig_cache, share)
    written: dict[str, str] = {}
    for role, command in commands(plate, tools).items():
        path = bin_dir / wrapper_name(plate, role)
        if role in ("cc", "c++"):
            how = CompilerBehaviour(
                plate.toolchain == "zig", plate.target.os, note, role == "c++",
                before=lazy[role], guards=plate.guard_flags, runtime_debug_script=runtime,
            )  # fmt: skip
            text = compiler_script(command, zig_cache, how)
        else:
            text = _script(command, zig_cache)
        _write_executable(path, text)
        written[role] = str(path)
    if zig_cache:
        warm_zig_cache(plate, written, Path(zig_cache), languages, notify, zig_path)
    cmake_file = share / f"toolchain-{plate.subdir}.cmake"
    cmake_file.write_text(cmake_toolchain(plate, written, tools))
    meson_file = share / f"cross-{plate.subdir}.ini"
    meson_file.write_text(meson_cross(plate, written))
    return Installed(written, str(cmake_file), str(meson_file))


def cmake_toolchain(plate: BasePlate, tools: dict[str, str], found: Tools) -> str:
    """A CMake toolchain file; ``$ENV{PREFIX}`` keeps it valid for any host prefix."""
    target = plate.target
    lines = ["# Written by cfl for the base plate " + plate.fingerprint]
    if plate.cross:
        lines += [
            f"set(CMAKE_SYSTEM_NAME {target.cmake_system})",
            f"set(CMAKE_SYSTEM_PROCESSOR {target.cmake_processor})",
        ]
    lines += [
        f'set(CMAKE_C_COMPILER "{tools["cc"]}")',
        f'set(CMAKE_CXX_COMPILER "{tools["c++"]}")',
        f'set(CMAKE_AR "{tools["ar"]}" CACHE FILEPATH "archiver")',
        f'set(CMAKE_RANLIB "{tools["ranlib"]}" CACHE FILEPATH "ranlib")',
        f'set(CMAKE_STRIP "{tools["strip"]}" CACHE FILEPATH "strip")',
        f'set(CMAKE_NM "{tools["nm"]}" CACHE FILEPATH "nm")',
        'set(CMAKE_FIND_ROOT_PATH "$ENV{PREFIX}")',
        "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)",
        "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)",
    ]
    if target.os == "osx":
        install_name_tool = found.llvm.get("install-name-tool")
        if install_name_tool:
            lines.append(f'set(CMAKE_INSTALL_NAME_TOOL "{install_name_tool}")')
        lines.append(f'set(CMAKE_OSX_DEPLOYMENT_TARGET "{target.libc_floor}" CACHE STRING "")')
        # Libraries name themselves @rpath/<name> even in projects older than CMake's policy
        # CMP0042; relocation would rewrite an absolute id anyway, but then has to re-sign.
        lines += ["set(CMAKE_MACOSX_RPATH ON)", 'set(CMAKE_INSTALL_NAME_DIR "@rpath")']
    return "\n".join(lines) + "\n"


def meson_cross(plate: BasePlate, tools: dict[str, str]) -> str:
    target = plate.target
    cpu = target.cmake_processor.lower() if target.os != "win" else "x86_64"
    return "\n".join(
        [
            "[binaries]",
            f"c = '{tools['cc']}'",
            f"cpp = '{tools['c++']}'",
            f"ar = '{tools['ar']}'",
            f"strip = '{tools['strip']}'",
            f"nm = '{tools['nm']}'",
            "",
            "[host_machine]",
            f"system = '{target.meson_system}'",
            f"cpu_family = '{target.meson_cpu_family}'",
            f"cpu = '{cpu}'",
            "endian = 'little'",
            "",
            "[properties]",
            f"needs_exe_wrapper = {'true' if plate.cross else 'false'}",
            "",
        ]
    )


_WARM_SOURCES = {
    "warm.c": '#include <stdio.h>\nint main(void) { puts("warm"); return 0; }\n',
    "warm.cpp": '#include <iostream>\nint main() { std::cout << "warm\\n"; return 0; }\n',
}


def warm_zig_cache(
    plate: BasePlate,
    tools: dict[str, str],
    cache: Path,
    languages: Collection[str] = ALL_LANGUAGES,
    notify: Callable[[str], None] | None = None,
    zig: str = "",
) -> None:
    """Build zig's C runtime (and libc++ when ``languages`` has "c++") for this target from one
    fixed directory, once per machine; ``notify`` is told before a build that takes minutes.

    zig compiles them on first use in the current directory, and their debug info keeps that
    directory: the first package built for a target would carry its own work path (a leak)
    and differ from later builds. Compiling once from ``<cache>/warm`` makes every package
    carry the same, neutral path. ``zig`` (its install path: the machine's copy of its wheel,
    ``zig_shared``) is part of the key: zig keys its runtime by where its sources are.
    """
    commands = _warm_commands(plate, tools, languages)
    warm, stamp = _stamp(plate, commands, cache, zig)
    if stamp.exists():
        return
    warm.mkdir(parents=True, exist_ok=True)
    with (warm / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists():
            return
        if notify is not None:
            notify(_warm_message(plate, languages, cache))
        _write_warm_sources(warm)
        for command, _name in commands:
            result = subprocess.run(command, cwd=warm, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise CflError(
                    f"the zig toolchain cannot build for {plate.subdir}: {shlex.join(command)} "
                    f"exited {result.returncode}",
                    hint=result.stderr.strip()[-800:] or None,
                )
        stamp.touch()


def _stamp(
    plate: BasePlate, commands: list[tuple[list[str], str]], cache: Path, zig: str = ""
) -> tuple[Path, Path]:
    """The warm-up folder and the file saying these compiles were done there (with the zig
    install at ``zig``)."""
    # The wrappers live in each build's prefix: the key is what they compile, not their path.
    warm_lines = [shlex.join(command[1:]) for command, _ in commands]
    key = digests.sha256(
        "\n".join([zig, plate.target.zig_target, *plate.cpu_flags, *warm_lines]).encode()
    )
    warm = cache / "warm"
    return warm, warm / f"{key.hexdigest()[:16]}.done"


def _write_warm_sources(warm: Path) -> None:
    warm.mkdir(parents=True, exist_ok=True)
    for name, text in _WARM_SOURCES.items():
        if not (warm / name).is_file():
            (warm / name).write_text(text)


def _lazy_warm(
    plate: BasePlate,
    tools: dict[str, str],
    cache: Path,
    languages: Collection[str],
    zig: str = "",
) -> str:
    """Shell lines for a compiler wrapper whose runtime the build did not warm: a recipe
    without ``compiler('cxx')`` may still run C++ (CMake's default project languages probe
    it). The first such run builds the runtimes of ``languages`` from the warm-up folder, as
    ``warm_zig_cache`` would, not from the build's own directory (whose path zig would keep in
    its cached runtime)."""
    commands = _warm_commands(plate, tools, languages)
    warm, stamp = _stamp(plate, commands, cache, zig)
    compiles = " && ".join(shlex.join(command) for command, _ in commands)
    done, folder = shlex.quote(str(stamp)), shlex.quote(str(warm))
    return "\n".join([
        f'if [ ! -e {done} ] && [ -z "${{CFL_WARMING:-}}" ] && [ -d {folder} ]; then',
        f"  (cd {folder} && export CFL_WARMING=1 && flock 9 && "
        f"{{ [ -e {done} ] || {{ {compiles} && touch {done}; }}; }}) "
        f"9>{shlex.quote(str(warm / '.lock'))} >/dev/null 2>&1 || true",
        "fi",
    ])  # fmt: skip


def _warm_message(plate: BasePlate, languages: Collection[str], cache: Path) -> str:
    runtime = "C and C++ runtimes (libc, libc++)" if "c++" in languages else "C runtime"
    level = f" ({' '.join(plate.cpu_flags)})" if plate.cpu_flags else ""
    return (
        f"zig is building its {runtime} for {plate.subdir}{level}: a one-time cost of a few "
        f"minutes on this machine, kept in {cache} for every later build"
    )


def _warm_commands(
    plate: BasePlate, tools: dict[str, str], languages: Collection[str] = ALL_LANGUAGES
) -> list[tuple[list[str], str]]:
    """The compiles that build every runtime variant a package build can ask zig for.

    zig builds its libc++/libunwind once per optimisation mode: a bare compile gets the Debug
    runtime, one with the base plate's flags (``-O2 -fPIC``, as in CFLAGS, CMake's compiler
    probe and every configure check) the ReleaseFast one. Both must come from here.
    """
    commands: list[tuple[list[str], str]] = []
    for name in _WARM_SOURCES:
        cxx = name.endswith(".cpp")
        if ("c++" if cxx else "c") not in languages:
            continue
        compiler = tools["c++" if cxx else "cc"]
        for flags in ((), plate.cxxflags if cxx else plate.cflags):
            out = f"{name}{'-flags' if flags else ''}.out"
            commands.append(([compiler, *flags, name, "-o", out], name))
    return commands
