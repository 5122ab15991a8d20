"""Theme labels: keywords (overall and per language), a short title, representative tickets.

The title is a phrase from the theme's own tickets in its main language (see `title.py`); the
keyword title ("Refund / bank / wallet") remains the fallback when no ticket offers a phrase.

Keywords come from class-based TF-IDF as in BERTopic: all tickets of a theme form one document,
a term's weight is its frequency in that theme (L1-normalised per theme) times
``log(1 + A / f_t)``, where ``f_t`` is the term's frequency over all themes and ``A`` the average
number of words per theme.

Design choices, and why:

* **Per language first.** Themes are multilingual, and a pooled count lets the language with the
  most tokens win the keyword list. c-TF-IDF is therefore computed within each language (themes
  restricted to that language's tickets), so a Thai theme gets Thai keywords and a Chinese theme
  Chinese ones. The overall list sums the per-language rows, each scaled so that its best term
  weighs the language's share of the theme (languages segment into very different numbers of
  words, so raw scores are not comparable); a word used in several languages (English "refund"
  in Taglish and Thai tickets) adds up.
* **Unthemed tickets count as background.** Like BERTopic, the ``-1`` tickets form a class in the
  frequency statistics (``f_t`` and ``A``) but get no label: they are a sample of what every
  ticket says, so words common there ("order", "item") are pushed down in every theme.
* **Phrases, not only words.** Bigrams are built only from words that were adjacent in the text
  (never across punctuation or a removed stop word), so "tracking number" or "mã giảm giá" can
  be keywords and nothing is invented. Chinese and Thai get no bigrams: their segmenters already
  return multi-syllable words. A keyword must occur in two tickets of one language of the theme
  (when that language has four or more), so one odd ticket cannot name a theme.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from insights.themes.representatives import (
    representatives,
    title_language,
    typicalities,
    typicality,
)
from insights.themes.stopwords import normalize_language
from insights.themes.title import MAX_PHRASE_CHARS, candidates, choose_titles, with_english
from insights.themes.tokenize import tokenize_phrases

__all__ = ["ThemeLabel", "c_tf_idf", "label_themes", "labelling_rows"]

UNTHEMED = -1
#: a title: a phrase of at most MAX_PHRASE_CHARS, plus up to two English keywords in parentheses
MAX_TITLE_CHARS = MAX_PHRASE_CHARS + 24

_NO_SPACE_SCRIPT = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass
class ThemeLabel:
    """What a person sees of a theme before reading its tickets."""

    keywords: list[str]
    keywords_by_language: dict[str, list[str]]
    title: str  # the phrase, with English keywords in parentheses when its language differs
    representatives: dict[str, list[int]] = field(default_factory=dict)
    phrase: str = ""  # the title without the English keywords
    title_language: str = ""  # the language the phrase is in (the theme's main language)


def _identity(doc: list[str]) -> list[str]:
    """Analyzer for pre-tokenized documents (module level so the vectorizer stays picklable)."""
    return doc


def _terms(phrases: list[list[str]], ngrams: bool) -> tuple[list[str], dict[str, tuple[str, ...]]]:
    """Unigrams plus in-phrase bigrams of one document, and the words each bigram is made of.

    Bigrams are for space-separated languages (Vietnamese included: "mã" + "giảm giá").
    """
    terms: list[str] = []
    parts: dict[str, tuple[str, ...]] = {}
    for phrase in phrases:
        terms.extend(phrase)
        if ngrams:
            for left, right in itertools.pairwise(phrase):
                # Chinese and Thai get none: their segmenters already return multi-syllable
                # words, and gluing two of them mostly produces fragments ("申请已经").
                if left == right or _NO_SPACE_SCRIPT.search(left + right):
                    continue
                bigram = f"{left} {right}"
                parts[bigram] = (left, right)
                terms.append(bigram)
    return terms, parts


def _idf(class_counts: sp.csr_matrix) -> np.ndarray:
    """``log(1 + A / f_t)`` per term: A = mean words per class, f_t = the term's total count."""
    totals = np.asarray(class_counts.sum(axis=1)).ravel()
    f_t = np.asarray(class_counts.sum(axis=0)).ravel()
    avg_words = totals.mean() if totals.size else 0.0
    return np.log1p(np.divide(avg_words, f_t, out=np.zeros_like(f_t), where=f_t > 0))


