"""Categories: a map above the themes (payouts, returns, logistics, ...) with stable ids.

Grouping
    Average-linkage agglomerative clustering of the theme centroids (cosine distance, in the
    centred space discovery works in, so languages do not form categories). The number of
    categories is read from the data: every cut of the tree from ``sqrt(n) / 2`` to
    ``2 sqrt(n)`` categories (a few for 20 themes, up to a few dozen for 200) is scored by the
    silhouette of the themes, and the best cut wins. Average linkage, because a category should
    be a set of themes that are close on average, neither a chain (single) nor forced into equal
    variance balls (Ward); cosine, because centroids are directions.

Second level
    Only where it helps: a category of at least ``sub_min_themes`` themes is cut again the same
    way, and the cut is kept only when its silhouette within the category reaches
    ``sub_min_silhouette`` (0.5) and no sub-group is a lone theme: clear sub-areas, not noise
    (jittered themes of one area score about 0.25 by splitting off an outlier; on bitext a 0.35
    threshold split the account category into 7 parts that matched its intents worse than the
    category did, see bench/README.md). Sub-categories get ids like categories and point at
    their parent.

Titles
    Class-based TF-IDF (``label.c_tf_idf``) over categories, each category's "document" being its
    themes' keywords and their words, weighted by theme volume and keyword rank: words shared by
    the category's big themes and rare in other categories. The title joins up to three such terms that share
    no word, as theme titles do.

Stable ids
    The new categories are matched to the previous run's with the theme tracker
    (``track.match_clusters``: centroid similarity plus overlap of member theme ids, one-to-one),
    so a category keeps its id while its themes change; unmatched ones get fresh ids from
    ``next_id``.

Human edits win
    ``titles`` (category id -> title a person gave) replaces the machine title for as long as the
    id lives; ``pins`` (theme id -> category id a person moved it to) puts the theme there on
    every run, re-creating that category if the clustering no longer has it. Pinned themes are
    left out of the overlap used for matching, so a move by hand cannot steer the ids.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from insights.themes.track import PreviousTheme, TrackParams, match_clusters


@dataclass
class CategoryParams:
    """Knobs of the grouping. ``k_low`` / ``k_high`` scale the searched range with sqrt(n)."""

    k_low: float = 0.5
    k_high: float = 2.0
    max_categories: int = 40
    min_themes: int = 4  # fewer themes: one category holds them all
    sub_min_themes: int = 10
    sub_min_silhouette: float = 0.5
    sub_min_size: int = 2  # a "sub-category" of one theme is an outlier, not a sub-area
    title_keywords: int = 8  # keywords per theme that feed the title
    track: TrackParams = field(default_factory=TrackParams)


@dataclass
class ThemeInfo:
    """What categorisation needs of a theme (from its latest snapshot)."""

    theme_id: int
    centroid: np.ndarray
    keywords: Sequence[str]
    volume: int


@dataclass
class PreviousCategory:
    """A category of the previous run, with the themes it held (pins included)."""

    category_id: int
    centroid: np.ndarray
    theme_ids: set[int]
    parent_id: int | None = None


@dataclass
class Category:
    """One category; ``title`` is the human title when there is one, else ``machine_title``."""

    category_id: int
    title: str
    machine_title: str
    title_by_human: bool
    theme_ids: list[int]
    volume: int
    keywords: list[str]
    centroid: np.ndarray
    parent_id: int | None = None
    pinned_theme_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI contract plus the parent (None for a top-level category)."""
        return {
            "category_id": self.category_id,
            "title": self.title,
            "theme_ids": list(self.theme_ids),
            "volume": self.volume,
            "parent_id": self.parent_id,
        }


@dataclass
class CategoryResult:
    """Categories (top level first, each by volume) and what happened to the previous ones."""

    categories: list[Category]
    events: list[tuple[str, int, int | None]]  # (continued|new|split|merged|retired, id, related)
    cut: dict[str, float]  # how the number of categories was chosen
    stale_pins: list[int] = field(default_factory=list)  # pinned theme ids no longer present

    def category_of(self) -> dict[int, int]:
        """theme id -> top-level category id."""
        return {
            t: c.category_id for c in self.categories if c.parent_id is None for t in c.theme_ids
        }


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def cut_tree(centroids: np.ndarray, params: CategoryParams) -> tuple[np.ndarray, dict[str, float]]:
    """Labels 0..k-1 of the best silhouette cut of the average-linkage tree (module doc)."""
    # imported here: the app reads categories through this module and needs none of these
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import pdist, squareform
    from sklearn.metrics import silhouette_score

    n = len(centroids)
    if n < params.min_themes:
        return np.zeros(n, dtype=np.int64), {"k": float(min(n, 1)), "silhouette": float("nan")}
    dist = np.clip(pdist(_normalise(centroids.astype(np.float64)), metric="cosine"), 0, 2)
    tree = linkage(dist, method="average")
    square = squareform(dist)
    lo = max(2, math.floor(params.k_low * math.sqrt(n)))
    hi = min(n - 1, params.max_categories, math.ceil(params.k_high * math.sqrt(n)))
    best: tuple[float, np.ndarray] | None = None
    for k in range(lo, max(lo, hi) + 1):
        labels = fcluster(tree, t=k, criterion="maxclust")
        if len(set(labels.tolist())) < 2 or len(set(labels.tolist())) >= n:
            continue
        score = float(silhouette_score(square, labels, metric="precomputed"))
        if best is None or score > best[0] + 1e-12:
            best = (score, labels)
    if best is None:
        return np.zeros(n, dtype=np.int64), {"k": 1.0, "silhouette": float("nan")}
    _, uniq = np.unique(best[1], return_inverse=True)
    return uniq.astype(np.int64), {"k": float(uniq.max() + 1), "silhouette": best[0]}


