"""Theme discovery on synthetic multilingual data: blobs on the sphere plus language offsets."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, completeness_score, homogeneity_score

from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, center, language_means

DIM = 32


def blobs(
    n_per: int = 40, k: int = 5, langs: tuple[str, ...] = ("en", "id", "th"), seed: int = 0
) -> tuple[np.ndarray, list[str], np.ndarray, np.ndarray]:
    """k topic directions; every language adds its own large offset (as e5 vectors do)."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(k, DIM))
    offsets = {lang: rng.normal(size=DIM) for lang in langs}
    X, L, y = [], [], []
    for t in range(k):
        for i in range(n_per):
            lang = langs[i % len(langs)]
            X.append(topics[t] + offsets[lang] + rng.normal(scale=0.25, size=DIM))
            L.append(lang)
            y.append(t)
    X = np.asarray(X, np.float32)
    return X / np.linalg.norm(X, axis=1, keepdims=True), L, np.asarray(y), topics


def test_centering_removes_language_offsets() -> None:
    X, langs, y, _ = blobs()
    Z = center(X, langs, language_means(X, langs, 10), 10)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, atol=1e-5)
    same_topic = Z[(y == 0)] @ Z[(y == 0)].T
    other_topic = Z[(y == 0)] @ Z[(y == 1)].T
    assert same_topic.mean() > other_topic.mean() + 0.5


def test_unseen_language_uses_own_or_global_mean() -> None:
    X, langs, _, _ = blobs()
    means = language_means(X, langs, 10)
    assert set(means) == {"en", "id", "th", "__global__"}
    few = center(X[:3], ["xx"] * 3, means, 10)  # < 10 rows: global mean
    expected = X[:3] - means["__global__"]
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(few, expected, atol=1e-5)


@pytest.mark.slow
def test_recovers_blobs_across_languages_and_is_deterministic() -> None:
    X, langs, y, _ = blobs()
    disc = ThemeDiscoverer(DiscoveryParams(seed=7))
    result = disc.fit(X, langs)
    themed = result.labels >= 0
    assert 5 <= result.n_themes <= 8
    assert homogeneity_score(y[themed], result.labels[themed]) > 0.95  # no theme mixes blobs
    assert completeness_score(y, result.labels) > 0.75
    for blob in range(5):  # most of each blob sits in one theme that spans all languages
        rows = np.flatnonzero(y == blob)
        main = np.bincount(result.labels[rows][result.labels[rows] >= 0]).argmax()
        assert np.mean(result.labels[rows] == main) >= 0.6
        assert {langs[i] for i in rows if result.labels[i] == main} == {"en", "id", "th"}
    assert result.unthemed_share <= 0.1
    # Themes numbered by size descending, centroids unit length.
    sizes = np.bincount(result.labels[result.labels >= 0])
    assert list(sizes) == sorted(sizes, reverse=True)
    np.testing.assert_allclose(np.linalg.norm(result.centroids, axis=1), 1.0, atol=1e-5)
    assert np.all(result.similarity[result.labels >= 0] > 0)
    assert np.all(result.similarity[result.labels < 0] == 0)
    assert result.n_fit == len(X) and result.params_used["min_cluster_size"] >= 5
    again = ThemeDiscoverer(DiscoveryParams(seed=7)).fit(X, langs)
    np.testing.assert_array_equal(result.labels, again.labels)

    # predict: near rows (new noise around the same topics) are assigned, far ones rejected.
    X2, langs2, y2, _ = blobs(n_per=6, seed=0)
    labels, sim = disc.predict(X2, langs2)
    assert np.mean(labels >= 0) >= 0.9 and np.all(sim[labels >= 0] > 0)
    assert homogeneity_score(y2[labels >= 0], labels[labels >= 0]) > 0.95
    far = np.random.default_rng(9).normal(size=(4, DIM)).astype(np.float32)
    far_labels, far_sim = disc.predict(far, ["en"] * 4)
    assert np.all(far_labels == -1) and np.all(far_sim == 0)


