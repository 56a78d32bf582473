"""File-system steps several stages share: a file's own copy, an exclusive lock file.

``own_copy(path)`` replaces a hard-linked file by a copy of itself (same bytes and mode, a new
inode) and raises ``OSError``; ``with exclusive_lock(path, ChannelError): ...`` holds ``flock``
on ``path`` (created if missing), a failure to take it raised as the caller's error class.
``user_cache_dir()`` is cfl's cache folder (``$XDG_CACHE_HOME/cfl``, else ``~/.cache/cfl``);
``replace_file(path, data, ChannelError)`` and its streaming form ``with atomic_output(path)
as handle: ...`` write so that readers see the old file or the new one, never a part of it;
``read_json_object(path)`` is a cache file's JSON object, ``{}`` when there is none yet.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import CflError


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """cfl's machine-wide cache (``environ``, default ``os.environ``, names XDG_CACHE_HOME):
    packages, tool versions, zig's objects, sources."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cfl"


SOURCE_CACHE_VAR = "CFL_SOURCE_CACHE"


def source_cache_dir(option: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path:
    """The source cache folder: the command-line option, else ``$CFL_SOURCE_CACHE``, else
    ``$XDG_CACHE_HOME/cfl/sources`` or ``~/.cache/cfl/sources`` (pure but for ``~``)."""
    if option is not None and str(option) != "":
        return Path(option).expanduser()
    if environ.get(SOURCE_CACHE_VAR):
        return Path(environ[SOURCE_CACHE_VAR]).expanduser()
    return user_cache_dir(environ) / "sources"


def read_json_object(path: Path) -> dict[str, Any]:
    """The JSON object in the cache file ``path``; ``{}`` if it is missing, unreadable, not
    JSON or not an object (a cache is rebuilt, never trusted half-read)."""
    import json  # only the caches that need it pay for it

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json_cache(path: Path, data: Mapping[str, Any]) -> None:
    """Replace the cache file ``path`` with ``data`` as JSON, if it can be: concurrent writers
    each rename a whole file of their own (the last one wins, none is torn); a read-only cache
    only costs the next process the work it saves."""
    import json

    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


def own_copy(path: Path) -> None:
    """Give ``path`` an inode of its own, so writing it never writes through a hard link."""
    temp = path.with_name(f".{path.name}.cfl-copy")
    try:
        shutil.copy2(path, temp)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise


@contextmanager
def exclusive_lock(path: Path, error: type[CflError] = CflError) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` until the block ends (closing releases it)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise error(f"cannot lock {path}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def make_temp(directory: str | os.PathLike[str], prefix: str) -> tuple[int, str]:
    """A new file ``directory/prefix<random>`` only this process can read: its open
    descriptor and path (``tempfile.mkstemp`` without that module's start-up cost)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    for _ in range(100):
        path = os.path.join(directory, prefix + os.urandom(6).hex())
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


@contextmanager
def atomic_output(target: Path, error: type[CflError] = CflError) -> Iterator[IO[bytes]]:
    """A temporary file beside ``target`` that replaces it (mode 0644, synced) when the block
    ends and vanishes on any error; one that cannot be made is raised as ``error``."""
    try:
        fd, temp_name = make_temp(target.parent, f".{target.name}.")
    except OSError as exc:
        raise error(f"cannot write into {target.parent}: {exc.strerror}") from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(0o644)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def replace_file(path: Path, data: bytes, error: type[CflError] = CflError) -> None:
    """``path`` holds ``data``: readers see the old file or the new one, never a part of it;
    a failure leaves the old file and no temporary one, raised as ``error``."""
    try:
        with atomic_output(path, error) as handle:
            handle.write(data)
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror}") from exc
