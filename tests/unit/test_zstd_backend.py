"""conda_forge_like.zstd: python-zstandard's C backend without the package's ``__init__``."""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = """
import sys
from conda_forge_like.zstd import zstandard
data = b"conda " * 1000
packed = zstandard.ZstdCompressor(level=15).compress(data)
assert zstandard.ZstdDecompressor().decompress(packed) == data
print(zstandard.__name__, "platform" in sys.modules, "zstandard" in sys.modules)
import zstandard as package
assert package.ZstdCompressor is zstandard.ZstdCompressor or zstandard is package
"""


def _probe(**env: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env={**os.environ, **env}, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_the_c_backend_loads_without_the_package_or_platform() -> None:
    assert _probe(PYTHON_ZSTANDARD_IMPORT_POLICY="default") == [
        "zstandard.backend_c", "False", "False",
    ]  # fmt: skip


def test_another_import_policy_gets_the_package_itself() -> None:
    name, _, package_loaded = _probe(PYTHON_ZSTANDARD_IMPORT_POLICY="cffi_fallback")
    assert (name, package_loaded) == ("zstandard", "True")
