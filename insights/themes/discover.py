"""Theme discovery: per-language centering -> UMAP (cosine) -> HDBSCAN -> outlier reassignment.

Why each step:

* **Per-language centering.** Multilingual e5 vectors carry a strong language component: without
  it removed, clusters form by language (ARI 0.37 -> 0.99 on marketplace_concepts). Each
  language's mean vector is subtracted and the rows re-normalised. Languages with fewer than
  `min_language_rows` rows have too noisy a mean: they are centred with the global mean.
* **UMAP** (cosine, `min_dist=0`) to a few dimensions, seeded: HDBSCAN's density estimates work
  poorly in 384 dimensions. Up to 20,000 fit rows (the default fit sample) its neighbour graph
  is exact, by matrix products (`neighbours.py`: no per-process NNDescent compile); above, UMAP's
  approximate search is forced (umap-learn's own exact path is 3x slower).
* **HDBSCAN** finds the dense groups and leaves the rest as noise.
* **Self-training** (`adapt_rounds`, see `adapt.py`; on by default, `INSIGHTS_SELF_TRAINING=false`
  or `adapt_rounds=0` gives the single pass).
  The first clustering's themes act as pseudo-labels for a discriminant projection of the centred vectors
  (LDA, at most `adapt_dims` directions); UMAP + HDBSCAN then run again on the centred vector
  joined with its projection (equal weight: the projection sharpens boundaries between themes,
  the vector keeps what the first clustering did not see). Themes are denser there, and how
  coarse the second HDBSCAN should cut is chosen from the data: it runs at each of
  `adapt_size_factors` times the minimum cluster size on each of `adapt_layouts` UMAP layouts
  (different seeds), and the clustering with the highest cosine silhouette in the centred space
  (on a seeded subsample of `silhouette_rows`) is kept. Intent sets differ here (banking77
  wants the finer cut, bitext's 27 coarse intents the coarsest, no one constant suits both);
  a second layout removed the seed dependence of bitext's cut (bench/README.md, issue 18,
  "Second round"). What it costs (issue 18, "Third round"): the first pass only teaches the
  projection, so its layout runs `first_epochs`; the adapted layouts share one neighbour
  graph and one spectral embedding and differ by their optimisation's seed, `adapt_epochs`
  each (a spectral start is what bitext's coarse cut needs: starting from the first pass's
  layout or from PCA kept its fragments). On an anchored refit the previous run's themes are the pseudo-labels (no
  first pass: cheaper, and the space the old themes were found in comes back). Centroids,
  reassignment and `predict` stay in the centred space (nothing new to store).
* **Language splits merged** (`language_splits.py`): two themes that share no language and are
  not apart in topic are one pain point cut by what centering left of the language component.
* **Outlier reassignment.** Noise rows join their nearest centroid (cosine, in the centred space)
  when the similarity reaches a floor, the rest stay unthemed (-1). By default the floor adapts
  to the data: a low quantile of the similarities HDBSCAN's own members have to their centroid
  (so a reassigned row is about as close as a typical member), never below `min_floor`.
* **Anchoring on the previous run.** A full rerun passes each ticket's previous theme (or -1) as a
  partial label to UMAP (semi-supervised, `anchor_weight` = UMAP's `target_weight`). Tickets
  already themed keep their neighbourhoods, so HDBSCAN finds the same groups again and theme ids
  stay stable, while new tickets are unlabelled and free to form new themes; when the data
  disagree with the old grouping strongly enough the data still win. 0 turns it off.
  HDBSCAN is anchored too (`reconcile.py`): where the new clustering only re-cut a previous
  theme (pieces that hold nothing else, or whole themes swallowed by one cluster) the previous
  grouping is kept; new tickets forming a theme and real regroupings are left alone.
* **Size scaling.** `min_cluster_size` grows with sqrt(n), `n_neighbors` with log(n); above
  `fit_sample` rows the fit runs on a seeded sample and the other rows are assigned with
  `predict` (nearest centroid within the floor).

Centering groups are languages, except that Vietnamese typed without its diacritics (a common
informal way to write it) is its own group, `vi-ascii`: e5 embeds it far from accented
Vietnamese, so with one Vietnamese mean those tickets formed a theme of their own by
orthography (seen on the sample: 185 such tickets in one "Minh / hang / ma" theme).

`predict` centres new rows with the language means of the fit. A language unseen in the fit
is centred with its own mean when the batch has at least `min_language_rows` rows of it,
otherwise with the global mean of the fit.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from insights.themes.language_splits import group_sums, merge_language_splits
from insights.themes.reconcile import reconcile

GLOBAL = "__global__"
#: languages whose text without any diacritics is a distinct orthography (own centering group)
ASCII_VARIANT_LANGUAGES = frozenset({"vi"})
ASCII_SHARE = 0.75  # share of words without a non-ASCII letter; accented Vietnamese has ~0.3
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class DiscoveryParams:
    """Discovery settings; `None` means "scale with the number of rows" (see `resolve`)."""

    seed: int = 42
    center_languages: bool = True
    min_language_rows: int = 10  # fewer rows: centred with the global mean
    n_neighbors: int | None = None  # UMAP; default 2 ln(n) within [10, 30]
    n_components: int = 5  # UMAP output dimensions
    min_dist: float = 0.0
    umap_metric: str = "cosine"
    # layout epochs at every size (None: umap-learn's own, 500 below 10,000 rows, 200 above).
    # 200 gives the same V-measure within seed noise and saves ~3 s of a small refresh; with
    # HDBSCAN anchored too (reconcile.py) anchored refits keep as many theme ids or more
    # (bench/README.md, "UMAP layout epochs")
    umap_epochs: int | None = 200
    min_cluster_size: int | None = None  # HDBSCAN; default sqrt(n) / 3.5, at least 5
    min_samples: int | None = None  # HDBSCAN; default min(min_cluster_size, 5)
    cluster_selection_method: str = "eom"
    reassign_floor: float | None = None  # cosine floor; None: adaptive (see module doc)
    floor_quantile: float = 0.01  # adaptive floor: this quantile of member similarities
    min_floor: float = 0.2  # the adaptive floor never goes below this
    fit_sample: int = 20000  # above this many rows fit on a seeded sample, assign the rest
    min_rows: int = 20  # fewer rows: everything unthemed
    anchor_weight: float = 0.5  # UMAP target_weight for the previous run's themes; 0: off
    # self-training rounds (LDA on the themes found, cluster again in the joined space); 0: the
    # single pass (INSIGHTS_SELF_TRAINING=false). The default, as in the product: it lifts V
    # on every benchmark set (bench/README.md, issue 18); with the
    # shared graph and shorter layouts below it costs 1.6-2.1x plain's CPU at 50,000 tickets
    # (three UMAP passes took 4.1x)
    adapt_rounds: int = 1
    core_quantile: float = 0.0  # members below this quantile of centroid similarity do not teach
    adapt_dims: int = 32  # at most this many discriminant directions (k - 1 when fewer themes)
    # min_cluster_size factors tried in the adapted space (one UMAP, one HDBSCAN each); the
    # clustering with the highest silhouette (cosine, centred space) is kept. One factor: fixed
    adapt_size_factors: tuple[float, ...] = (0.75, 1.0, 1.5, 2.0, 3.0)
    silhouette_rows: int = 3000  # seeded subsample the silhouette is computed on
    # UMAP layouts of the adapted space (seeds seed, seed + 1000, ...): the silhouette chooses
    # among all layouts x size factors (one layout's cut of bitext varied 0.775-0.799 by seed)
    adapt_layouts: int = 2
    # layout epochs of the adapted layouts on a first fit (None: umap_epochs; refits: see
    # refit_epochs) and of the first pass, whose layout only teaches the projection: with the
    # shared graph and spectral start they halve the cost at the same V-measure within seed
    # noise (bench/README.md, issue 18, "Third round")
    adapt_epochs: int | None = 60
    first_epochs: int | None = 100
    # layout epochs of an anchored refit's layouts (None: umap_epochs), which then start from
    # one spectral embedding of the anchored graph (None: each its own). 60: a refit 4-5x
    # cheaper with ids kept as well or better (bench/README.md, "The fixed cost of a refresh")
    refit_epochs: int | None = 60
    # on an anchored refit choose the cut (layout x size) that agrees best with the previous
    # themes (ARI over the previously themed rows) instead of by silhouette: the first fit chose
    # the granularity from the data, refits keep it. Self-training refits only; on the sample
    # at seed 1 ids kept 34/36 = 0.944 -> 36/36, V unchanged, no other set lower
    # (bench/README.md, "Theme-id stability")
    refit_keeps_granularity: bool = True
    merge_language_splits: bool = True  # one topic cut into themes by language: merged back
    # anchored refits: a previous theme that came back in pieces holding nothing else is one
    # theme again; a cluster that swallowed whole previous themes is cut back along them
    # (reconcile.py; theme-id stability, bench/README.md)
    rejoin_splits: bool = True
    undo_merges: bool = True
    # ... except where the swallowed themes are language splits of one another (the criterion
    # of merge_language_splits): those stay merged, the tracker records the merge. Opt-in: ids
    # kept 0.967 / 0.923 (seed 1) against 0.984 / 0.962 on the sample, every theme's id or
    # lineage kept either way (bench/README.md, theme-id stability)
    keep_language_merges: bool = False

    @classmethod
    def before_adaptation(cls, **overrides: Any) -> DiscoveryParams:
        """The configuration before issue 18 (no self-training, no language-split merging),
        kept reachable for benchmarks."""
        return cls(
            **({"adapt_rounds": 0, "merge_language_splits": False, "umap_epochs": None} | overrides)
        )

    @classmethod
    def adapted_fixed(cls, **overrides: Any) -> DiscoveryParams:
        """One self-training round at a fixed 1.5 x min_cluster_size (the opt-in variant of
        2026-12-02, before the granularity was chosen by silhouette), for benchmarks."""
        fixed = {"adapt_rounds": 1, "adapt_size_factors": (1.5,), "adapt_layouts": 1}
        return cls(**(fixed | overrides))

    def resolve(self, n: int) -> dict[str, Any]:
        """Effective parameters for `n` fit rows."""
        mcs = self.min_cluster_size or max(5, round(math.sqrt(n) / 3.5))
        nn = self.n_neighbors or int(min(30, max(10, round(2 * math.log(max(n, 2))))))
        out = asdict(self)
        out.update(
            n_neighbors=max(2, min(nn, n - 1)),
            min_cluster_size=max(2, mcs),
            min_samples=self.min_samples or min(mcs, 5),
        )
        return out


@dataclass
class FitState:
    """What a fit learned besides its themes, needed to assign new rows later exactly as the fit
    would have: the centring means per group and the similarity floor (centroids belong to the
    themes and are stored with them). Stored by the run ledger in its own tables."""

    params: DiscoveryParams
    language_means: dict[str, np.ndarray]
    floor: float


@dataclass
class DiscoveryResult:
    labels: np.ndarray  # int, -1 = unthemed, themes 0..k-1 by size descending
    similarity: np.ndarray  # cosine to own centroid (centred space), 0 for unthemed
    centroids: np.ndarray  # (k, dim) float32, L2-normalised, centred space
    language_means: dict[str, np.ndarray]
    unthemed_share: float
    params_used: dict[str, Any] = field(default_factory=dict)
    n_fit: int = 0

    @property
    def n_themes(self) -> int:
        return int(self.centroids.shape[0])


#: rows per block where a whole-store operation would otherwise make full-size temporaries
#: (a million 384-d float32 rows are 1.5 GB: one copy too many breaks the memory target)
BLOCK = 65536


def member_similarity(Z: np.ndarray, labels: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each themed row's cosine similarity to its theme's centroid (0 for unthemed rows),
    by block: no store-sized temporaries."""
    sim = np.zeros(len(labels), np.float32)
    rows = np.flatnonzero(labels >= 0)
    for start in range(0, len(rows), BLOCK):
        part = rows[start : start + BLOCK]
        rows_part = Z[part].astype(np.float32, copy=False)
        sim[part] = np.einsum("ij,ij->i", rows_part, centroids[labels[part]])
    return sim


