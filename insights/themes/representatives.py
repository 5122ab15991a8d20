"""Which tickets stand for a theme, and in which language its title is written.

Kept apart from `label.py` (keywords and titles): these pick rows, not words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from insights.themes.stopwords import normalize_language


def cosine_top(
    member_idx: np.ndarray, embeddings: np.ndarray, centroid: np.ndarray, k: int
) -> list[int]:
    """Indices of the k members most similar (cosine) to the centroid."""
    vectors = embeddings[member_idx].astype(np.float64, copy=False)
    norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(centroid) or 1.0)
    sims = vectors @ centroid / np.where(norms > 0, norms, 1.0)
    order = np.argsort(-sims, kind="stable")
    return [int(member_idx[i]) for i in order[:k]]


def typicalities(
    labels: np.ndarray, embeddings: np.ndarray | None, centroids: np.ndarray | None
) -> np.ndarray | None:
    """Per ticket: cosine to its own centroid minus the best cosine to another centroid."""
    if embeddings is None or centroids is None or len(centroids) < 2:
        return None
    if int(labels.max(initial=-1)) >= len(centroids):
        return None
    rows = np.flatnonzero(labels >= 0)
    C = np.asarray(centroids, dtype=np.float32)
    C = C / np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)
    out = np.zeros(len(labels), np.float32)
    for start in range(0, len(rows), 4096):
        chunk = rows[start : start + 4096]
        V = np.asarray(embeddings[chunk], dtype=np.float32)
        V = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
        sims = V @ C.T
        own = sims[np.arange(len(chunk)), labels[chunk]]
        sims[np.arange(len(chunk)), labels[chunk]] = -np.inf
        out[chunk] = own - sims.max(axis=1)
    return out


def typicality(rows: np.ndarray, theme: int, typical: np.ndarray | None) -> np.ndarray | None:
    return None if typical is None else typical[rows]


def title_language(rows: dict[str, np.ndarray], corpus: Counter[str]) -> str | None:
    """The theme's main language: the one most of its tickets are in.

    Ties (a theme with one ticket per language) go to English, then to the language most common
    in the whole corpus: the one most readers of the dashboard are likeliest to read.
    """
    ranked = sorted(
        rows,
        key=lambda lang: (
            -len(rows.get(lang, ())),
            normalize_language(lang) != "en",
            -corpus[lang],
            lang,
        ),
    )
    return ranked[0] if ranked else None


def representatives(
    theme: int,
    rows_by_lang: dict[str, np.ndarray],
    texts: Sequence[str],
    present: sp.csr_matrix,
    top_terms: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]],
    embeddings: np.ndarray | None,
    centroids: np.ndarray | None,
    k: int,
) -> dict[str, list[int]]:
    """Up to k distinct-text tickets per language, most typical of the theme first."""
    centroid: np.ndarray | None = None
    if embeddings is not None:
        if centroids is not None and 0 <= theme < len(centroids):
            centroid = np.asarray(centroids[theme], dtype=np.float64)
        else:
            members = np.concatenate(list(rows_by_lang.values()))
            centroid = np.asarray(embeddings[members], dtype=np.float64).mean(axis=0)

    reps: dict[str, list[int]] = {}
    for lang, member_rows in sorted(rows_by_lang.items()):
        if embeddings is not None and centroid is not None:
            ordered = cosine_top(member_rows, embeddings, centroid, len(member_rows))
        else:
            # Keyword coverage: the summed c-TF-IDF weight of the theme's top terms a ticket has.
            columns, weights = top_terms.get((theme, lang), (np.array([], int), np.array([])))
            coverage = (
                present[member_rows][:, columns] @ weights
                if columns.size
                else np.zeros(len(member_rows))
            )
            ordered = [
                int(member_rows[j])
                for j in sorted(
                    range(len(member_rows)),
                    key=lambda j: (-coverage[j], len(texts[member_rows[j]] or ""), j),
                )
            ]
        picked: list[int] = []
        seen: set[str] = set()
        for i in ordered:
            key = (texts[i] or "").strip().lower()
            if key in seen:
                continue
            seen.add(key)
            picked.append(i)
            if len(picked) == k:
                break
        reps[lang] = picked
    return reps
