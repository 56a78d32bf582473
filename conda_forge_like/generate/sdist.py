"""Reading an sdist without extracting it or running anything from it.

``read_sdist(Path("flit_core-4.2.0.tar.gz"))`` -> ``Sdist(files=("LICENSE", "PKG-INFO",
"flit_core/__init__.py", ...), texts={"PKG-INFO": "...", "pyproject.toml": "..."})``: the
member paths with the sdist's top folder stripped, and the text of the few files recipe
generation reads (metadata, build configuration, egg-info). Nothing is written to disk.
"""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..errors import SourceError
from ..records import dataclass

# The files whose text is read: the core metadata, the build configuration, and what
# setuptools' egg-info records (entry points and top-level names are not in PKG-INFO).
_ROOT_TEXTS = frozenset({"PKG-INFO", "pyproject.toml", "setup.cfg", "setup.py"})
_EGG_INFO_TEXTS = frozenset({"entry_points.txt", "top_level.txt", "requires.txt"})
_MAX_TEXT = 4 << 20  # a metadata file larger than this is not one


@dataclass(frozen=True)
class Sdist:
    """The file list of an sdist and the texts of its metadata files (top folder stripped)."""

    files: tuple[str, ...]
    texts: Mapping[str, str]

    def text(self, path: str) -> str | None:
        return self.texts.get(path)

    def egg_info(self, name: str) -> str | None:
        """``*.egg-info/<name>`` at the root or under ``src/``: setuptools writes it there."""
        for path in sorted(self.texts):
            if _is_egg_info_file(path) and posixpath.basename(path) == name:
                return self.texts[path]
        return None


def read_sdist(path: Path) -> Sdist:
    """The ``Sdist`` of a ``.tar.gz`` (or old-style ``.zip``) file; refuses anything else."""
    try:
        if zipfile.is_zipfile(path):
            members = dict(_zip_members(path))
        elif tarfile.is_tarfile(path):
            members = dict(_tar_members(path))
        else:
            raise SourceError(
                f"{path} is neither a tar nor a zip archive", hint="an sdist is a .tar.gz file"
            )
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SourceError(f"cannot read the sdist {path}: {exc}") from exc
    return _strip_top(path, members)


def _wanted(name: str) -> bool:
    parts = name.split("/")
    if len(parts) == 2:  # <top>/PKG-INFO
        return parts[1] in _ROOT_TEXTS
    return _is_egg_info_file("/".join(parts[1:]))


def _is_egg_info_file(path: str) -> bool:
    parts = path.split("/")
    if parts[0] == "src":
        parts = parts[1:]
    return len(parts) == 2 and parts[0].endswith(".egg-info") and parts[1] in _EGG_INFO_TEXTS


def _tar_members(path: Path) -> Iterator[tuple[str, str | None]]:
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile():
                continue
            name, text = _clean(member.name), None
            if _wanted(name) and member.size <= _MAX_TEXT:
                handle = tar.extractfile(member)
                text = handle.read().decode("utf-8", "replace") if handle else None
            yield name, text


def _zip_members(path: Path) -> Iterator[tuple[str, str | None]]:
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            name, text = _clean(info.filename), None
            if _wanted(name) and info.file_size <= _MAX_TEXT:
                text = zf.read(info).decode("utf-8", "replace")
            yield name, text


def _clean(name: str) -> str:
    normal = posixpath.normpath(name.replace("\\", "/"))
    while normal.startswith("./"):
        normal = normal[2:]
    return normal


def _strip_top(path: Path, members: Mapping[str, str | None]) -> Sdist:
    names = list(members)
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or not all("/" in name for name in names):
        raise SourceError(
            f"{path} is not an sdist: its files are not all in one top-level folder",
            hint="an sdist holds NAME-VERSION/PKG-INFO and the project's files",
        )
    files = tuple(sorted(name.split("/", 1)[1] for name in names))
    texts = {name.split("/", 1)[1]: text for name, text in members.items() if text is not None}
    return Sdist(files=files, texts=texts)
