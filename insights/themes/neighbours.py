"""umap-learn imported with numba's on-disk cache on by default.

Only 1 of umap-learn's jitted functions asks for `cache=True` (pynndescent: about half), so
without this every new process (every `insights refresh`) compiles UMAP's fuzzy-graph and layout
code again. `load_umap` imports umap-learn and pynndescent with `cache=True` as the default of
`numba.jit` / `numba.njit`, so that code compiles once per machine (NUMBA_CACHE_DIR, or next to
the package). pynndescent's `nn_descent` still compiles per process: it takes the distance
function as an argument, which numba cannot cache (bench/README.md, "UMAP's fixed cost").
"""

from __future__ import annotations

import sys
from types import ModuleType


def load_umap() -> ModuleType:
    """umap-learn, imported with numba's cache on by default (see the module docstring)."""
    if "umap" in sys.modules:
        return sys.modules["umap"]
    import numba

    jit, njit = numba.jit, numba.njit

    def cached(decorator):
        def with_cache(*args, **kwargs):
            kwargs.setdefault("cache", True)
            return decorator(*args, **kwargs)

        return with_cache

    numba.jit, numba.njit = cached(jit), cached(njit)
    try:
        import pynndescent  # noqa: F401  (imported under the cache default too)
        import umap
    finally:
        numba.jit, numba.njit = jit, njit
    return umap
