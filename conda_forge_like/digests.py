"""sha256, sha1 and md5 for cfl's checksums, with OpenSSL loaded only for large inputs.

``sha256(b"abc").hexdigest()``, ``h = md5(); h.update(chunk); h.hexdigest()``: the
``hashlib`` interface cfl uses (``update``, ``digest``, ``hexdigest``). Importing ``hashlib``
loads OpenSSL's libcrypto, about 4 ms of every cfl process; CPython's own implementations
(``_sha256``...) load in a tenth of that but hash sha256 about six times slower. So the
first ``SMALL`` bytes a process hashes, over all its hashes, go to the built-in ones, and
everything after that to ``hashlib`` (a hash under way moves there with what it holds: its
digest is the same, whichever computes it). Rendering, and building a small package, then
never load OpenSSL; a large build pays at most the 256 KiB the built-in one hashed first
(about 1 ms), never six times the cost of its files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

SMALL = 256 << 10  # bytes a process hashes with the built-in implementations


class _Budget:
    left = SMALL  # what the built-in implementations may still take


class Hash(Protocol):
    def update(self, data: bytes | bytearray | memoryview, /) -> None: ...
    def digest(self) -> bytes: ...
    def hexdigest(self) -> str: ...


def _builtin(name: str) -> Callable[..., Hash] | None:
    """CPython's own implementation (``_sha2`` from 3.12, ``_sha256`` before), if built."""
    modules = {"sha256": ("_sha2", "_sha256"), "sha1": ("_sha1",), "md5": ("_md5",)}[name]
    for module in modules:
        try:
            found: Any = __import__(module)
        except ImportError:
            continue
        return getattr(found, name)  # type: ignore[no-any-return]
    return None


class _Hash:
    """One digest: held for the built-in implementation while the process's budget lasts,
    else hashlib's."""

    __slots__ = ("_held", "_large", "_name")

    def __init__(self, name: str, data: bytes | bytearray | memoryview = b""):
        self._name = name
        self._held = bytearray()
        self._large: Hash | None = None
        if _Budget.left <= 0 or _BUILTIN.get(name) is None:
            self._large = _hashlib(name)
        if data:
            self.update(data)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._large is not None:
            self._large.update(data)
        elif len(data) <= _Budget.left:
            _Budget.left -= len(data)
            self._held += data
        else:
            _Budget.left = 0
            self._large = _hashlib(self._name)
            self._large.update(self._held)
            self._large.update(data)
            self._held = bytearray()

    def _final(self) -> Hash:
        if self._large is not None:
            return self._large
        make = _BUILTIN[self._name]
        assert make is not None  # else __init__ chose hashlib
        return make(bytes(self._held))

    def digest(self) -> bytes:
        return self._final().digest()

    def hexdigest(self) -> str:
        return self._final().hexdigest()


def _hashlib(name: str) -> Hash:
    import hashlib  # OpenSSL: only once the budget is spent (or no built-in exists)

    made: Hash = hashlib.new(name, usedforsecurity=False)
    return made


_BUILTIN: dict[str, Callable[..., Hash] | None] = {
    n: _builtin(n) for n in ("sha256", "sha1", "md5")
}


def sha256(data: bytes | bytearray | memoryview = b"") -> Hash:
    return _Hash("sha256", data)


def sha1(data: bytes | bytearray | memoryview = b"") -> Hash:
    """Not for security: content names (the variant hash, SBOM UUIDs), as conda-build uses it."""
    return _Hash("sha1", data)


def md5(data: bytes | bytearray | memoryview = b"") -> Hash:
    """Not for security: repodata's ``md5`` and md5-checked sources."""
    return _Hash("md5", data)
