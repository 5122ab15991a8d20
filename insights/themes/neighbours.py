"""UMAP's neighbour graph, and umap-learn imported with numba's on-disk cache on by default.

Only 1 of umap-learn's jitted functions asks for `cache=True` (pynndescent: about half), so
without this every new process (every `insights refresh`) compiles UMAP's fuzzy-graph and layout
code again. `load_umap` imports umap-learn and pynndescent with `cache=True` as the default of
`numba.jit` / `numba.njit`, so that code compiles once per machine (NUMBA_CACHE_DIR, or next to
the package). pynndescent's `nn_descent` still compiles per process: it takes the distance
function as an argument, which numba cannot cache (bench/README.md, "UMAP's fixed cost").

Below `EXACT_KNN_MAX_ROWS` (umap-learn's own cut-off between exact and approximate neighbours)
the graph is therefore computed exactly by blocked matrix products and handed to UMAP as
`precomputed_knn`: no NNDescent, so a small refresh (and every test) starts in seconds, not a
minute. umap-learn's own exact path is not used: it is about 3x slower. Exact neighbours keep a
topic's rows of one language together more often than the approximate graph does; discovery
merges such language splits afterwards (`language_splits.py`).
"""

from __future__ import annotations

import sys
from types import ModuleType

import numpy as np

#: umap-learn's own threshold: below it umap-learn computes exact neighbours too
EXACT_KNN_MAX_ROWS = 4096
BLOCK = 2048


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


def exact_knn(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosine distances) of each row's `k` nearest rows, itself first, nearest first:
    the layout UMAP's `precomputed_knn` expects."""
    unit = Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
    unit = unit.astype(np.float32, copy=False)
    n = len(unit)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        sim = unit[start:stop] @ unit.T
        sim[np.arange(stop - start), np.arange(start, stop)] = np.inf  # itself, first
        part = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        part_sim = np.take_along_axis(sim, part, axis=1)
        order = np.argsort(-part_sim, axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(part, order, axis=1)
        best = np.take_along_axis(part_sim, order, axis=1)
        best[:, 0] = 1.0
        distances[start:stop] = np.clip(1.0 - best, 0.0, 2.0)
    return indices, distances


def umap_reducer(Z: np.ndarray, **params: object) -> object:
    """A UMAP for `Z`, its neighbour graph precomputed exactly when `Z` is small enough."""
    umap = load_umap()
    if len(Z) < EXACT_KNN_MAX_ROWS and params.get("metric", "cosine") == "cosine":
        knn = exact_knn(Z, int(params["n_neighbors"]))
        params = {**params, "precomputed_knn": (*knn, None)}
    return umap.UMAP(**params)