def test_centering_in_place_and_by_block_equals_the_copy(monkeypatch) -> None:
    """`copy=False` (what a refresh uses at a million tickets) gives the same rows, also when
    the store spans several blocks."""
    import insights.themes.discover as discover

    X, langs, _, _ = blobs(n_per=30)
    means = language_means(X, langs, 10)
    expected = center(X, langs, means, 10)
    monkeypatch.setattr(discover, "BLOCK", 7)
    inplace = X.copy()
    out = center(inplace, langs, means, 10, copy=False)
    assert out is inplace
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(center(X, langs, means, 10), expected)


def test_language_means_by_block_equal_the_plain_means(monkeypatch) -> None:
    import insights.themes.discover as discover

    X, langs, _, _ = blobs(n_per=30)
    monkeypatch.setattr(discover, "BLOCK", 7)
    means = language_means(X, langs, 10)
    np.testing.assert_allclose(means["__global__"], X.mean(axis=0), atol=1e-6)
    en = np.asarray(langs) == "en"
    np.testing.assert_allclose(means["en"], X[en].mean(axis=0), atol=1e-6)


def test_a_float16_store_is_centred_in_place_and_fits_like_float32(monkeypatch) -> None:
    """A large store's vectors are held as float16 (`jobs.refresh.HALF_PRECISION_ROWS`): they
    are centred in place, computed in float32 block by block, and give the float32 themes."""
    import insights.themes.discover as discover

    X, langs, _, _ = blobs(n_per=60)
    monkeypatch.setattr(discover, "BLOCK", 64)
    expected = center(X, langs, language_means(X, langs, 10), 10)
    half = X.astype(np.float16)
    out = center(half, langs, language_means(half, langs, 10), 10, copy=False)
    assert out is half and out.dtype == np.float16
    np.testing.assert_allclose(out, expected, atol=2e-3)

    params = DiscoveryParams(fit_sample=150, seed=3)
    full = ThemeDiscoverer(params).fit(X, langs)
    half = X.astype(np.float16)
    small = ThemeDiscoverer(params).fit(half, langs, copy=False)
    assert half.dtype == np.float16 and small.centroids.dtype == np.float32
    assert small.n_themes == full.n_themes
    # the same partition; discovery's label numbers are not ids (tracking gives those) and
    # their order may differ with the CPU's float rounding (AVX-512 or not)
    assert adjusted_rand_score(full.labels, small.labels) >= 0.98


@pytest.mark.slow
def test_fit_on_sample_assigns_the_rest() -> None:
    X, langs, y, _ = blobs(n_per=60)
    result = ThemeDiscoverer(DiscoveryParams(fit_sample=150)).fit(X, langs)
    assert result.n_fit == 150
    assert result.unthemed_share <= 0.1
    themed = result.labels >= 0
    assert homogeneity_score(y[themed], result.labels[themed]) > 0.95


def test_too_few_rows_all_unthemed() -> None:
    X, langs, _, _ = blobs(n_per=3)
    result = ThemeDiscoverer().fit(X, langs)
    assert np.all(result.labels == -1) and result.unthemed_share == 1.0
    assert result.centroids.shape == (0, DIM)
    labels, _ = ThemeDiscoverer().fit(X[:0], []).labels, None
    assert labels.shape == (0,)
    disc = ThemeDiscoverer()
    disc.fit(X, langs)
    assert np.all(disc.predict(X, langs)[0] == -1)


def test_predict_before_fit() -> None:
    with pytest.raises(RuntimeError):
        ThemeDiscoverer().predict(np.zeros((1, DIM), np.float32), ["en"])


