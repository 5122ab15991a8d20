"""The transformer's second opinion on the fast tier's doubtful tickets (issue 13).

The fast tier (a static bag of the encoder's input embeddings) puts the translations of one
concept less close than the encoder does. Measured on marketplace_concepts (25 concepts x 9
languages), what that costs is not whole themes cut by language but single tickets: mostly one
language's row of a concept (Arabic most often) left unthemed or sent to a neighbouring theme,
which keeps only ~80 % of the concepts in one theme (bench/README.md, "Fast tier").

A full run with the fast tier can ask the transformer, on a bounded budget of tickets, where
exactly those tickets belong:

* **Representatives.** Up to `reps_per_theme` members per theme, nearest its (fast) centroid,
  one per centering group (language) first, so a theme's representatives span its languages.
  Their transformer vectors, centred per language with the means of the encoded rows, give each
  theme a centroid in the transformer's space.
* **Doubtful tickets.** The unthemed rows and the members in the lowest `doubt_quantile` of
  similarity to their own (fast) centroid, least similar first, up to what is left of `budget`.
* **Decision.** A doubtful ticket moves to the theme whose transformer centroid is nearest when
  that similarity reaches a floor and, for a themed ticket, beats its current theme's by
  `margin`. The floor follows the discovery's own rule (a low quantile of how close members are
  to their centroid) on the representatives, each scored against its theme's centroid without
  itself, never below `min_floor`.

Themes are neither created nor removed (representatives never move), so theme ids stay what the
tracker matched; only doubtful rows change theme. The cost is at most `budget` transformer
encodings per full run (cached by the store like any vector, so a ticket is encoded once).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from insights.themes.discover import member_similarity

__all__ = ["SecondOpinion", "SecondOpinionStats", "choose_rows", "second_opinion"]


@dataclass(frozen=True)
class SecondOpinion:
    budget: int = 1000  # transformer encodings per run, representatives included
    reps_per_theme: int = 5
    doubt_quantile: float = 0.1  # members below this quantile of centroid similarity are asked
    margin: float = 0.1  # a themed ticket moves only when the new theme is this much closer
    floor_quantile: float = 0.01  # as discovery's adaptive floor, over the representatives
    min_floor: float = 0.2
    min_language_rows: int = 3  # fewer encoded rows of a language: centred with the global mean


@dataclass
class SecondOpinionStats:
    encoded: int = 0
    representatives: int = 0
    doubtful: int = 0
    moved: int = 0  # themed tickets sent to another theme
    assigned: int = 0  # unthemed tickets given a theme
    floor: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def choose_rows(
    Z: np.ndarray,
    labels: np.ndarray,
    centroids: np.ndarray,
    groups: Sequence[str],
    params: SecondOpinion = SecondOpinion(),
) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the representatives and of the doubtful tickets (disjoint, together at
    most `params.budget`). `Z`: the centred fast vectors the themes were found in."""
    labels = np.asarray(labels, np.int64)
    k = int(centroids.shape[0])
    if k == 0 or params.budget <= 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    groups_arr = np.asarray([str(g) for g in groups])
    themed = np.flatnonzero(labels >= 0)
    sim = np.where(labels >= 0, member_similarity(Z, labels, centroids), -np.inf)
    per_theme = min(params.reps_per_theme, max(1, (params.budget // 2) // k))
    with_reps = min(k, params.budget // per_theme)  # themes are ordered by size: largest first
    reps: list[int] = []
    order = themed[np.lexsort((-sim[themed], labels[themed]))]  # by theme, most similar first
    starts = np.searchsorted(labels[order], np.arange(with_reps + 1))
    for t in range(with_reps):
        members = order[starts[t] : starts[t + 1]]
        chosen: list[int] = []
        seen: set[str] = set()
        for i in members:  # one per language first
            if groups_arr[i] not in seen:
                chosen.append(int(i))
                seen.add(groups_arr[i])
                if len(chosen) == per_theme:
                    break
        taken = set(chosen)
        for i in members:
            if len(chosen) == per_theme:
                break
            if int(i) not in taken:
                chosen.append(int(i))
        reps += chosen
    rep_idx = np.asarray(reps, np.int64)
    room = params.budget - len(rep_idx)
    if room <= 0 or not len(themed):
        return rep_idx, np.zeros(0, np.int64)
    low = float(np.quantile(sim[themed], params.doubt_quantile))
    asked = (labels < 0) | ((sim < low) & (labels < with_reps))
    asked[rep_idx] = False
    doubt = np.flatnonzero(asked)
    doubt = doubt[np.argsort(sim[doubt], kind="stable")][:room]
    return rep_idx, np.sort(doubt)


def _centre(T: np.ndarray, groups: np.ndarray, min_rows: int) -> np.ndarray:
    out = T.astype(np.float64).copy()
    overall = out.mean(axis=0)
    for g in np.unique(groups):
        rows = groups == g
        out[rows] -= out[rows].mean(axis=0) if rows.sum() >= min_rows else overall
    return _unit(out)


def second_opinion(
    Z: np.ndarray,
    labels: np.ndarray,
    centroids: np.ndarray,
    groups: Sequence[str],
    encode: Callable[[np.ndarray], np.ndarray],
    params: SecondOpinion = SecondOpinion(),
) -> tuple[np.ndarray, SecondOpinionStats]:
    """`labels` with the doubtful tickets placed by the transformer, and what was done.

    `encode(rows)` returns the transformer's vectors of those row indices (any dimension)."""
    labels = np.asarray(labels, np.int64).copy()
    rep_idx, doubt = choose_rows(Z, labels, centroids, groups, params)
    stats = SecondOpinionStats(representatives=len(rep_idx), doubtful=len(doubt))
    if not len(rep_idx) or not len(doubt):
        return labels, stats
    rows = np.concatenate([rep_idx, doubt])
    T = np.asarray(encode(rows), np.float64)
    stats.encoded = len(rows)
    groups_arr = np.asarray([str(g) for g in groups])
    TZ = _centre(T, groups_arr[rows], params.min_language_rows)
    R, D = TZ[: len(rep_idx)], TZ[len(rep_idx) :]
    k = int(centroids.shape[0])
    rep_theme = labels[rep_idx]
    sums = np.zeros((k, TZ.shape[1]))
    np.add.at(sums, rep_theme, R)
    counts = np.bincount(rep_theme, minlength=k)
    has = counts > 0
    C = _unit(sums)
    # each representative against its theme's centroid without itself: how close members are
    several = counts[rep_theme] > 1
    if not several.any():
        return labels, stats
    loo = _unit(sums[rep_theme[several]] - R[several])
    member_sim = np.einsum("ij,ij->i", R[several], loo)
    floor = max(params.min_floor, float(np.quantile(member_sim, params.floor_quantile)))
    stats.floor = round(floor, 4)
    S = D @ C.T
    S[:, ~has] = -np.inf
    best = S.argmax(axis=1)
    best_sim = S[np.arange(len(D)), best]
    current = labels[doubt]
    current_sim = np.where(current >= 0, S[np.arange(len(D)), np.maximum(current, 0)], -np.inf)
    unthemed = current < 0
    change = (best != current) & (best_sim >= floor)
    change &= unthemed | (best_sim >= current_sim + params.margin)
    labels[doubt[change]] = best[change]
    stats.assigned = int((change & unthemed).sum())
    stats.moved = int((change & ~unthemed).sum())
    return labels, stats
