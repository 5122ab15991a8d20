"""UMAP's neighbour graph, and umap-learn imported with numba's on-disk cache on by default.

Only 1 of umap-learn's jitted functions asks for `cache=True` (pynndescent: about half), so
without this every new process (every `insights refresh`) compiles UMAP's fuzzy-graph and layout
code again. `load_umap` imports umap-learn and pynndescent with `cache=True` as the default of
`numba.jit` / `numba.njit`, so that code compiles once per machine (NUMBA_CACHE_DIR, or next to
the package). pynndescent's `nn_descent` still compiles per process: it takes the distance
function as an argument, which numba cannot cache (bench/README.md, "UMAP's fixed cost").

Up to `EXACT_KNN_MAX_ROWS` rows (20,000: discovery's default fit sample, so a fit with the
default settings never builds an NNDescent) the graph is therefore computed exactly by blocked
matrix products and handed to UMAP as `precomputed_knn`: no NNDescent, so a refresh starts its
layout in seconds, not after a minute of compiling (0.8 s for 8,000 rows, 4.7 s for 20,000 on
2 cores; compiling NNDescent took 38-43 s a process on the same machine). umap-learn's own exact
path is not used: it is about 3x slower. Exact neighbours keep a topic's rows of one language
together more often than the approximate graph does; discovery merges such language splits
afterwards (`language_splits.py`). Quality was measured against the approximate graph above
umap-learn's own cut-off (4,096 rows) before the limit was raised: bench/README.md, "Exact
neighbours up to 20,000 fit rows".

So up to that size pynndescent is not even imported (~0.5 s of numba loading its cached
functions in every process): umap-learn is imported against stand-ins for the three names it
takes from pynndescent, which import the real package (and hand it to umap-learn) the first time
anything beyond "is cosine one of your metrics?" is asked of them. `umap_reducer` loads it
before an approximate graph is built, so what umap-learn computes is unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np

#: the most rows whose neighbours are computed exactly (see the module's docstring)
EXACT_KNN_MAX_ROWS = 20_000
BLOCK = 2048
#: similarities held at once (block rows x all rows): 64 MB, and 128 MB of argpartition's indices
BLOCK_CELLS = 2**24


@contextmanager
def _numba_cache_default() -> Iterator[None]:
    """`numba.jit` / `numba.njit` with `cache=True` by default, while importing."""
    import numba

    jit, njit = numba.jit, numba.njit

    def cached(decorator):
        def with_cache(*args, **kwargs):
            kwargs.setdefault("cache", True)
            return decorator(*args, **kwargs)

        return with_cache

    numba.jit, numba.njit = cached(jit), cached(njit)
    try:
        yield
    finally:
        numba.jit, numba.njit = jit, njit


def load_pynndescent() -> ModuleType:
    """pynndescent, imported with numba's cache on by default and handed to umap-learn in place
    of the stand-ins it may have been imported against."""
    with _numba_cache_default():  # nothing to do when imported already
        import pynndescent
        import pynndescent.distances
        import pynndescent.sparse

    umap_ = sys.modules.get("umap.umap_")
    if umap_ is not None and isinstance(getattr(umap_, "pynn_named_distances", None), _Deferred):
        umap_.NNDescent = pynndescent.NNDescent
        umap_.pynn_named_distances = pynndescent.distances.named_distances
        umap_.pynn_sparse_named_distances = pynndescent.sparse.sparse_named_distances
    return pynndescent


#: Metrics umap-learn may ask the stand-ins about without importing pynndescent: the one
#: discovery uses, which pynndescent names (tests/test_discover.py checks it still does).
_KNOWN_METRICS = frozenset({"cosine"})


class _Deferred(Mapping[str, Any]):
    """Stand-in for pynndescent's `named_distances` / `sparse_named_distances`."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def _real(self) -> Mapping[str, Any]:
        load_pynndescent()
        return getattr(sys.modules[self._module], self._name)

    def __contains__(self, key: object) -> bool:
        return key in _KNOWN_METRICS or key in self._real()

    def __getitem__(self, key: str) -> Any:
        return self._real()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._real())

    def __len__(self) -> int:
        return len(self._real())