def twins(sep: float, seed: int = 0, n_per: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Four topics where topic 1 is topic 0 moved by `sep`: close twins are ambiguous."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(4, DIM))
    topics[1] = topics[0] + sep * rng.normal(size=DIM)
    X = np.asarray(
        [topics[t] + rng.normal(scale=0.25, size=DIM) for t in range(4) for _ in range(n_per)],
        np.float32,
    )
    return X / np.linalg.norm(X, axis=1, keepdims=True), np.repeat(np.arange(4), n_per)


@pytest.mark.slow
def test_anchor_keeps_an_ambiguous_previous_split_but_data_still_win() -> None:
    from sklearn.metrics import adjusted_rand_score

    X, y = twins(sep=0.15)
    langs = ["en"] * len(X)
    free = ThemeDiscoverer(DiscoveryParams(seed=7, anchor_weight=0.0)).fit(X, langs, anchor=y)
    assert free.n_themes == 3  # on its own HDBSCAN merges the close twins
    previous = y.copy()
    previous[y == 3] = -1  # topic 3 is new since the previous run: no anchor
    anchored = ThemeDiscoverer(DiscoveryParams(seed=7)).fit(X, langs, anchor=previous)
    assert anchored.n_themes == 4 and adjusted_rand_score(y, anchored.labels) > 0.95
    assert anchored.params_used["anchored_rows"] == 120

    X, y = twins(sep=0.3)  # clearly apart: an old merge of the twins does not force one theme
    merged_before = np.where(y == 1, 0, y)
    result = ThemeDiscoverer(DiscoveryParams(seed=7)).fit(X, ["en"] * len(X), anchor=merged_before)
    assert result.n_themes == 4 and adjusted_rand_score(y, result.labels) > 0.95


def test_vietnamese_without_diacritics_is_its_own_centering_group() -> None:
    from insights.themes.discover import centering_groups

    texts = [
        "Gao hang cham qua, minh tra phi hoa toc ma cho ca tuan.",  # no diacritics
        "Giao hàng chậm quá, mình trả phí hỏa tốc mà chờ cả tuần.",
        "Giao hang cham qua, minh o Cầu Giấy ma cho ca tuan roi shop oi",  # accented address
        "Paket saya belum sampai",
        "",
    ]
    groups = centering_groups(texts, ["vi", "vi", "vi", "id", "vi"])
    assert groups == ["vi-ascii", "vi", "vi-ascii", "id", "vi"]


@pytest.mark.slow
def test_self_training_round_keeps_the_themes_and_predict_space() -> None:
    X, langs, y, _ = blobs()
    plain = ThemeDiscoverer(DiscoveryParams(seed=7, adapt_rounds=0)).fit(X, langs)
    assert plain.params_used["adapt_rounds"] == 0 and plain.params_used["adapted_dims"] == []
    disc = ThemeDiscoverer(DiscoveryParams(seed=7))  # the default
    result = disc.fit(X, langs)
    assert result.params_used["adapted_dims"] == [plain.n_themes - 1]  # k - 1 < adapt_dims
    # the granularity in the adapted space: every layout x distinct size tried, the best kept
    used = result.params_used
    tried = used["adapted_silhouettes"]
    assert len(tried) >= 4 and {key.split("/")[0] for key in tried} == {"0", "1"}
    chosen = f"{used['adapted_layout']}/{used['adapted_min_cluster_size']}"
    assert tried[chosen] == max(tried.values())
    themed = result.labels >= 0
    assert homogeneity_score(y[themed], result.labels[themed]) > 0.95
    # a blob that came back split by language is merged again (language_splits.py)
    assert completeness_score(y, result.labels) > 0.75
    # centroids stay in the centred encoder space: predict needs nothing new
    assert result.centroids.shape == (result.n_themes, DIM)
    labels, _ = disc.predict(X, langs)
    assert np.mean(labels == result.labels) > 0.95


_LAYOUT = """
import json, sys
import numpy as np
from insights.themes import neighbours

def layout():
    rng = np.random.default_rng(0)
    Z = np.vstack([rng.normal(c, 1.0, (60, 16)) for c in (-3.0, 0.0, 3.0)]).astype(np.float32)
    reducer = neighbours.umap_reducer(
        Z, n_neighbors=10, n_components=2, metric="cosine", random_state=0, n_epochs=60,
        force_approximation_algorithm=True, init="spectral",
    )
    Y = reducer.fit_transform(Z)
    imported = "pynndescent" in sys.modules
    pynndescent = neighbours.load_pynndescent()
    import umap.umap_ as u
    handed = (
        u.NNDescent is pynndescent.NNDescent
        and u.pynn_named_distances is pynndescent.distances.named_distances
        and "cosine" in pynndescent.distances.named_distances
        and "cosine" in pynndescent.sparse.sparse_named_distances
    )
    return {"imported": imported, "handed": handed, "Y": Y.tolist()}

lazy = layout()  # umap-learn imported against the stand-ins
# umap-learn imported again, now against the real package (loaded by the handover above),
# as in a process that loads pynndescent first: the layout umap-learn gives with it
for name in [m for m in sys.modules if m == "umap" or m.startswith("umap.")]:
    del sys.modules[name]
u = neighbours.load_umap().umap_
fresh = (
    u.NNDescent is sys.modules["pynndescent"].NNDescent
    and u.pynn_named_distances is sys.modules["pynndescent.distances"].named_distances
)
real = layout()
print(json.dumps({"lazy": lazy, "real": real, "fresh": fresh}))
"""


def test_exact_neighbours_need_no_pynndescent_and_give_the_same_layout() -> None:
    """Up to EXACT_KNN_MAX_ROWS umap-learn runs against stand-ins for pynndescent (its import
    is ~0.5 s of every refresh): the layout is the one umap-learn gives with the real package,
    which the stand-ins hand over as soon as it is loaded. One fresh process: the layout with
    the stand-ins first, then umap-learn imported anew against the real package (as when
    pynndescent is loaded first) and the same layout again."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-c", _LAYOUT],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    lazy, real = out["lazy"], out["real"]
    assert not lazy["imported"] and real["imported"]
    assert out["fresh"]  # the reference's umap-learn was imported against the real package
    assert lazy["handed"] and real["handed"]
    assert lazy["Y"] == real["Y"]


def test_exact_neighbours_are_the_brute_force_ones_across_blocks(monkeypatch) -> None:
    """Blocks of uneven size, each split over two threads: every row's neighbours are the
    brute-force ones, itself first at distance 0, nearest first."""
    from insights.themes import neighbours

    monkeypatch.setattr(neighbours, "BLOCK_CELLS", 301 * 7)  # 7 rows a block, at least 256
    monkeypatch.setattr(neighbours, "BLOCK", 7)
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(301, 24)).astype(np.float32)
    indices, distances = neighbours.exact_knn(Z, 6)
    unit = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    sim = unit @ unit.T
    np.fill_diagonal(sim, np.inf)
    expected = np.argsort(-sim, axis=1, kind="stable")[:, :6]
    np.testing.assert_array_equal(indices, expected)
    assert np.all(distances[:, 0] == 0.0) and np.all(np.diff(distances, axis=1) >= 0)
    got = 1.0 - np.take_along_axis(unit @ unit.T, indices[:, 1:], axis=1)
    np.testing.assert_allclose(distances[:, 1:], got, atol=1e-5)


def test_the_graph_is_exact_up_to_the_limit_and_approximate_above(monkeypatch) -> None:
    """Up to EXACT_KNN_MAX_ROWS the reducer gets the exact graph (no NNDescent to compile in
    the refresh's process); above it UMAP builds its approximate one."""
    from insights.themes import neighbours

    assert DiscoveryParams().fit_sample <= neighbours.EXACT_KNN_MAX_ROWS
    monkeypatch.setattr(neighbours, "EXACT_KNN_MAX_ROWS", 40)
    monkeypatch.setattr(neighbours, "load_pynndescent", lambda: None)
    rng = np.random.default_rng(0)
    at_limit = neighbours.umap_reducer(rng.normal(size=(40, 8)), n_neighbors=5, metric="cosine")
    above = neighbours.umap_reducer(rng.normal(size=(41, 8)), n_neighbors=5, metric="cosine")
    assert at_limit.precomputed_knn[0].shape == (40, 5)
    assert above.precomputed_knn[0] is None
