"""Theme tracking: ids survive, merges, splits, new and retired themes are recognised."""

from __future__ import annotations

import numpy as np

from insights.themes.track import PreviousTheme, match_clusters


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_same_clusters_in_another_order_keep_their_ids():
    prev = [
        PreviousTheme(10, unit(1, 0, 0), {1, 2, 3}),
        PreviousTheme(11, unit(0, 1, 0), {4, 5, 6}),
    ]
    centroids = np.vstack([unit(0, 1, 0.1), unit(1, 0.1, 0)])
    result = match_clusters(prev, centroids, [{4, 5, 6, 7}, {1, 2, 3}], seen={1, 2, 3, 4, 5, 6})
    assert result.theme_for_cluster == {0: 11, 1: 10}
    assert sorted(e[0] for e in result.events) == ["continued", "continued"]


def test_new_split_merged_and_retired():
    prev = [
        PreviousTheme(1, unit(1, 0, 0, 0), set(range(0, 10))),
        PreviousTheme(2, unit(0, 1, 0, 0), set(range(10, 20))),
        PreviousTheme(3, unit(0, 0.9, 0.1, 0), set(range(20, 30))),
        PreviousTheme(4, unit(0, 0, 0, 1), set(range(30, 40))),
    ]
    seen = set(range(40))
    centroids = np.vstack(
        [unit(1, 0, 0, 0), unit(0.9, 0.1, 0, 0), unit(0, 1, 0.05, 0), unit(0, 0, 1, 0)]
    )
    members = [set(range(0, 5)), set(range(5, 10)), set(range(10, 30)), set(range(100, 110))]
    result = match_clusters(prev, centroids, members, seen)
    assert result.theme_for_cluster[2] == 2
    assert result.theme_for_cluster[0] == 1 or result.theme_for_cluster[1] == 1
    kinds = {(e[0], e[1], e[3]) for e in result.events}
    assert ("merged", 3, 2) in kinds
    assert ("retired", 4, None) in kinds
    assert any(e[0] == "split" and e[3] == 1 for e in result.events)
    assert any(e[0] == "new" and e[2] == 3 for e in result.events)


def test_first_run_makes_everything_new():
    result = match_clusters([], np.eye(3, dtype=np.float32), [{1}, {2}, {3}], set())
    assert [e[0] for e in result.events] == ["new", "new", "new"]
    assert set(result.theme_for_cluster.values()) == {None}