def _centroid(themes: Sequence[ThemeInfo], idx: Sequence[int]) -> np.ndarray:
    w = np.array([max(themes[i].volume, 1) for i in idx], dtype=np.float64)
    vecs = np.vstack([_normalise(np.asarray(themes[i].centroid, np.float64)) for i in idx])
    return _normalise((w[:, None] * vecs).sum(axis=0)).astype(np.float32)


def category_titles(
    themes: Sequence[ThemeInfo], groups: Sequence[Sequence[int]], top_keywords: int = 8
) -> list[tuple[str, list[str]]]:
    """(title, keywords) per group of theme indices, from c-TF-IDF over the groups.

    A term's weight in a group is the volume of the group's themes that use it (as a keyword,
    or as a word of a keyword phrase, discounted by rank), so a word many big themes share
    ("account") beats a word of one theme ("freemium").
    """
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for g, idx in enumerate(groups):
        for i in idx:
            weight: dict[str, float] = {}
            for rank, term in enumerate(list(themes[i].keywords)[:top_keywords]):
                term = str(term).strip().lower()
                discount = 1.0 / (1.0 + rank / 4.0)
                for t in {term, *term.split()} if term else ():
                    weight[t] = max(weight.get(t, 0.0), discount)
            for term, w in weight.items():
                rows.append(g)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(max(themes[i].volume, 1) * w)
    if not vocab:
        return [("", []) for _ in groups]
    import scipy.sparse as sp

    from insights.themes.label import _title, c_tf_idf

    counts = sp.csr_matrix((vals, (rows, cols)), shape=(len(groups), len(vocab)))
    weights = c_tf_idf(counts).toarray()
    terms = np.array(list(vocab), dtype=object)
    parts = {t: tuple(t.split()) for t in vocab}
    out = []
    for g in range(len(groups)):
        order = np.argsort(-weights[g], kind="stable")
        ranked = [str(terms[j]) for j in order if weights[g, j] > 0][:20]
        out.append((_title(ranked, parts), ranked[:10]))
    return out


def build_categories(
    themes: Sequence[ThemeInfo],
    previous: Sequence[PreviousCategory] = (),
    *,
    pins: Mapping[int, int] | None = None,
    titles: Mapping[int, str] | None = None,
    next_id: int = 1,
    params: CategoryParams | None = None,
) -> CategoryResult:
    """Categories of ``themes`` with ids carried over from ``previous`` (see module doc).

    ``next_id``: the first id a new category may take (one above every id ever issued, so a
    retired id is never reused). ``pins`` / ``titles``: human edits, keyed by stable ids.
    """
    params = params or CategoryParams()
    pins = dict(pins or {})
    titles = dict(titles or {})
    present = {t.theme_id for t in themes}
    stale = sorted(t for t in pins if t not in present)
    pins = {t: c for t, c in pins.items() if t in present}
    if not themes:
        events = [("retired", p.category_id, None) for p in previous if p.parent_id is None]
        return CategoryResult([], events, {"k": 0.0, "silhouette": float("nan")}, stale)
    X = np.vstack([np.asarray(t.centroid, dtype=np.float64) for t in themes])
    labels, cut = cut_tree(X, params)
    groups = [list(np.flatnonzero(labels == g)) for g in range(int(labels.max()) + 1)]

    tops = [p for p in previous if p.parent_id is None]
    ids, events, next_id = _match(themes, groups, tops, pins, next_id, params)
    members: dict[int, list[int]] = {cid: list(g) for cid, g in zip(ids, groups, strict=True)}
    pos = {t.theme_id: i for i, t in enumerate(themes)}
    for tid, cid in pins.items():  # human moves win over the clustering
        for idx in members.values():
            if pos[tid] in idx:
                idx.remove(pos[tid])
        members.setdefault(cid, []).append(pos[tid])
        next_id = max(next_id, cid + 1)
    members = {cid: idx for cid, idx in members.items() if idx}
    live = set(members)
    events = [e for e in events if not (e[0] == "new" and e[1] not in live)]
    events += [("retired", cid, None) for cid in ids if cid not in live and cid in _ids(tops)]
    events += [("restored", cid, None) for cid in live if cid not in ids and cid in pins.values()]

    cats = _make(themes, members, pins, titles, None)
    cats.sort(key=lambda c: (-c.volume, c.category_id))
    subs: list[Category] = []
    for cat in cats:
        got, next_id = _subcategories(themes, cat, previous, pins, titles, next_id, params)
        subs.extend(got)
    return CategoryResult(cats + subs, events, cut, stale)


