"""python-zstandard's C backend, loaded without the ``zstandard`` package's ``__init__``.

``from .zstd import zstandard`` gives the module cfl compresses and decompresses with
(``zstandard.ZstdCompressor``, ``ZstdDecompressor``, ``ZstdError``). The package's
``__init__`` imports ``platform`` only to ask which interpreter runs it, 2-3 ms of every
process that writes or reads a package; its C extension alone loads in 0.3 ms and holds all of
those names. The extension is registered as ``zstandard.backend_c``, the name the package
itself imports it by, so a later ``import zstandard`` reuses it. Off CPython, without the C
extension, or with ``PYTHON_ZSTANDARD_IMPORT_POLICY`` set to another backend, this is the
package itself.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

_NAME = "zstandard.backend_c"


def _backend() -> ModuleType:
    loaded = sys.modules.get(_NAME)
    if loaded is not None:
        return loaded
    policy = os.environ.get("PYTHON_ZSTANDARD_IMPORT_POLICY", "default").strip()
    if sys.implementation.name == "cpython" and policy in ("default", "cext"):
        module = _load_extension()
        if module is not None:
            return module
    import zstandard as package

    return package


def _load_extension() -> ModuleType | None:
    from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
    from importlib.util import find_spec, module_from_spec, spec_from_file_location

    spec = find_spec("zstandard")  # a top-level name: found, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for suffix in EXTENSION_SUFFIXES:
            path = os.path.join(folder, "backend_c" + suffix)
            if not os.path.isfile(path):
                continue
            loader = ExtensionFileLoader(_NAME, path)
            found = spec_from_file_location(_NAME, path, loader=loader)
            if found is None:
                return None
            try:
                module = module_from_spec(found)
                loader.exec_module(module)
            except ImportError:
                return None
            sys.modules[_NAME] = module
            return module
    return None


zstandard = _backend()
