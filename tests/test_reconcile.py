"""Anchored refits keep the previous grouping where HDBSCAN only re-cut it: pieces of one
previous theme are joined, whole previous themes swallowed by one cluster are cut back; new
tickets forming a theme and real regroupings are left alone."""

from __future__ import annotations

import numpy as np

from insights.themes.reconcile import reconcile, rejoin_splits, undo_merges

DIM = 8


def _space(rng, n: int) -> np.ndarray:
    Z = rng.normal(size=(n, DIM))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def _blobs(rng, sizes: list[int], gap: float) -> np.ndarray:
    """Blobs of unit spread per axis whose centres are `gap` spreads (RMS radius) apart."""
    centres = [np.zeros(DIM), np.eye(DIM)[0] * gap * np.sqrt(DIM)]
    return np.vstack([centres[i % 2] + rng.normal(size=(n, DIM)) for i, n in enumerate(sizes)])


def test_pieces_of_one_previous_theme_are_joined() -> None:
    rng = np.random.default_rng(0)
    anchor = np.array([7] * 20 + [9] * 10)
    labels = np.array([0] * 12 + [1] * 8 + [2] * 10)
    Z = np.vstack([_blobs(rng, [20], 0), _blobs(rng, [10], 0) + 50])
    joined, n = rejoin_splits(labels, anchor, Z)
    assert n == 1
    assert set(joined[:20].tolist()) == {0} and set(joined[20:].tolist()) == {2}


def test_pieces_clearly_apart_are_a_real_sub_theme_and_stay() -> None:
    rng = np.random.default_rng(3)
    anchor = np.array([7] * 40)
    labels = np.array([0] * 20 + [1] * 20)
    joined, n = rejoin_splits(labels, anchor, _blobs(rng, [20, 20], gap=1.5))
    assert n == 0 and (joined == labels).all()
    joined, n = rejoin_splits(labels, anchor, _blobs(rng, [20, 20], gap=0.3))
    assert n == 1 and set(joined.tolist()) == {0}


def test_a_cluster_of_mostly_new_tickets_is_a_new_theme_not_a_piece() -> None:
    # theme 7 is all in cluster 0; cluster 1 has 3 of its older rows but 20 new tickets
    anchor = np.array([7] * 20 + [7] * 3 + [-1] * 20)
    labels = np.array([0] * 20 + [1] * 23)
    joined, n = rejoin_splits(labels, anchor, _space(np.random.default_rng(0), 43))
    assert n == 0 and (joined == labels).all()


def test_noise_stays_noise_when_pieces_join() -> None:
    anchor = np.array([7] * 20)
    labels = np.array([0] * 9 + [-1] * 2 + [1] * 9)
    joined, _ = rejoin_splits(labels, anchor, _blobs(np.random.default_rng(0), [20], 0))
    assert set(joined[joined >= 0].tolist()) == {0} and (joined == -1).sum() == 2


def test_whole_previous_themes_swallowed_by_one_cluster_are_cut_back() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=DIM), rng.normal(size=DIM)
    Z = np.vstack(
        [a + rng.normal(scale=0.1, size=(15, DIM)), b + rng.normal(scale=0.1, size=(10, DIM))]
    )
    Z = np.vstack([Z, b + rng.normal(scale=0.1, size=(3, DIM))])  # new tickets near b
    Z /= np.linalg.norm(Z, axis=1, keepdims=True)
    anchor = np.array([4] * 15 + [5] * 10 + [-1] * 3)
    labels = np.zeros(28, dtype=np.int64)
    cut, n, _ = undo_merges(labels, anchor, Z)
    assert n == 1
    assert len(set(cut[:15].tolist())) == 1 and len(set(cut[15:].tolist())) == 1
    assert cut[0] != cut[15]


def test_a_cluster_holding_only_parts_of_themes_is_a_regrouping_and_stays() -> None:
    rng = np.random.default_rng(1)
    anchor = np.array([4] * 20 + [5] * 20)
    labels = np.array([0] * 8 + [1] * 12 + [0] * 8 + [2] * 12)  # cluster 0: 40 % of each
    cut, n, _ = undo_merges(labels, anchor, _space(rng, 40))
    assert n == 0 and (cut == labels).all()