class _DeferredNNDescent:
    """Stand-in for `pynndescent.NNDescent`: building one builds the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return load_pynndescent().NNDescent(*args, **kwargs)


def _stand_ins() -> dict[str, ModuleType]:
    """The three modules umap-learn imports names from, each with a stand-in of that name."""
    names = {
        "pynndescent": {"NNDescent": _DeferredNNDescent},
        "pynndescent.distances": {
            "named_distances": _Deferred("pynndescent.distances", "named_distances")
        },
        "pynndescent.sparse": {
            "sparse_named_distances": _Deferred("pynndescent.sparse", "sparse_named_distances")
        },
    }
    modules = {}
    for name, attributes in names.items():
        modules[name] = ModuleType(name)
        modules[name].__dict__.update(attributes)
    return modules


def load_umap() -> ModuleType:
    """umap-learn, imported with numba's cache on by default, without pynndescent (see the
    module docstring); against the real pynndescent if it is imported already or umap-learn
    wants more of it than the stand-ins offer."""
    if "umap" in sys.modules:
        return sys.modules["umap"]
    stand_ins = {} if "pynndescent" in sys.modules else _stand_ins()
    sys.modules.update(stand_ins)
    try:
        with _numba_cache_default():
            import umap
    except ImportError:
        if not stand_ins:
            raise
        for name in stand_ins:
            sys.modules.pop(name, None)
        load_pynndescent()
        with _numba_cache_default():
            import umap
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    return umap


def exact_knn(Z: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosine distances) of each row's `k` nearest rows, itself first, nearest first:
    the layout UMAP's `precomputed_knn` expects. Each block's similarities come from one matrix
    product (BLAS's threads); choosing each row's `k` largest, the larger part of the cost,
    runs on two threads (numpy releases the GIL there)."""
    unit = Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
    unit = unit.astype(np.float32, copy=False)
    n = len(unit)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)

    def nearest(sim: np.ndarray, rows: slice) -> None:
        part = np.argpartition(sim, n - k, axis=1)[:, n - k :]
        part_sim = np.take_along_axis(sim, part, axis=1)
        order = np.argsort(-part_sim, axis=1, kind="stable")
        indices[rows] = np.take_along_axis(part, order, axis=1)
        best = np.take_along_axis(part_sim, order, axis=1)
        best[:, 0] = 1.0
        distances[rows] = np.clip(1.0 - best, 0.0, 2.0)

    block = int(np.clip(BLOCK_CELLS // max(n, 1), 256, BLOCK))
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in range(0, n, block):
            stop = min(start + block, n)
            sim = unit[start:stop] @ unit.T
            sim[np.arange(stop - start), np.arange(start, stop)] = np.inf  # itself, first
            half = (stop - start + 1) // 2
            halves = [
                (sim[:half], slice(start, start + half)),
                (sim[half:], slice(start + half, stop)),
            ]
            for future in [pool.submit(nearest, *h) for h in halves if len(h[0])]:
                future.result()
    return indices, distances


def umap_reducer(Z: np.ndarray, **params: object) -> object:
    """A UMAP for `Z`, its neighbour graph precomputed exactly when `Z` is small enough (or
    as given in `precomputed_knn`)."""
    umap = load_umap()
    if params.get("precomputed_knn") is not None:
        pass
    elif len(Z) <= EXACT_KNN_MAX_ROWS and params.get("metric", "cosine") == "cosine":
        knn = exact_knn(Z, int(params["n_neighbors"]))
        params = {**params, "precomputed_knn": (*knn, None)}
    else:
        load_pynndescent()  # the approximate graph: umap-learn gets the real package first
    return umap.UMAP(**params)