def _normalise(x: np.ndarray, inplace: bool = False) -> np.ndarray:
    """Rows scaled to unit length; `inplace` (float32 or float16 input) scales `x` itself,
    block by block (computed in float32)."""
    if not inplace:
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return (x / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return _by_block(x, lambda block, start: block)


def _by_block(x: np.ndarray, change: Callable[[np.ndarray, int], np.ndarray]) -> np.ndarray:
    """`x` changed in place block by block by `change(float32 block, its first row)`, each row
    then scaled to unit length; a float16 `x` (a large store's vectors, `jobs.refresh`) is
    computed in float32 one block at a time and stored back."""
    for start in range(0, len(x), BLOCK):
        block = x[start : start + BLOCK]
        work = change(block.astype(np.float32, copy=False), start)
        work /= np.maximum(np.linalg.norm(work, axis=1, keepdims=True), 1e-12)
        if work is not block:
            block[...] = work
    return x


def _group_index(languages: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct groups (sorted), each row's group index and each group's row count."""
    langs = np.asarray([str(x) for x in languages])
    values, index, counts = np.unique(langs, return_inverse=True, return_counts=True)
    return values, index.reshape(-1), counts


def centering_groups(texts: Sequence[str], languages: Sequence[str]) -> list[str]:
    """The group each row is centred with: its language, or `<lang>-ascii` (see module doc)."""
    out = []
    for text, lang in zip(texts, languages, strict=True):
        lang = str(lang)
        if lang in ASCII_VARIANT_LANGUAGES:
            words = _WORD.findall(text)
            if words and sum(w.isascii() for w in words) / len(words) >= ASCII_SHARE:
                lang = f"{lang}-ascii"
        out.append(lang)
    return out


def _group_means(X: np.ndarray, index: np.ndarray, n_groups: int) -> np.ndarray:
    """Each group's mean row, summed block by block: `X[index == g]` would copy the largest
    language's rows (a third of a million-ticket store, ~0.5 GB)."""
    sums = np.zeros((n_groups, X.shape[1]))
    for start in range(0, len(X), BLOCK):
        sums += group_sums(X[start : start + BLOCK], index[start : start + BLOCK], n_groups)
    counts = np.bincount(index, minlength=n_groups)
    return (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)


def language_means(X: np.ndarray, languages: Sequence[str], min_rows: int) -> dict[str, np.ndarray]:
    """Mean vector per language with at least `min_rows` rows, plus the global mean."""
    values, index, counts = _group_index(languages)
    group_means = _group_means(X, index, len(values))
    total = (group_means.astype(np.float64) * counts[:, None]).sum(axis=0) / max(len(X), 1)
    means = {GLOBAL: total.astype(np.float32)}
    for g, (lang, count) in enumerate(zip(values, counts, strict=True)):
        if count >= min_rows:
            means[str(lang)] = group_means[g]
    return means


def center(
    X: np.ndarray,
    languages: Sequence[str],
    means: dict[str, np.ndarray],
    min_rows: int,
    copy: bool = True,
) -> np.ndarray:
    """Subtract each row's language mean and re-normalise (rules in the module doc).

    `copy=False` centres a float32 or float16 `X` in place (no second matrix the size of the
    store)."""
    values, index, counts = _group_index(languages)
    chosen = np.zeros((len(values), X.shape[1] if X.ndim == 2 else 0), np.float32)
    own = None
    for g, (lang, count) in enumerate(zip(values, counts, strict=True)):
        if lang in means:
            chosen[g] = means[lang]
        elif count >= min_rows:  # unseen in the fit but enough rows to estimate its own mean
            own = _group_means(X, index, len(values)) if own is None else own
            chosen[g] = own[g]
        else:
            chosen[g] = means[GLOBAL]
    in_place = not copy and X.dtype in (np.float32, np.float16)
    out = X if in_place else X.astype(np.float32)

    def centred(block: np.ndarray, start: int) -> np.ndarray:
        block -= chosen[index[start : start + len(block)]]
        return block

    return _by_block(out, centred)


class ThemeDiscoverer:
    """scikit-learn style: `fit(X, languages)` finds themes, `predict(X, languages)` assigns rows."""

    def __init__(self, params: DiscoveryParams | None = None) -> None:
        self.params = params or DiscoveryParams()
        self.language_means_: dict[str, np.ndarray] = {}
        self.centroids_: np.ndarray | None = None
        self.floor_: float = 1.0

    # -- fit ---------------------------------------------------------------------------------
    def fit(
        self,
        X: np.ndarray,
        languages: Sequence[str],
        anchor: np.ndarray | None = None,
        copy: bool = True,
    ) -> DiscoveryResult:
        """`anchor`: each row's theme in the previous run (any int id, -1 = none or new).
        `copy=False`: centre a float32 or float16 `X` in place (X then holds the centred
        rows, which the caller can use instead of centring again: one store-sized matrix, not
        three). The fit itself always computes in float32."""
        X = np.asarray(X)
        if X.dtype != np.float16:
            X = X.astype(np.float32, copy=False)
        n, dim = X.shape if X.ndim == 2 else (0, 0)
        if len(languages) != n:
            raise ValueError(f"{n} vectors but {len(languages)} languages")
        p = self.params
        langs = [str(x) for x in languages]
        if p.center_languages and n:
            self.language_means_ = language_means(X, langs, p.min_language_rows)
            Z = center(X, langs, self.language_means_, p.min_language_rows, copy=copy)
        else:
            self.language_means_ = {GLOBAL: np.zeros(dim, np.float32)}
            Z = _normalise(X, inplace=not copy) if n else X

        if n < p.min_rows:
            self.centroids_ = np.zeros((0, dim), np.float32)
            self.floor_ = 1.0
            params_used = asdict(p) | {"reason": f"fewer than {p.min_rows} rows"}
            return DiscoveryResult(
                labels=np.full(n, -1, dtype=np.int64),
                similarity=np.zeros(n, np.float32),
                centroids=self.centroids_,
                language_means=self.language_means_,
                unthemed_share=1.0 if n else 0.0,
                params_used=params_used,
                n_fit=n,
            )

        rng = np.random.default_rng(p.seed)
        if n > p.fit_sample:
            fit_idx = np.sort(rng.choice(n, size=p.fit_sample, replace=False))
        else:
            fit_idx = np.arange(n)
        used = p.resolve(len(fit_idx))
        anchor_fit = None
        if anchor is not None and p.anchor_weight > 0:
            anchor_fit = np.asarray(anchor, dtype=np.int64)[fit_idx]
            if not (anchor_fit >= 0).any():
                anchor_fit = None
        used["anchored_rows"] = int((anchor_fit >= 0).sum()) if anchor_fit is not None else 0
        Z_fit = Z[fit_idx].astype(np.float32, copy=False)
        raw = self._cluster(Z_fit, used, [langs[i] for i in fit_idx], anchor_fit)
        if anchor_fit is not None:
            keep = p.keep_language_merges and p.merge_language_splits
            raw, stats = reconcile(
                raw,
                anchor_fit,
                Z_fit,
                splits=p.rejoin_splits,
                merges=p.undo_merges,
                languages=[langs[i] for i in fit_idx] if keep else None,
            )
            used["rejoined_splits"], used["undone_merges"] = stats.rejoined, stats.unmerged
            used["language_merges_kept"] = stats.language_kept
        labels_fit, floor = self._finish(Z_fit, raw, used)

        labels = np.full(n, -1, dtype=np.int64)
        labels[fit_idx] = labels_fit
        if len(fit_idx) < n:
            rest = np.setdiff1d(np.arange(n), fit_idx)
            for start in range(0, len(rest), BLOCK):  # Z[rest] whole would copy the store
                part = rest[start : start + BLOCK]
                labels[part], _ = self._assign(Z[part])
        similarity = self._similarity(Z, labels)
        used["reassign_floor_effective"] = floor
        return DiscoveryResult(
            labels=labels,
            similarity=similarity,
            centroids=self.centroids_,
            language_means=self.language_means_,
            unthemed_share=float(np.mean(labels < 0)),
            params_used=used,
            n_fit=len(fit_idx),
        )

    def _cluster(
        self,
        Z: np.ndarray,
        used: dict[str, Any],
        groups: Sequence[str],
        anchor: np.ndarray | None = None,
    ) -> np.ndarray:
        from insights.themes.adapt import discriminant_space

        used["adapted_dims"] = []
        used["language_merges"] = 0

        def merged(raw: np.ndarray) -> np.ndarray:
            if not used["merge_language_splits"]:
                return raw
            raw, merges = merge_language_splits(Z, raw, groups)
            used["language_merges"] += merges
            return raw

        if anchor is not None and used["adapt_rounds"] > 0:
            # A refit: the previous run's themes are the pseudo-labels (no first pass), so the
            # adapted space is the one those themes were found in and they come back.
            raw = anchor_labels = np.asarray(anchor, dtype=np.int64)
        else:
            anchor_labels = None
            first = used
            if used["adapt_rounds"] > 0 and used["first_epochs"] is not None:
                first = used | {"umap_epochs": used["first_epochs"]}
            raw = merged(self._hdbscan(self._umap(Z, first, anchor), used))
        for _ in range(used["adapt_rounds"]):
            W = discriminant_space(Z, raw, used["core_quantile"], used["adapt_dims"])
            if W is None:
                if raw is anchor_labels:  # the previous run taught nothing: plain clustering
                    raw = merged(self._umap_hdbscan(Z, used, anchor))
                break
            used["adapted_dims"].append(int(W.shape[1]))
            joined = np.hstack([Z, W]) / np.float32(np.sqrt(2.0))
            raw = self._granular(Z, joined, used, groups, anchor)
        return raw

    def _granular(
        self,
        Z: np.ndarray,
        space: np.ndarray,
        used: dict[str, Any],
        groups: Sequence[str],
        anchor: np.ndarray | None,
    ) -> np.ndarray:
        """HDBSCAN on `adapt_layouts` UMAP layouts of `space` (seeds differ) at each size factor;
        the clustering with the highest silhouette in the centred space `Z` (module doc).
        Layouts start from one spectral embedding of `space` (starting from the first pass's
        layout or from PCA kept bitext's fragments: bench/README.md, issue 18, third round)."""
        from sklearn.metrics import adjusted_rand_score

        from insights.themes.adapt import row_distances, silhouette

        anchored = None
        if anchor is not None and used["refit_keeps_granularity"]:
            anchored = np.flatnonzero(anchor >= 0)
        rng = np.random.default_rng(used["seed"])
        rows = np.sort(rng.choice(len(Z), size=min(len(Z), used["silhouette_rows"]), replace=False))
        distances = row_distances(Z, rows)
        best, best_score, best_merges, tried = None, -np.inf, 0, {}
        init: np.ndarray | None = None
        knn: list[tuple[np.ndarray, np.ndarray]] = []  # the adapted space's graph, built once
        shared_start = anchor is None or used["refit_epochs"] is not None
        if shared_start and used["adapt_layouts"] > 1 and len(Z) > 100:
            # one spectral embedding of the adapted graph starts every layout (a spectral step
            # costs about a third of a layout); the layouts differ by their optimisation's seed
            init = self._umap(space, used | {"umap_epochs": 0}, anchor, None, knn)
        sizes = sorted(
            {max(2, round(used["min_cluster_size"] * f)) for f in used["adapt_size_factors"]}
        )
        for layout in range(max(1, used["adapt_layouts"])):
            params = used | {"seed": used["seed"] + 1000 * layout}
            if used["adapt_epochs"] is not None and anchor is None:
                params["umap_epochs"] = used["adapt_epochs"]
            elif used["refit_epochs"] is not None and anchor is not None:
                params["umap_epochs"] = used["refit_epochs"]
            Y = self._umap(space, params, anchor, init, knn)
            for size, raw in zip(sizes, self._hdbscan_cuts(Y, used, sizes), strict=True):
                merges = 0
                if used["merge_language_splits"]:
                    raw, merges = merge_language_splits(Z, raw, groups)
                score = tried[layout, size] = silhouette(Z, raw, rows, distances)
                if anchored is not None:  # a refit: the cut that gives the previous themes back
                    score = adjusted_rand_score(anchor[anchored], raw[anchored])
                if score > best_score:
                    best, best_score, best_merges = raw, score, merges
                    used["adapted_min_cluster_size"] = size
                    used["adapted_layout"] = layout
        used["language_merges"] += best_merges
        used["adapted_silhouettes"] = {
            f"{lay}/{size}": round(v, 4) for (lay, size), v in tried.items()
        }
        return best

    @staticmethod
    def _umap_hdbscan(
        Z: np.ndarray, used: dict[str, Any], anchor: np.ndarray | None = None
    ) -> np.ndarray:
        return ThemeDiscoverer._hdbscan(ThemeDiscoverer._umap(Z, used, anchor), used)

    @staticmethod
    def _umap(
        Z: np.ndarray,
        used: dict[str, Any],
        anchor: np.ndarray | None = None,
        start: np.ndarray | None = None,
        knn: list[tuple[np.ndarray, np.ndarray]] | None = None,
    ) -> np.ndarray:
        """`Z`'s UMAP layout, from a spectral embedding or from `start` (a layout).
        `knn`: an empty list receives `Z`'s neighbour graph, a filled one is reused (layouts
        of one space with other seeds need no second neighbour search)."""
        from insights.themes.neighbours import umap_reducer

        init: str | np.ndarray = "spectral" if Z.shape[0] > 100 else "random"
        if start is not None:
            init = np.ascontiguousarray(start, dtype=np.float32)
        extra: dict[str, Any] = {}
        if knn:
            extra["precomputed_knn"] = (*knn[0], None)
        reducer = umap_reducer(
            Z,
            n_neighbors=used["n_neighbors"],
            n_components=min(used["n_components"], Z.shape[0] - 2),
            min_dist=used["min_dist"],
            metric=used["umap_metric"],
            random_state=used["seed"],
            force_approximation_algorithm=True,
            init=init,
            target_weight=used["anchor_weight"],
            n_epochs=used.get("umap_epochs"),
            **extra,
        )
        with warnings.catch_warnings():
            # a fixed seed makes UMAP single-threaded on purpose (determinism); no need to say so
            warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
            # numba saying it cannot cache pynndescent's search (neighbours.py): not the user's
            warnings.filterwarnings("ignore", message=".*Cannot cache compiled function")
            # precomputed neighbours (neighbours.py) leave no search index: transform is unused
            warnings.filterwarnings("ignore", message="precomputed_knn", category=UserWarning)
            Y = reducer.fit_transform(Z, y=anchor)
        if knn is not None and not knn:
            knn.append((reducer._knn_indices, reducer._knn_dists))
        return Y

    @staticmethod
    def _hdbscan(Y: np.ndarray, used: dict[str, Any]) -> np.ndarray:
        import hdbscan

        clusterer = hdbscan.HDBSCAN(
            min_cluster_size=used["min_cluster_size"],
            min_samples=used["min_samples"],
            cluster_selection_method=used["cluster_selection_method"],
            metric="euclidean",
        )
        return clusterer.fit_predict(Y).astype(np.int64)

    @staticmethod
    def _hdbscan_cuts(
        Y: np.ndarray, used: dict[str, Any], sizes: Sequence[int]
    ) -> list[np.ndarray]:
        """HDBSCAN's labels at each minimum cluster size in `sizes`, from one tree: the
        single-linkage tree depends on `min_samples` only, so it is built once and condensed
        and selected per size (what `HDBSCAN(min_cluster_size=size)` would give, a tenth of the
        cost of five fits)."""
        import hdbscan
        from hdbscan.hdbscan_ import _tree_to_labels

        clusterer = hdbscan.HDBSCAN(
            min_cluster_size=sizes[0],
            min_samples=used["min_samples"],
            cluster_selection_method=used["cluster_selection_method"],
            metric="euclidean",
        ).fit(Y)
        out = [clusterer.labels_.astype(np.int64)]
        for size in sizes[1:]:
            labels = _tree_to_labels(
                Y, clusterer._single_linkage_tree, size, used["cluster_selection_method"]
            )[0]
            out.append(np.asarray(labels, dtype=np.int64))
        return out

    def _finish(
        self, Z: np.ndarray, raw: np.ndarray, used: dict[str, Any]
    ) -> tuple[np.ndarray, float]:
        """Order themes by size, compute centroids, reassign outliers above the floor."""
        ids, counts = np.unique(raw[raw >= 0], return_counts=True)
        order = ids[np.argsort(-counts, kind="stable")]
        labels = np.full(len(raw), -1, dtype=np.int64)
        for new, old in enumerate(order):
            labels[raw == old] = new
        k = len(order)
        self.centroids_ = self._centroids(Z, labels, k)
        if k == 0:
            self.floor_ = 1.0
            return labels, self.floor_
        member_sim = self._similarity(Z, labels)[labels >= 0]
        if self.params.reassign_floor is not None:
            self.floor_ = float(self.params.reassign_floor)
        else:
            q = float(np.quantile(member_sim, self.params.floor_quantile))
            self.floor_ = max(self.params.min_floor, q)
        noise = np.flatnonzero(labels < 0)
        if len(noise):
            labels[noise], _ = self._assign(Z[noise])
        # Centroids of the final membership (members plus reassigned rows).
        self.centroids_ = self._centroids(Z, labels, k)
        return labels, round(self.floor_, 4)

    @staticmethod
    def _centroids(Z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
        if k == 0:
            return np.zeros((0, Z.shape[1]), np.float32)
        sums = np.zeros((k, Z.shape[1]))
        # by block: group_sums holds 24 bytes per value (an index and a float64 copy), which
        # for a million tickets' vectors was 9 GB; one block gives the same bits as before
        for start in range(0, len(labels), BLOCK):
            part = labels[start : start + BLOCK]
            keep = part >= 0
            sums += group_sums(Z[start : start + BLOCK][keep], part[keep], k)
        return _normalise(sums)

    def _similarity(self, Z: np.ndarray, labels: np.ndarray) -> np.ndarray:
        if self.centroids_ is None:
            return np.zeros(len(labels), np.float32)
        return member_similarity(Z, labels, self.centroids_)

    def _assign(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest centroid when its cosine similarity reaches the floor, else -1."""
        if self.centroids_ is None or self.centroids_.shape[0] == 0 or len(Z) == 0:
            return np.full(len(Z), -1, dtype=np.int64), np.zeros(len(Z), np.float32)
        sims = Z.astype(np.float32, copy=False) @ self.centroids_.T
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(len(Z)), best].astype(np.float32)
        ok = best_sim >= self.floor_
        return np.where(ok, best, -1).astype(np.int64), np.where(ok, best_sim, 0).astype(np.float32)

    def relabel(
        self, Z: np.ndarray, labels: np.ndarray, result: DiscoveryResult
    ) -> DiscoveryResult:
        """`result` with rows moved to other themes after the fit (`labels`, same theme ids or
        -1; e.g. the transformer's second opinion, `second_opinion.py`): themes re-ordered by
        size, centroids and similarities recomputed in the centred space `Z`."""
        labels = np.asarray(labels, dtype=np.int64)
        k = result.n_themes
        counts = np.bincount(labels[labels >= 0], minlength=k)
        order = np.argsort(-counts, kind="stable")
        new_id = np.full(k, -1, np.int64)
        new_id[order] = np.arange(k)
        relabelled = np.where(labels >= 0, new_id[np.maximum(labels, 0)], -1)
        self.centroids_ = self._centroids(Z, relabelled, k)
        return DiscoveryResult(
            labels=relabelled,
            similarity=self._similarity(Z, relabelled),
            centroids=self.centroids_,
            language_means=result.language_means,
            unthemed_share=float(np.mean(relabelled < 0)) if len(relabelled) else 0.0,
            params_used=dict(result.params_used),
            n_fit=result.n_fit,
        )

    # -- state -------------------------------------------------------------------------------
    def state(self) -> FitState:
        """The learned state, without the centroids (see :class:`FitState`)."""
        return FitState(self.params, dict(self.language_means_), float(self.floor_))

    @classmethod
    def from_state(cls, state: FitState, centroids: np.ndarray) -> ThemeDiscoverer:
        """A discoverer that predicts as the fit that produced `state` would, against
        `centroids` (one row per theme, centred space)."""
        discoverer = cls(state.params)
        discoverer.language_means_ = dict(state.language_means)
        discoverer.floor_ = float(state.floor)
        discoverer.centroids_ = np.asarray(centroids, dtype=np.float32)
        return discoverer

    # -- predict -----------------------------------------------------------------------------
    def predict(self, X: np.ndarray, languages: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Theme of new rows (-1 when no centroid is within the floor) and their similarity."""
        if self.centroids_ is None:
            raise RuntimeError("ThemeDiscoverer.predict called before fit")
        X = np.asarray(X, dtype=np.float32)
        if len(X) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        if len(languages) != len(X):
            raise ValueError(f"{len(X)} vectors but {len(languages)} languages")
        if self.params.center_languages:
            Z = center(X, languages, self.language_means_, self.params.min_language_rows)
        else:
            Z = _normalise(X)
        return self._assign(Z)