def test_switches_turn_each_repair_off() -> None:
    rng = np.random.default_rng(2)
    anchor = np.array([7] * 20 + [8] * 10 + [9] * 10)
    labels = np.array([0] * 10 + [1] * 10 + [2] * 20)  # 7 split, 8 and 9 merged
    Z = np.vstack([_blobs(rng, [20], 0), _space(rng, 20)])
    both, stats = reconcile(labels, anchor, Z)
    assert (stats.rejoined, stats.unmerged) == (1, 1)
    assert len(np.unique(both)) == 3
    neither, stats = reconcile(labels, anchor, Z, splits=False, merges=False)
    assert (stats.rejoined, stats.unmerged) == (0, 0) and (neither == labels).all()


def _topic(rng, centre: np.ndarray, n: int) -> np.ndarray:
    Z = centre + rng.normal(scale=0.1, size=(n, DIM))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def test_swallowed_language_splits_of_one_topic_stay_merged() -> None:
    # previous themes 4 (English) and 5 (Vietnamese) are one topic cut by language, theme 6 is
    # another topic; the refit's cluster 0 took 4 and 5 (and 2 new tickets), cluster 1 is 6
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=DIM), rng.normal(size=DIM)
    Z = np.vstack([_topic(rng, a, 15), _topic(rng, a, 10), _topic(rng, a, 2), _topic(rng, b, 12)])
    anchor = np.array([4] * 15 + [5] * 10 + [-1] * 2 + [6] * 12)
    labels = np.array([0] * 27 + [1] * 12)
    langs = ["en"] * 15 + ["vi"] * 10 + ["en", "vi"] + ["en"] * 6 + ["vi"] * 6
    kept, n_cut, n_kept = undo_merges(labels, anchor, Z, languages=langs)
    assert (n_cut, n_kept) == (0, 1) and (kept == labels).all()
    cut, n_cut, n_kept = undo_merges(labels, anchor, Z)  # the exemption is opt-in
    assert (n_cut, n_kept) == (1, 0) and cut[0] != cut[15]
    _, stats = reconcile(labels, anchor, Z, languages=langs)
    assert (stats.unmerged, stats.language_kept) == (0, 1)


def test_swallowed_themes_sharing_languages_or_apart_in_topic_are_still_cut() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=DIM), rng.normal(size=DIM)
    # same topic, but both themes are English and Vietnamese: not a language split
    Z = np.vstack([_topic(rng, a, 20), _topic(rng, a, 20)])
    anchor = np.array([4] * 20 + [5] * 20)
    labels = np.zeros(40, dtype=np.int64)
    mixed = ["en", "vi"] * 20
    cut, n_cut, n_kept = undo_merges(labels, anchor, Z, languages=mixed)
    assert (n_cut, n_kept) == (1, 0) and cut[0] != cut[20]
    # disjoint languages, but two topics: not a language split either
    Z = np.vstack([_topic(rng, a, 20), _topic(rng, b, 20)])
    cut, n_cut, n_kept = undo_merges(labels, anchor, Z, languages=["en"] * 20 + ["vi"] * 20)
    assert (n_cut, n_kept) == (1, 0) and cut[0] != cut[20]


def test_a_cluster_is_cut_between_groups_of_language_splits_only() -> None:
    # 4 (English) and 5 (Thai) are one topic, 6 (English) another: two parts, {4, 5} and {6}
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=DIM), rng.normal(size=DIM)
    Z = np.vstack([_topic(rng, a, 15), _topic(rng, a, 10), _topic(rng, b, 12)])
    anchor = np.array([4] * 15 + [5] * 10 + [6] * 12)
    labels = np.zeros(37, dtype=np.int64)
    langs = ["en"] * 15 + ["th"] * 10 + ["en"] * 12
    cut, n_cut, n_kept = undo_merges(labels, anchor, Z, languages=langs)
    assert (n_cut, n_kept) == (1, 1)
    assert len(set(cut[:25].tolist())) == 1 and set(cut[25:].tolist()) != set(cut[:1].tolist())
