"""Anchoring HDBSCAN: an anchored refit keeps the previous run's grouping where the new
clustering only re-cut it.

UMAP's partial labels (`anchor_weight`) keep old neighbourhoods together in the layout, but
HDBSCAN's excess-of-mass selection is unstable at the margin: with a few more rows (and
`min_cluster_size` growing with sqrt(n)) one theme comes back as two or three pieces that hold
nothing else, or two whole themes come back as one cluster. Either way the theme's id is lost
(member Jaccard below 0.5) although the data gave no new grouping, only a different cut. Seen on
the sample (weeks 1-12 -> 1-16, bench/stability.py): of 18 lost ids, 6 themes came back in clean
pieces, 11 inside a cluster that took two or more whole themes, 1 was regrouped.

After clustering, on the fit rows:

* **Re-joined splits.** Clusters whose older members come mostly (`majority`) from one previous
  theme and which are mostly older rows (so not a new theme forming from new tickets) are
  pieces of that theme: when it came back in two or more pieces, they are one cluster again,
  unless a piece stands clearly apart from the largest one in the centred space (its mean
  further from the largest piece's than the pieces' members typically are from their own mean,
  `separation` >= 1): then the data found a real sub-theme and win. On the sample the pieces
  were 0.46-0.91 apart; two topics HDBSCAN separates unanchored (tests) are 1.28 apart.
* **Undone merges.** A cluster that took most (`majority`) of two or more previous themes is cut
  back along them: older rows keep their previous theme, the others join the nearest part
  (cosine to the part's centroid). This keeps ids at a price: on the sample most such merges
  joined fragments of one true theme (often language fragments), so it is a separate switch.
* **Language merges kept** (`keep_language_merges`, opt-in). Swallowed previous themes that
  are language splits of one another (`merge_language_splits`' own criterion, on the older rows:
  languages do not overlap, mutual nearest, close enough) are not cut apart: the cluster is cut
  only between groups of such themes, and stays whole when they are all one group. Otherwise a
  theme the first fit cut by language stays cut on every anchored refit; with it the refit heals
  it and the tracker records one theme merged into the other (annotations carried over).

New tickets forming a theme of their own are never touched, nor are clusters mixing parts of
several themes (real regroupings): only clean re-cuts are reverted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from insights.themes.language_splits import merge_language_splits


@dataclass
class ReconcileStats:
    rejoined: int = 0  # previous themes whose pieces were joined again
    unmerged: int = 0  # clusters cut back into their previous themes
    language_kept: int = 0  # previous themes left merged with a language split of theirs


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def separation(Z: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Distance between the means of rows `a` and rows `b` over their typical (RMS) distance
    from their own mean: scale-free, below 1 the two groups overlap more than they stand apart."""
    ma, mb = Z[a].mean(axis=0), Z[b].mean(axis=0)
    spread = np.concatenate([((Z[a] - ma) ** 2).sum(axis=1), ((Z[b] - mb) ** 2).sum(axis=1)])
    return float(np.linalg.norm(ma - mb) / max(np.sqrt(spread.mean()), 1e-12))


def rejoin_splits(
    labels: np.ndarray,
    anchor: np.ndarray,
    Z: np.ndarray,
    majority: float = 0.5,
    apart: float = 1.0,
    min_part: int = 5,
) -> tuple[np.ndarray, int]:
    """Join clusters that are pieces of one previous theme (see the module doc) into its
    largest piece, unless a piece stands clearly apart from it (`separation` >= `apart`)."""
    out = labels.copy()
    older = anchor >= 0
    pieces: dict[int, list[int]] = {}
    for c in np.unique(labels[labels >= 0]):
        rows = labels == c
        if (rows & older).sum() < max(min_part, majority * rows.sum()):
            continue  # mostly new tickets: a theme forming, not a piece
        prev, counts = np.unique(anchor[rows & older], return_counts=True)
        best = int(np.argmax(counts))
        if counts[best] >= majority * (rows & older).sum():
            pieces.setdefault(int(prev[best]), []).append(int(c))
    joined = 0
    for parts in pieces.values():
        if len(parts) < 2:
            continue
        main = max(parts, key=lambda c: int((labels == c).sum()))
        close = [
            c for c in parts if c != main and separation(Z, labels == main, labels == c) < apart
        ]
        if close:
            joined += 1
            out[np.isin(labels, close)] = main
    return out, joined


