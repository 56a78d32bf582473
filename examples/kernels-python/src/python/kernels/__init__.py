"""kernelbench's vectorized kernels (dot, saxpy, matmul, poly) for float32 buffers.

Which x86-64 level they were compiled for is in ``build_info()``; conda installs the build of
the highest level the machine runs.
"""

from ._kernels import build_info, dot, matmul, poly, saxpy

__all__ = ["build_info", "dot", "matmul", "poly", "saxpy"]