def c_tf_idf(class_counts: sp.csr_matrix) -> sp.csr_matrix:
    """BERTopic's class-based TF-IDF of a (classes x terms) count matrix.

    ``tf`` is L1-normalised per class so large themes do not dominate; ``idf = log(1 + A / f_t)``
    with ``f_t`` the term's total count over classes and ``A`` the mean number of words per class
    (BERTopic truncates ``A`` to an integer; a float changes nothing but rounding).
    """
    counts = sp.csr_matrix(class_counts, dtype=np.float64)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    inv_totals = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sp.csr_matrix(sp.diags(inv_totals) @ counts @ sp.diags(_idf(counts)))


def _class_matrix(labels: np.ndarray, classes: np.ndarray) -> sp.csr_matrix:
    """(classes x documents) 0/1 membership matrix."""
    index = {c: i for i, c in enumerate(classes.tolist())}
    rows = np.fromiter((index[c] for c in labels.tolist()), dtype=np.int64, count=len(labels))
    data = np.ones(len(labels), dtype=np.float64)
    return sp.csr_matrix((data, (rows, np.arange(len(labels)))), shape=(len(classes), len(labels)))


def _word_set(term: str, parts: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The words a term is made of, with a trailing plural "s" ignored (refund = refunds)."""
    words = parts.get(term, (term,))
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def _select(
    ranked: Sequence[str],
    parts: dict[str, tuple[str, ...]],
    limit: int,
    counts: dict[str, float],
) -> list[str]:
    """Top terms without repeats, phrases absorbing the words they are made of.

    A unigram whose words are already shown is skipped. A bigram replaces a chosen word it
    contains when it recurs and accounts for at least half of that word's occurrences in the
    theme (the word is mostly used in that phrase: "giao" + "hàng" -> "giao hàng"); a bigram
    that only overlaps chosen words without absorbing them is skipped ("hàng", "hàng lâu").
    """
    chosen: list[str] = []
    for term in ranked:
        words = _word_set(term, parts)
        chosen_words = [_word_set(c, parts) for c in chosen]
        overlapping = [i for i, w in enumerate(chosen_words) if w & words]
        if not overlapping:
            chosen.append(term)
        elif term in parts:
            absorbed = [
                i
                for i in overlapping
                if chosen[i] not in parts
                and chosen_words[i] <= words
                and counts.get(term, 0.0) >= max(2.0, 0.5 * counts.get(chosen[i], 0.0))
            ]
            if len(absorbed) != len(overlapping):
                continue
            chosen[absorbed[0]] = term
            chosen = [c for i, c in enumerate(chosen) if i not in absorbed[1:]]
        if len(chosen) >= limit:
            break
    return chosen


def _ranked(
    idx: np.ndarray, scores: np.ndarray, counts: np.ndarray, eligible: np.ndarray, vocab: np.ndarray
) -> tuple[list[str], dict[str, float]]:
    """Terms (column ``idx``) with a positive score that are eligible, best first, with counts."""
    keep = np.flatnonzero((scores > 0) & eligible)
    order = keep[np.argsort(-scores[keep], kind="stable")][:200]
    terms = vocab[idx[order]].tolist()
    return terms, dict(zip(terms, counts[order].tolist(), strict=True))


def _title(candidates: Sequence[str], parts: dict[str, tuple[str, ...]]) -> str:
    """Up to three keywords sharing no word, joined by " / ", at most 60 characters."""
    pieces: list[str] = []
    used: set[str] = set()
    for term in candidates:
        words = _word_set(term, parts)
        if words & used:
            continue
        candidate = " / ".join([*pieces, term])
        if len(candidate) > MAX_PHRASE_CHARS:
            if pieces:
                continue
            term = term[: MAX_PHRASE_CHARS - 1].rstrip() + "…"
        pieces.append(term)
        used |= words
        if len(pieces) == 3:
            break
    title = " / ".join(pieces)
    return title[:1].upper() + title[1:] if title else ""


def labelling_rows(labels: np.ndarray, cap: int, seed: int, per_theme: int = 300) -> np.ndarray:
    """The rows labelling reads: all of them up to `cap`, else a seeded sample of `cap` rows
    topped up so that every theme keeps at least `per_theme` of its tickets (or all of them).

    Labelling tokenizes every ticket it reads, which at a million tickets cost more than the
    rest of a refresh; keyword ranks, title phrases and representatives are stable on a
    sample of 100,000 rows (a uniform sample keeps each theme's term frequencies in
    proportion; the top-up keeps small themes' per-language keywords)."""
    labels = np.asarray(labels, dtype=np.int64)
    n = len(labels)
    if n <= cap:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    chosen = np.zeros(n, dtype=bool)
    chosen[rng.choice(n, size=cap, replace=False)] = True
    order = np.argsort(labels, kind="stable")
    themes, starts = np.unique(labels[order], return_index=True)
    for theme, members in zip(themes, np.split(order, starts[1:]), strict=True):
        if theme < 0:
            continue
        missing = min(len(members), per_theme) - int(chosen[members].sum())
        if missing > 0:
            chosen[rng.choice(members[~chosen[members]], size=missing, replace=False)] = True
    return np.flatnonzero(chosen)


def label_themes(
    texts: Sequence[str],
    languages: Sequence[str],
    labels: np.ndarray,
    embeddings: np.ndarray | None = None,
    centroids: np.ndarray | None = None,
    top_n: int = 8,
    *,
    top_n_per_language: int = 6,
    min_docs_per_language: int = 3,
    n_representatives: int = 3,
    ngrams: bool = True,
) -> dict[int, ThemeLabel]:
    """Label every theme (``labels >= 0``); unthemed tickets (``-1``) only serve as background.

    ``keywords_by_language`` has an entry for each language with at least
    ``min_docs_per_language`` tickets in the theme (fewer tickets give noise, not keywords).
    ``representatives`` has up to ``n_representatives`` ticket indices for every language in the
    theme: nearest to ``centroids[label]`` by cosine when embeddings are given (the centroid is
    the members' mean when ``centroids`` is missing or too short), else the tickets that cover
    most of the theme's keywords (shorter first on ties).
    """
    labels = np.asarray(labels).astype(np.int64, copy=False).ravel()
    n = len(texts)
    if len(languages) != n or len(labels) != n:
        raise ValueError("texts, languages and labels must have the same length")
    if embeddings is not None and len(embeddings) != n:
        raise ValueError("embeddings must have one row per text")
    themes = sorted({int(x) for x in labels.tolist() if x != UNTHEMED and x >= 0})
    if not themes:
        return {}

    # Tokenize each distinct (text, language) once: exports repeat texts.
    langs = [lang if lang else "und" for lang in languages]
    cache: dict[tuple[str, str], list[str]] = {}
    parts: dict[str, tuple[str, ...]] = {}
    docs: list[list[str]] = []
    for text, lang in zip(texts, langs, strict=True):
        key = (text or "", normalize_language(lang))
        terms = cache.get(key)
        if terms is None:
            terms, doc_parts = _terms(tokenize_phrases(key[0], key[1]), ngrams)
            parts.update(doc_parts)
            cache[key] = terms
        docs.append(terms)

    vectorizer = CountVectorizer(analyzer=_identity, lowercase=False)
    try:
        counts = sp.csr_matrix(vectorizer.fit_transform(docs))
    except ValueError:  # every ticket empty after stop words
        counts = sp.csr_matrix((n, 0))
    vocab = (
        np.asarray(vectorizer.get_feature_names_out(), dtype=object)
        if counts.shape[1]
        else np.array([], dtype=object)
    )
    present = sp.csr_matrix((counts > 0).astype(np.float64))

    lang_arr = np.asarray(langs, dtype=object)
    corpus_languages = Counter(langs)
    theme_sizes = Counter(labels.tolist())
    by_language: dict[int, dict[str, list[str]]] = {t: {} for t in themes}
    lang_rows: dict[int, dict[str, np.ndarray]] = {t: {} for t in themes}
    # Sparse pieces of each theme's overall row: (columns, weighted scores, counts, eligible).
    pieces: dict[int, list[tuple[np.ndarray, ...]]] = {t: [] for t in themes}
    # Each (theme, language)'s best terms, for choosing representatives without embeddings.
    top_terms: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}

    for lang in sorted(set(langs)):
        rows = np.flatnonzero(lang_arr == lang)
        sub_labels = labels[rows]
        classes = np.unique(sub_labels)  # includes -1: background for f_t and A
        membership = _class_matrix(sub_labels, classes)
        class_counts = sp.csr_matrix(membership @ counts[rows])
        doc_freq = sp.csr_matrix(membership @ present[rows])
        class_counts.sort_indices()
        doc_freq.sort_indices()
        idf = _idf(class_counts)
        totals = np.asarray(class_counts.sum(axis=1)).ravel()
        for ci, cls in enumerate(classes.tolist()):
            if cls < 0:
                continue
            member_rows = rows[sub_labels == cls]
            lang_rows[cls][lang] = member_rows
            lo, hi = class_counts.indptr[ci], class_counts.indptr[ci + 1]
            idx = class_counts.indices[lo:hi]
            if idx.size == 0:
                continue
            cnt = class_counts.data[lo:hi]
            df = doc_freq.data[doc_freq.indptr[ci] : doc_freq.indptr[ci + 1]]
            score = cnt / totals[ci] * idf[idx]  # the c-TF-IDF row, on its non-zero columns
            eligible = df >= (2 if len(member_rows) >= 4 else 1)
            best = np.argsort(-score, kind="stable")[:20]
            top_terms[(cls, lang)] = (idx[best], score[best])
            # Each language's best term weighs the language's share of the theme.
            share = len(member_rows) / theme_sizes[cls] / score.max()
            pieces[cls].append((idx, score * share, cnt, eligible))
            if len(member_rows) >= min_docs_per_language:
                ranked, term_counts = _ranked(idx, score, cnt, eligible, vocab)
                by_language[cls][lang] = _select(ranked, parts, top_n_per_language, term_counts)

    result: dict[int, ThemeLabel] = {}
    typical = typicalities(labels, embeddings, centroids)
    keyword_titles: dict[int, str] = {}
    phrase_titles: dict[int, list[str]] = {}
    title_languages: dict[int, tuple[str, list[str]]] = {}
    for theme in themes:
        keywords: list[str] = []
        if pieces[theme]:
            idx, inverse = np.unique(
                np.concatenate([p[0] for p in pieces[theme]]), return_inverse=True
            )
            score, cnt, eligible = (
                np.bincount(inverse, weights=np.concatenate([p[k] for p in pieces[theme]]))
                for k in (1, 2, 3)
            )
            ranked, term_counts = _ranked(idx, score, cnt, eligible > 0, vocab)
            keywords = _select(ranked, parts, top_n, term_counts)
        per_lang = {k: v for k, v in by_language[theme].items() if v}
        title_lang = title_language(lang_rows[theme], corpus_languages)
        title_terms = per_lang.get(title_lang, []) if title_lang else []
        if not title_terms and title_lang and (theme, title_lang) in top_terms:
            title_terms = vocab[top_terms[(theme, title_lang)][0]].tolist()
        keyword_titles[theme] = _title(title_terms or keywords, parts)
        if title_lang:
            rows = lang_rows[theme][title_lang]
            columns, weights = top_terms.get((theme, title_lang), (np.array([], int), np.array([])))
            weights_by_term = dict(zip(vocab[columns].tolist(), weights.tolist(), strict=True))
            found = candidates(
                rows, texts, title_lang, weights_by_term, typicality(rows, theme, typical)
            )
            phrase_titles[theme] = [c.text for c in found]
            english = per_lang.get("en", []) if normalize_language(title_lang) != "en" else []
            title_languages[theme] = (title_lang, english)
        reps = representatives(
            theme,
            lang_rows[theme],
            texts,
            present,
            top_terms,
            embeddings,
            centroids,
            n_representatives,
        )
        result[theme] = ThemeLabel(
            keywords=keywords, keywords_by_language=per_lang, title="", representatives=reps
        )
    by_size = sorted(themes, key=lambda t: (-theme_sizes[t], t))
    titles = choose_titles(phrase_titles, keyword_titles, by_size)
    for theme in themes:
        lang, english = title_languages.get(theme, ("", []))
        result[theme].phrase = titles[theme]
        result[theme].title_language = lang
        result[theme].title = with_english(titles[theme], english, lang)
    return result
