"""Match a full run's clusters to the existing themes so theme ids survive re-clustering.

A one-to-one assignment (Hungarian) on a score that mixes centroid cosine similarity and member
overlap (Jaccard over the tickets both runs saw). Unmatched clusters and themes are explained as
lifecycle events: a new cluster drawn mostly from a theme that continues elsewhere is a split;
an old theme whose tickets mostly went to a cluster matched to another theme was merged into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class TrackParams:
    centroid_weight: float = 0.5
    min_score: float = 0.45  # below this a pair is no match
    min_centroid_similarity: float = 0.6  # never match clusters that point elsewhere
    majority: float = 0.5  # share of members that makes a split or a merge


@dataclass
class PreviousTheme:
    theme_id: int
    centroid: np.ndarray
    members: set[int]


@dataclass
class TrackResult:
    """cluster index -> theme id (None: a new theme) and the lifecycle events."""

    theme_for_cluster: dict[int, int | None]
    events: list[tuple[str, int | None, int | None, int | None]] = field(default_factory=list)
    # (event, theme_id or None for a not-yet-created cluster theme, cluster index, related theme)


def _jaccard(a: set[int], b: set[int]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def match_clusters(
    previous: list[PreviousTheme],
    centroids: np.ndarray,
    members: list[set[int]],
    seen: set[int],
    params: TrackParams | None = None,
) -> TrackResult:
    """`seen`: ticket ids present in the previous run, so new tickets don't dilute the overlap."""
    # imported here: ~0.6 s, and the app, which imports this module, never matches themes
    from scipy.optimize import linear_sum_assignment

    params = params or TrackParams()
    k = len(members)
    result = TrackResult(theme_for_cluster=dict.fromkeys(range(k)))
    if not previous or k == 0:
        for c in range(k):
            result.events.append(("new", None, c, None))
        for old in previous:
            result.events.append(("retired", old.theme_id, None, None))
        return result
    old_c = np.vstack([p.centroid for p in previous])
    cos = old_c @ centroids.T
    overlap = np.zeros_like(cos)
    comparable = [m & seen for m in members]
    for i, old in enumerate(previous):
        for j in range(k):
            overlap[i, j] = _jaccard(old.members, comparable[j])
    score = params.centroid_weight * cos + (1 - params.centroid_weight) * overlap
    rows, cols = linear_sum_assignment(-score)
    matched_old: dict[int, int] = {}
    for i, j in zip(rows, cols, strict=True):
        if score[i, j] >= params.min_score and cos[i, j] >= params.min_centroid_similarity:
            result.theme_for_cluster[int(j)] = previous[i].theme_id
            matched_old[i] = int(j)
            result.events.append(("continued", previous[i].theme_id, int(j), None))
    theme_of_cluster = result.theme_for_cluster
    for j in range(k):
        if theme_of_cluster[j] is not None:
            continue
        source = _main_source(comparable[j], previous, params.majority)
        if source is not None and source in matched_old:
            result.events.append(("split", None, j, previous[source].theme_id))
        else:
            result.events.append(("new", None, j, None))
    for i, old in enumerate(previous):
        if i in matched_old:
            continue
        target = _main_target(old.members, comparable, params.majority)
        if target is not None and theme_of_cluster[target] is not None:
            result.events.append(("merged", old.theme_id, target, theme_of_cluster[target]))
        else:
            result.events.append(("retired", old.theme_id, None, None))
    return result


def _main_source(cluster: set[int], previous: list[PreviousTheme], majority: float) -> int | None:
    if not cluster:
        return None
    shares = [len(cluster & p.members) / len(cluster) for p in previous]
    best = int(np.argmax(shares))
    return best if shares[best] >= majority else None


def _main_target(old: set[int], clusters: list[set[int]], majority: float) -> int | None:
    if not old:
        return None
    shares = [len(old & c) / len(old) for c in clusters]
    best = int(np.argmax(shares))
    return best if shares[best] >= majority else None
