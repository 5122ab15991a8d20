"""Adapting the vector space to the corpus without labels: a discriminant projection learned from
the first clustering (pseudo-label self-training on frozen vectors).

A general-purpose sentence encoder spends most of its 384 dimensions on things a ticket corpus
does not vary in (register, length, language remnants), so themes that differ in one aspect
("card not arrived" vs "card not working") sit close together. The first UMAP + HDBSCAN pass
finds the dense cores of the themes; those cores act as pseudo-labels for a linear discriminant
analysis (LDA with Ledoit-Wolf shrinkage), which finds the directions that separate the cores and
shrinks the ones that do not. Clustering again in that space sharpens the boundaries between
neighbouring themes (the idea of SCCL/IDAS/DEC-style refinement, with a closed-form projection
instead of fine-tuning the encoder: CPU seconds, no training loop, deterministic).

Only confident rows teach the projection: rows HDBSCAN left as noise are never pseudo-labelled,
and with `core_quantile` > 0 each theme keeps only its members closest to its centroid. The
projection is used to *find* themes; centroids, outlier reassignment and the assignment of new
tickets stay in the centred encoder space, so a stored run needs nothing new to assign tickets.
"""

from __future__ import annotations

import numpy as np

from insights.themes.language_splits import group_sums

__all__ = ["confident_core", "discriminant_space", "row_distances", "silhouette"]

MIN_CORE_ROWS_PER_THEME = 3


def confident_core(Z: np.ndarray, labels: np.ndarray, quantile: float) -> np.ndarray:
    """Rows that may teach the projection: members of a theme, at or above the `quantile` of
    their theme's cosine similarities to its centroid (0 keeps every member)."""
    core = labels >= 0
    if quantile <= 0 or not core.any():
        return core
    for theme in np.unique(labels[core]):
        rows = np.flatnonzero(labels == theme)
        centroid = Z[rows].mean(axis=0)
        sims = Z[rows] @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
        core[rows[sims < np.quantile(sims, quantile)]] = False
    return core


def discriminant_space(
    Z: np.ndarray, labels: np.ndarray, core_quantile: float = 0.0, max_dims: int | None = None
) -> np.ndarray | None:
    """Rows of `Z` projected on the directions that separate the themes of `labels` (L2-normed).

    None when there is nothing to learn from (fewer than two themes with enough core rows).
    """
    core = confident_core(Z, labels, core_quantile)
    themes, counts = np.unique(labels[core], return_counts=True)
    keep = themes[counts >= MIN_CORE_ROWS_PER_THEME]
    core &= np.isin(labels, keep)
    if len(keep) < 2:
        return None
    dims = len(keep) - 1 if max_dims is None else min(max_dims, len(keep) - 1)
    from threadpoolctl import threadpool_limits

    # one BLAS thread: these are many small products, which OpenBLAS's threads slow down
    # 3x on two busy cores (6.3 -> 2.0 CPU s for 170 themes of a 20,000-row fit)
    with threadpool_limits(1, user_api="blas"):
        scalings = lda_directions(Z[core].astype(np.float64), labels[core], dims)
        W = Z.astype(np.float64) @ scalings
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return (W / np.maximum(norms, 1e-12)).astype(np.float32)


def lda_directions(X: np.ndarray, y: np.ndarray, dims: int) -> np.ndarray:
    """The `dims` discriminant directions (columns, most separating first) of scikit-learn's
    `LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto")`, computed with numpy: the
    same scatter matrices (each class's covariance standardised, Ledoit-Wolf shrunk, weighted
    by its share) without scikit-learn's per-class overhead (9 s of 12 for 170 themes of a
    20,000-row fit; the matrix products themselves take well under a second)."""
    from scipy import linalg

    classes, index, counts = np.unique(y, return_inverse=True, return_counts=True)
    Sw = np.zeros((X.shape[1], X.shape[1]))
    order = np.argsort(index, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(counts)])
    for c in range(len(classes)):
        rows = order[bounds[c] : bounds[c + 1]]
        Sw += counts[c] / len(y) * _shrunk_covariance(X[rows])
    Sb = _shrunk_covariance(X) - Sw
    p = X.shape[1]
    evals, evecs = linalg.eigh(Sb, Sw, subset_by_index=[p - dims, p - 1])  # the largest only
    return evecs[:, np.argsort(evals)[::-1]]


def _shrunk_covariance(X: np.ndarray) -> np.ndarray:
    """scikit-learn's LDA covariance with `shrinkage="auto"`: Ledoit-Wolf on the standardised
    columns, scaled back."""
    n, p = X.shape
    X = X - X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0  # StandardScaler's constant columns
    X = X / scale
    cov = X.T @ X / n
    # ledoit_wolf_shrinkage (sklearn.covariance) on the centred, standardised rows
    X2 = X**2
    trace = X2.sum(axis=0) / n
    mu = trace.sum() / p
    beta_ = float((X2.T @ X2).sum())
    delta_ = float((cov**2).sum())  # sum((X.T X)^2) / n^2
    beta = 1.0 / (p * n) * (beta_ / n - delta_)
    delta = (delta_ - 2.0 * mu * trace.sum() + p * mu**2) / p
    beta = min(beta, delta)
    shrinkage = 0.0 if beta == 0 else beta / delta
    shrunk = (1.0 - shrinkage) * cov
    shrunk.flat[:: p + 1] += shrinkage * mu
    return scale[:, None] * shrunk * scale[None, :]


def silhouette(
    Z: np.ndarray, labels: np.ndarray, rows: np.ndarray, distances: np.ndarray | None = None
) -> float:
    """Mean cosine silhouette over `rows` of the themes in `labels`, rows HDBSCAN left as noise
    counted in their nearest theme (as outlier reassignment would put most of them): the measure
    that picks the granularity of the clustering in the adapted space. -1 below two themes.
    `distances`: the cosine distances between `rows` (`row_distances`), computed once for all
    the cuts compared instead of once per cut."""
    themed = labels >= 0
    ids = np.unique(labels[themed])
    if len(ids) < 2:
        return -1.0
    from sklearn.metrics import silhouette_score

    index = np.searchsorted(ids, labels[themed])
    C = group_sums(Z[themed], index, len(ids))  # np.add.at's sums bit for bit, 4x faster
    C /= np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)
    sub = labels[rows].copy()
    noise = sub < 0
    if noise.any():
        sub[noise] = ids[(Z[rows[noise]] @ C.T).argmax(axis=1)]
    if len(np.unique(sub)) < 2:
        return -1.0
    if distances is None:
        return float(silhouette_score(Z[rows], sub, metric="cosine"))
    return float(silhouette_score(distances, sub, metric="precomputed"))


def row_distances(Z: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Cosine distances between `rows` of `Z`, as `silhouette` would compute them."""
    from sklearn.metrics.pairwise import cosine_distances

    D = cosine_distances(Z[rows])
    np.fill_diagonal(D, 0.0)
    return D