def _ids(cats: Sequence[PreviousCategory]) -> set[int]:
    return {c.category_id for c in cats}


def _match(
    themes: Sequence[ThemeInfo],
    groups: Sequence[Sequence[int]],
    previous: Sequence[PreviousCategory],
    pins: Mapping[int, int],
    next_id: int,
    params: CategoryParams,
) -> tuple[list[int], list[tuple[str, int, int | None]], int]:
    """An id per group (carried over or fresh) and the lifecycle events, via the theme tracker."""
    free = [{themes[i].theme_id for i in g} - set(pins) for g in groups]
    old = [
        PreviousTheme(
            p.category_id, _normalise(np.asarray(p.centroid, np.float64)), p.theme_ids - set(pins)
        )
        for p in previous
    ]
    seen = set().union(*(p.theme_ids for p in previous)) if previous else set()
    centroids = np.vstack([_centroid(themes, g) for g in groups]).astype(np.float64)
    tracked = match_clusters(old, centroids, free, seen, params.track)
    ids: list[int] = []
    for j in range(len(groups)):
        cid = tracked.theme_for_cluster[j]
        if cid is None:
            cid = next_id
            next_id += 1
        ids.append(int(cid))
    events: list[tuple[str, int, int | None]] = []
    for event, old_id, cluster, related in tracked.events:
        if event in ("new", "split"):
            events.append((event, ids[cluster], related))
        elif event == "continued":
            events.append((event, int(old_id), None))
        elif event == "merged":
            events.append((event, int(old_id), related))
        else:
            events.append((event, int(old_id), None))
    return ids, events, next_id


def _make(
    themes: Sequence[ThemeInfo],
    members: Mapping[int, list[int]],
    pins: Mapping[int, int],
    titles: Mapping[int, str],
    parent: int | None,
) -> list[Category]:
    order = list(members)
    named = category_titles(themes, [members[c] for c in order])
    out = []
    for cid, (machine, keywords) in zip(order, named, strict=True):
        idx = sorted(members[cid], key=lambda i: (-themes[i].volume, themes[i].theme_id))
        human = titles.get(cid, "").strip()
        tids = [themes[i].theme_id for i in idx]
        out.append(
            Category(
                category_id=cid,
                title=human or machine or f"Category {cid}",
                machine_title=machine or f"Category {cid}",
                title_by_human=bool(human),
                theme_ids=tids,
                volume=int(sum(themes[i].volume for i in idx)),
                keywords=keywords,
                centroid=_centroid(themes, idx),
                parent_id=parent,
                pinned_theme_ids=[t for t in tids if pins.get(t) == cid],
            )
        )
    return out


def _subcategories(
    themes: Sequence[ThemeInfo],
    cat: Category,
    previous: Sequence[PreviousCategory],
    pins: Mapping[int, int],
    titles: Mapping[int, str],
    next_id: int,
    params: CategoryParams,
) -> tuple[list[Category], int]:
    """Second-level categories of one category, when its themes form clear sub-groups."""
    if len(cat.theme_ids) < params.sub_min_themes:
        return [], next_id
    pos = {t.theme_id: i for i, t in enumerate(themes)}
    idx = [pos[t] for t in cat.theme_ids]
    X = np.vstack([np.asarray(themes[i].centroid, dtype=np.float64) for i in idx])
    labels, cut = cut_tree(X, params)
    if cut["k"] < 2 or not cut["silhouette"] >= params.sub_min_silhouette:
        return [], next_id
    groups = [[idx[j] for j in np.flatnonzero(labels == g)] for g in range(int(labels.max()) + 1)]
    if min(len(g) for g in groups) < params.sub_min_size:
        return [], next_id
    prev = [p for p in previous if p.parent_id == cat.category_id]
    ids, _, next_id = _match(themes, groups, prev, {}, next_id, params)
    subs = _make(themes, dict(zip(ids, groups, strict=True)), {}, titles, cat.category_id)
    subs.sort(key=lambda c: (-c.volume, c.category_id))
    return subs, next_id
