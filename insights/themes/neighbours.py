"""UMAP's neighbour graph, without its per-process compile cost.

Measured on the 2-core machine: the first UMAP fit in a new process spent 57-105 s, 92 % of it
inside pynndescent's `NNDescent`, whose numba code is compiled again in every process (it takes
the distance function as an argument, so numba's cache cannot keep it). Every `insights refresh`
is a new process. Two changes remove that cost:

* **Exact neighbours** by blocked matrix products (cosine on unit rows, `EXACT_KNN_MAX_ROWS`
  rows at most, a block of `BLOCK` rows at a time), handed to UMAP as `precomputed_knn`: no
  NNDescent at all, and exact rather than approximate neighbours. At the default fit sample
  (20,000 rows x 384) that is ~1.5e11 multiply-adds in BLAS: seconds.
* **numba's on-disk cache** for umap-learn and pynndescent: only 1 of umap-learn's jitted
  functions asks for `cache=True`, so `load_umap` imports both with `cache=True` as the default
  of `numba.jit` / `numba.njit`; the rest of UMAP's compiled code (fuzzy graph, layout) is then
  compiled once per machine (NUMBA_CACHE_DIR, or next to the package), not once per process.
"""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np

#: above this many fit rows UMAP's own approximate search (NNDescent) is used
EXACT_KNN_MAX_ROWS = 30_000
BLOCK = 2048


def load_umap() -> ModuleType:
    """umap-learn, imported with numba's cache on by default (see the module docstring)."""
    import sys

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


def umap_reducer(Z: np.ndarray, **params) -> object:
    """A UMAP for `Z` with the neighbour graph precomputed when `Z` is small enough."""
    umap = load_umap()
    n_neighbors = params["n_neighbors"]
    if len(Z) <= EXACT_KNN_MAX_ROWS and params.get("metric", "cosine") == "cosine":
        params = {**params, "precomputed_knn": (*exact_knn(Z, n_neighbors), None)}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="precomputed_knn", category=UserWarning)
        return umap.UMAP(**params)
