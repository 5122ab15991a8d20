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

import warnings

import numpy as np

__all__ = ["confident_core", "discriminant_space", "silhouette"]

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
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    core = confident_core(Z, labels, core_quantile)
    themes, counts = np.unique(labels[core], return_counts=True)
    keep = themes[counts >= MIN_CORE_ROWS_PER_THEME]
    core &= np.isin(labels, keep)
    if len(keep) < 2:
        return None
    dims = len(keep) - 1 if max_dims is None else min(max_dims, len(keep) - 1)
    lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto", n_components=dims)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)  # collinear-variables notice
        lda.fit(Z[core].astype(np.float64), labels[core])
    W = lda.transform(Z.astype(np.float64))
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return (W / np.maximum(norms, 1e-12)).astype(np.float32)


def silhouette(Z: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> float:
    """Mean cosine silhouette over `rows` of the themes in `labels`, rows HDBSCAN left as noise
    counted in their nearest theme (as outlier reassignment would put most of them): the measure
    that picks the granularity of the clustering in the adapted space. -1 below two themes."""
    themed = labels >= 0
    ids = np.unique(labels[themed])
    if len(ids) < 2:
        return -1.0
    from sklearn.metrics import silhouette_score

    index = np.searchsorted(ids, labels[themed])
    C = np.zeros((len(ids), Z.shape[1]), np.float64)
    np.add.at(C, index, Z[themed])
    C /= np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)
    sub = labels[rows].copy()
    noise = sub < 0
    if noise.any():
        sub[noise] = ids[(Z[rows[noise]] @ C.T).argmax(axis=1)]
    if len(np.unique(sub)) < 2:
        return -1.0
    return float(silhouette_score(Z[rows], sub, metric="cosine"))