def language_split_groups(
    anchor: np.ndarray, Z: np.ndarray, languages: Sequence[str]
) -> dict[int, int]:
    """Previous theme -> group: themes that are language splits of one another
    (`merge_language_splits` on the older rows, in this fit's space) share a group."""
    older = np.flatnonzero(anchor >= 0)
    langs = np.asarray([str(x) for x in languages])
    joined, _ = merge_language_splits(Z[older], anchor[older], langs[older])
    return {int(p): int(g) for p, g in zip(anchor[older], joined, strict=True)}


def undo_merges(
    labels: np.ndarray,
    anchor: np.ndarray,
    Z: np.ndarray,
    majority: float = 0.5,
    languages: Sequence[str] | None = None,
) -> tuple[np.ndarray, int, int]:
    """Cut clusters that swallowed two or more whole previous themes back along them: the
    labels, how many clusters were cut, and how many previous themes were left merged with a
    language split of theirs (only with `languages`: then the cut runs between groups of such
    themes, see `language_split_groups`)."""
    out = labels.copy()
    older = anchor >= 0
    prev_ids, prev_sizes = np.unique(anchor[older], return_counts=True)
    size_of = dict(zip(prev_ids.tolist(), prev_sizes.tolist(), strict=True))
    group_of: dict[int, int] | None = None
    next_label = int(labels.max()) + 1 if len(labels) else 0
    undone = kept = 0
    for c in np.unique(labels[labels >= 0]):
        rows = labels == c
        prev, counts = np.unique(anchor[rows & older], return_counts=True)
        whole = [
            int(p) for p, n in zip(prev, counts, strict=True) if n >= majority * size_of[int(p)]
        ]
        if len(whole) < 2:
            continue
        parts: list[list[int]] = [[p] for p in whole]
        if languages is not None:
            if group_of is None:
                group_of = language_split_groups(anchor, Z, languages)
            by_group: dict[int, list[int]] = {}
            for p in whole:
                by_group.setdefault(group_of[p], []).append(p)
            parts = list(by_group.values())
            kept += len(whole) - len(parts)
            if len(parts) < 2:
                continue
        cents = np.vstack([_unit(Z[rows & np.isin(anchor, ps)].mean(axis=0)) for ps in parts])
        undone += 1
        idx = np.flatnonzero(rows)
        kept_prev = np.isin(anchor[idx], whole)
        part = np.empty(len(idx), dtype=np.int64)
        lookup = {p: i for i, ps in enumerate(parts) for p in ps}
        part[kept_prev] = [lookup[int(a)] for a in anchor[idx][kept_prev]]
        rest = ~kept_prev
        if rest.any():
            part[rest] = (Z[idx[rest]] @ cents.T).argmax(axis=1)
        for i in range(1, len(parts)):
            out[idx[part == i]] = next_label
            next_label += 1
    return out, undone, kept


def reconcile(
    labels: np.ndarray,
    anchor: np.ndarray,
    Z: np.ndarray,
    splits: bool = True,
    merges: bool = True,
    majority: float = 0.5,
    languages: Sequence[str] | None = None,
) -> tuple[np.ndarray, ReconcileStats]:
    """The repairs switched on, splits first (a theme re-joined can then be seen whole).
    `languages` (each row's centering group): swallowed themes that are language splits of
    one another stay merged (`undo_merges`)."""
    out = np.asarray(labels, dtype=np.int64)
    anchor = np.asarray(anchor, dtype=np.int64)
    stats = ReconcileStats()
    if splits:
        out, stats.rejoined = rejoin_splits(out, anchor, Z, majority)
    if merges:
        out, stats.unmerged, stats.language_kept = undo_merges(out, anchor, Z, majority, languages)
    return out, stats
