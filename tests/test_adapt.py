"""Self-training projection (LDA on pseudo-labels): separates themes the encoder blurs."""

from __future__ import annotations

import numpy as np
import pytest

from insights.themes.adapt import (
    confident_core,
    discriminant_space,
    lda_directions,
    row_distances,
    silhouette,
)


def two_close_themes(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two themes that differ in 2 of 64 dimensions, with large shared noise elsewhere."""
    rng = np.random.default_rng(seed)
    n, dim = 200, 64
    y = np.repeat([0, 1], n // 2)
    X = rng.normal(scale=1.0, size=(n, dim))
    X[:, :2] += np.where(y[:, None] == 0, 1.0, -1.0) * np.array([0.8, 0.8])
    return (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32), y


def separation(V: np.ndarray, y: np.ndarray) -> float:
    """Mean within-theme cosine minus mean between-theme cosine."""
    S = V @ V.T
    same = y[:, None] == y[None, :]
    return float(S[same].mean() - S[~same].mean())


def test_projection_learned_from_pseudo_labels_separates_close_themes() -> None:
    X, y = two_close_themes()
    noisy = y.copy()
    noisy[::7] = -1  # rows the first clustering left as noise do not teach
    W = discriminant_space(X, noisy)
    assert W is not None and W.shape == (len(X), 1)  # k - 1 directions
    np.testing.assert_allclose(np.abs(W).ravel(), 1.0, atol=1e-5)  # L2-normalised rows
    assert separation(W, y) > separation(X, y) + 0.5
    # held-out rows (the noise) land on their theme's side too (the Bayes error here is ~13 %)
    side = np.sign(W[noisy < 0, 0]) == np.sign(W[y == 0, 0].mean())
    assert np.mean(side == (y[noisy < 0] == 0)) > 0.8


def test_nothing_to_learn_returns_none() -> None:
    X, _ = two_close_themes()
    assert discriminant_space(X, np.full(len(X), -1)) is None
    assert discriminant_space(X, np.zeros(len(X), dtype=np.int64)) is None  # one theme
    tiny = np.full(len(X), -1)
    tiny[:2], tiny[2:4] = 0, 1  # themes with fewer than 3 core rows teach nothing
    assert discriminant_space(X, tiny) is None


def test_confident_core_keeps_members_nearest_their_centroid() -> None:
    X, y = two_close_themes()
    labels = y.copy()
    labels[:5] = -1
    assert (confident_core(X, labels, 0.0) == (labels >= 0)).all()
    core = confident_core(X, labels, 0.5)
    assert not core[:5].any()
    for theme in (0, 1):
        members = labels == theme
        assert abs(core[members].mean() - 0.5) < 0.05
        centroid = X[members].mean(axis=0)
        assert (X[core & members] @ centroid).min() >= (X[members & ~core] @ centroid).max()


def test_lda_directions_are_scikit_learns() -> None:
    """The numpy LDA gives scikit-learn's eigen/shrinkage projection (up to each direction's
    sign), a constant column included."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    rng = np.random.default_rng(1)
    y = rng.integers(0, 6, 300)
    X = rng.normal(size=(6, 20))[y] * 0.5 + rng.normal(size=(300, 20))
    X[:, 3] = 0.25
    lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto", n_components=4)
    expected = lda.fit(X, y).transform(X)
    got = X @ lda_directions(X, y, 4)
    got *= np.sign((got * expected).sum(axis=0))
    np.testing.assert_allclose(got, expected, atol=1e-8)


def test_silhouette_from_precomputed_distances_is_the_same() -> None:
    X, y = two_close_themes()
    labels = y.copy()
    labels[::9] = -1
    rows = np.arange(0, len(X), 2)
    expected = silhouette(X, labels, rows)
    assert silhouette(X, labels, rows, row_distances(X, rows)) == pytest.approx(expected, abs=1e-6)
