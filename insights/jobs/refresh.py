"""The refresh job: embed what is new, discover themes, track them, write one run.

Stages write in their own transactions: embeddings batch by batch (so a crash keeps them), and
the run's themes, assignments and snapshots all at once (so a crash leaves the previous run as
the current one).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, func, insert, literal, select, update

from insights.embed.cache import cached_hashes, ensure_embeddings, load_vectors
from insights.people.annotate import carry_over
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import (
    Assignment,
    Run,
    Theme,
    ThemeEvent,
    ThemeSnapshot,
    Ticket,
)
from insights.themes.discover import (
    DiscoveryParams,
    DiscoveryResult,
    ThemeDiscoverer,
    center,
    centering_groups,
)
from insights.themes.label import label_themes
from insights.themes.track import PreviousTheme, match_clusters


@dataclass
class RefreshResult:
    run_id: int | None
    mode: str
    n_tickets: int
    n_embedded: int
    n_themes: int
    n_unthemed: int
    message: str
    timings: dict[str, float] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)

    @property
    def unthemed_share(self) -> float:
        return self.n_unthemed / self.n_tickets if self.n_tickets else 0.0


@dataclass
class Progress:
    """Callbacks the CLI (rich) or a flow (logger) plugs in."""

    start_embedding: Callable[[int], None] = lambda total: None
    advance_embedding: Callable[[int], None] = lambda n: None
    stage: Callable[[str], None] = lambda name: None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _load_tickets(engine: Engine) -> tuple[np.ndarray, list[str], list[str], list[str]]:
    with session_scope(engine) as session:
        rows = session.execute(
            select(Ticket.id, Ticket.content_hash, Ticket.text, Ticket.language).order_by(Ticket.id)
        ).all()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    return ids, [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]


def embed_missing(
    engine: Engine,
    settings: Settings,
    hashes: list[str],
    texts: list[str],
    progress: Progress,
    timings: dict[str, float] | None = None,
) -> int:
    """Embed texts whose vectors are not cached; loads the model only when there is work.

    The model's own time goes to ``timings["embed_model"]`` so a benchmark can compare the whole
    refresh with embedding alone measured in the same run, under the same machine load.
    """
    timings = timings if timings is not None else {}
    timings["embed_model"] = 0.0
    missing = len(set(hashes) - cached_hashes(engine, settings.embedding_key, hashes))
    if not missing:
        return 0
    from insights.embed import embed_texts, load_embedder

    model = load_embedder(settings.embedding_model, settings.threads)
    progress.start_embedding(missing)

    def embed(batch: list[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = embed_texts(
            model,
            settings.embedding_model,
            batch,
            batch_size=settings.embed_batch_size,
            max_tokens=settings.embed_max_tokens,
        )
        timings["embed_model"] += time.perf_counter() - started
        return vectors

    return ensure_embeddings(
        engine,
        settings.embedding_key,
        list(zip(hashes, texts, strict=True)),
        embed,
        batch_size=max(256, settings.embed_batch_size),
        on_batch=progress.advance_embedding,
    )


def choose_mode(
    engine: Engine, settings: Settings, ids: np.ndarray, force_full: bool
) -> tuple[str, str, np.ndarray]:
    """Full or incremental, why, and the tickets the latest run has not seen.

    Full when asked, when there is no full run yet, when more than INSIGHTS_FULL_REFRESH_SHARE
    of the tickets are new since the latest run, or when the last full run is older than
    INSIGHTS_FULL_REFRESH_DAYS days, or when the embedding model changed since the latest full
    run (its centroids live in the other model's space); otherwise new tickets are assigned to
    existing themes.
    """
    with session_scope(engine) as session:
        last = session.execute(
            select(Run.id, Run.started_at, Run.model_id)
            .where(Run.status == "ok", Run.mode == "full")
            .order_by(Run.id.desc())
            .limit(1)
        ).first()
        current = latest_run_id(session)
        seen: set[int] = set()
        if current is not None:
            seen = set(
                session.scalars(select(Assignment.ticket_id).where(Assignment.run_id == current))
            )
    unseen = np.array([i for i in ids.tolist() if i not in seen], dtype=np.int64)
    if force_full:
        return "full", "--full asked for", unseen
    if last is None:
        return "full", "first run", unseen
    if last.model_id != settings.embedding_key:
        return (
            "full",
            f"the embedding model changed from {last.model_id} to {settings.embedding_key}: "
            "tickets re-embedded, themes rediscovered (ids kept by member overlap)",
            unseen,
        )
    share = len(unseen) / max(len(ids), 1)
    if share > settings.full_refresh_share:
        limit = settings.full_refresh_share
        return "full", f"{share:.0%} of tickets are new (more than {limit:.0%})", unseen
    age_days = (_now() - last.started_at).total_seconds() / 86400
    if age_days >= settings.full_refresh_days:
        return "full", f"the last full run is {age_days:.0f} days old", unseen
    return "incremental", f"{len(unseen)} new tickets, {share:.1%}", unseen


def refresh(
    engine: Engine,
    settings: Settings,
    progress: Progress | None = None,
    flow_run_id: str | None = None,
    full: bool = False,
    adapt: bool = False,
) -> RefreshResult:
    """Embed what is new, then rediscover (full) or assign new tickets (incremental).

    `adapt`: fit the fast tier to this store's tickets first (insights.embed.models)."""
    from insights.embed.models import adapt_for_store, needs_adaptation, with_resolved_model

    progress = progress or Progress()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ids, hashes, texts, languages = _load_tickets(engine)
    if len(ids) == 0:
        message = "The store has no tickets yet: run `insights ingest FILE` first."
        return RefreshResult(None, "none", 0, 0, 0, 0, message)
    _fail_stale_runs(engine)
    if adapt or needs_adaptation(settings):
        progress.stage("adapting the fast model to this store")
        adapt_for_store(engine, settings, on_step=progress.stage)
    settings = with_resolved_model(settings)
    mode, why, unseen = choose_mode(engine, settings, ids, full)
    if mode == "incremental" and len(unseen) == 0:
        message = (
            "No new tickets since the latest run: nothing to do "
            "(`insights refresh --full` rediscovers anyway)."
        )
        return RefreshResult(None, "none", len(ids), 0, 0, 0, message)
    progress.stage("embedding")
    n_embedded = embed_missing(engine, settings, hashes, texts, progress, timings)
    timings["embed"] = time.perf_counter() - t0
    if mode == "incremental":
        return _incremental(
            engine,
            settings,
            ids,
            hashes,
            centering_groups(texts, languages),
            unseen,
            n_embedded,
            timings,
            t0,
            why,
            progress,
            flow_run_id,
        )

    t1 = time.perf_counter()
    progress.stage("discovering themes")
    X = load_vectors(engine, settings.embedding_key, hashes)
    params = DiscoveryParams(
        seed=settings.seed, fit_sample=settings.fit_sample, anchor_weight=settings.anchor_weight
    )
    run_id = _start_run(engine, settings, params, flow_run_id, "full")
    discoverer = ThemeDiscoverer(params)
    anchor = _anchor_labels(engine, ids) if params.anchor_weight > 0 else None
    groups = centering_groups(texts, languages)
    result = discoverer.fit(X, groups, anchor=anchor)
    timings["discover"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    progress.stage("labelling themes")
    Z = center(X, groups, result.language_means, params.min_language_rows)
    labels = (
        label_themes(texts, languages, result.labels, embeddings=Z, centroids=result.centroids)
        if result.n_themes
        else {}
    )
    timings["label"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    progress.stage("tracking and writing")
    events = _write_run(engine, run_id, ids, languages, result, labels, Z, settings.embedding_key)
    timings["write"] = time.perf_counter() - t3
    timings["total"] = time.perf_counter() - t0
    n_unthemed = int((result.labels < 0).sum())
    if result.n_themes == 0:
        message = (
            f"Only {len(ids)} tickets: too few to find themes (at least {params.min_rows} "
            "needed); all left unthemed."
            if len(ids) < params.min_rows
            else "No themes found: every ticket left unthemed."
        )
    else:
        message = (
            f"{result.n_themes} themes over {len(ids):,} tickets; "
            f"{n_unthemed / len(ids):.1%} unthemed."
        )
    _finish_run(
        engine,
        run_id,
        {
            "n_tickets": len(ids),
            "n_embedded": n_embedded,
            "n_themes": result.n_themes,
            "n_unthemed": n_unthemed,
            "timings": timings,
            "events": events,
            "reason": why,
            "floor": float(discoverer.floor_),
            "language_means": {k: v.tolist() for k, v in result.language_means.items()},
        },
    )
    message = f"Full run ({why}): {message}"
    return RefreshResult(
        run_id, "full", len(ids), n_embedded, result.n_themes, n_unthemed, message, timings, events
    )


def _fail_stale_runs(engine: Engine) -> None:
    """A run left `running` was killed: mark it failed so it is never read as current."""
    with session_scope(engine) as session:
        session.execute(update(Run).where(Run.status == "running").values(status="failed"))


def _start_run(
    engine: Engine,
    settings: Settings,
    params: DiscoveryParams | None,
    flow_run_id: str | None,
    mode: str,
) -> int:
    with session_scope(engine) as session:
        run = Run(
            mode=mode,
            status="running",
            model_id=settings.embedding_key,
            parameters={
                "discovery": dict(vars(params)) if params else {},
                "max_tokens": settings.embed_max_tokens,
            },
            stats={},
            flow_run_id=flow_run_id,
            started_at=_now(),
        )
        session.add(run)
        session.flush()
        return run.id


def _mark_ok(session, run_id: int) -> None:
    """Commit a run's status with its rows: a crash (or an error in _finish_run) can then never
    leave themes, assignments or merges of a run that is later marked failed."""
    session.execute(update(Run).where(Run.id == run_id).values(status="ok"))


def _finish_run(engine: Engine, run_id: int, stats: dict) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(Run).where(Run.id == run_id).values(status="ok", stats=stats, finished_at=_now())
        )


def latest_run_id(session, status: str = "ok") -> int | None:
    return session.scalar(
        select(Run.id).where(Run.status == status).order_by(Run.id.desc()).limit(1)
    )


def _previous_themes(session, run_id: int | None) -> tuple[list[PreviousTheme], set[int]]:
    if run_id is None:
        return [], set()
    snaps = session.execute(
        select(ThemeSnapshot.theme_id, ThemeSnapshot.centroid)
        .join(Theme, Theme.id == ThemeSnapshot.theme_id)
        .where(ThemeSnapshot.run_id == run_id, Theme.merged_into.is_(None))
    ).all()
    members: dict[int, set[int]] = {tid: set() for tid, _ in snaps}
    seen: set[int] = set()
    for ticket_id, theme_id in session.execute(
        select(Assignment.ticket_id, Assignment.theme_id).where(Assignment.run_id == run_id)
    ):
        seen.add(ticket_id)
        if theme_id in members:
            members[theme_id].add(ticket_id)
    previous = [
        PreviousTheme(tid, np.frombuffer(blob, dtype=np.float32), members[tid])
        for tid, blob in snaps
    ]
    return previous, seen


def _run_model(session, run_id: int | None) -> str | None:
    return session.scalar(select(Run.model_id).where(Run.id == run_id)) if run_id else None


def _recentred(
    previous: list[PreviousTheme], ids: np.ndarray, Z: np.ndarray
) -> list[PreviousTheme]:
    """Previous themes with centroids recomputed from their members in this run's (centred)
    space: after a model switch the stored centroids are another model's vectors."""
    row = {int(t): i for i, t in enumerate(ids.tolist())}
    out = []
    for p in previous:
        rows = [row[t] for t in p.members if t in row]
        centroid = Z[rows].mean(axis=0) if rows else np.zeros(Z.shape[1], np.float32)
        norm = float(np.linalg.norm(centroid)) or 1.0
        out.append(PreviousTheme(p.theme_id, (centroid / norm).astype(np.float32), p.members))
    return out


def _anchor_labels(engine: Engine, ids: np.ndarray) -> np.ndarray | None:
    """Each ticket's theme in the latest ok run (-1: unthemed or new), or None before any run.

    Read before discovery as a hint only; `_write_run` reads the previous themes again inside
    its write transaction, so a merge a person makes while discovery runs is respected."""
    with session_scope(engine) as session:
        previous, _ = _previous_themes(session, latest_run_id(session))
    if not previous:
        return None
    theme_of = {ticket: p.theme_id for p in previous for ticket in p.members}
    return np.array([theme_of.get(int(t), -1) for t in ids], dtype=np.int64)


def _write_run(
    engine: Engine,
    run_id: int,
    ids: np.ndarray,
    languages: list[str],
    result: DiscoveryResult,
    labels: dict,
    Z: np.ndarray | None = None,
    model_key: str | None = None,
) -> dict[str, int]:
    now = _now()
    k = result.n_themes
    members = [set(ids[result.labels == c].tolist()) for c in range(k)]
    with session_scope(engine) as session:
        previous_run = latest_run_id(session)
        previous, seen = _previous_themes(session, previous_run)
        if (
            Z is not None
            and model_key
            and _run_model(session, previous_run) not in (None, model_key)
        ):
            previous = _recentred(previous, ids, Z)
        tracked = match_clusters(previous, result.centroids, members, seen)
        theme_ids: dict[int, int] = {}
        for c in range(k):
            label = labels.get(c)
            machine = label.title if label else f"theme {c + 1}"
            tid = tracked.theme_for_cluster[c]
            if tid is None:
                theme = Theme(
                    label=machine, status="active", created_run_id=run_id, last_run_id=run_id
                )
                session.add(theme)
                session.flush()
                tid = theme.id
            else:
                session.execute(
                    update(Theme)
                    .where(Theme.id == tid)
                    .values(label=machine, status="active", merged_into=None, last_run_id=run_id)
                )
            theme_ids[c] = tid
        counts: dict[str, int] = {}
        event_rows = []
        for event, tid, cluster, related in tracked.events:
            theme_id = tid if tid is not None else theme_ids[cluster]
            counts[event] = counts.get(event, 0) + 1
            event_rows.append(
                {
                    "run_id": run_id,
                    "theme_id": theme_id,
                    "event": event,
                    "related_theme_id": related,
                    "created_at": now,
                }
            )
            if event == "merged":
                carry_over(session, theme_id, related, "refresh")
                session.execute(
                    update(Theme)
                    .where(Theme.id == theme_id)
                    .values(status="merged", merged_into=related)
                )
            elif event == "retired":
                session.execute(update(Theme).where(Theme.id == theme_id).values(status="retired"))
        if event_rows:
            session.execute(insert(ThemeEvent), event_rows)
        session.execute(
            insert(Assignment),
            [
                {
                    "run_id": run_id,
                    "ticket_id": int(t),
                    "theme_id": theme_ids.get(int(c)) if c >= 0 else None,
                    "similarity": float(s),
                    "method": "cluster" if c >= 0 else "none",
                }
                for t, c, s in zip(ids, result.labels, result.similarity, strict=True)
            ],
        )
        langs = np.asarray(languages)
        snapshots = []
        for c in range(k):
            mask = result.labels == c
            label = labels.get(c)
            values, counts_l = np.unique(langs[mask], return_counts=True)
            reps = {}
            if label:
                reps = {
                    lang: [int(ids[i]) for i in idx] for lang, idx in label.representatives.items()
                }
            snapshots.append(
                {
                    "run_id": run_id,
                    "theme_id": theme_ids[c],
                    "size": int(mask.sum()),
                    "centroid": result.centroids[c].astype(np.float32).tobytes(),
                    "keywords": {
                        "all": label.keywords if label else [],
                        "by_language": label.keywords_by_language if label else {},
                    },
                    "representatives": reps,
                    "languages": {str(v): int(n) for v, n in zip(values, counts_l, strict=True)},
                }
            )
        if snapshots:
            session.execute(insert(ThemeSnapshot), snapshots)
        _mark_ok(session, run_id)
    return counts


def _incremental(
    engine: Engine,
    settings: Settings,
    ids: np.ndarray,
    hashes: list[str],
    groups: list[str],
    unseen: np.ndarray,
    n_embedded: int,
    timings: dict[str, float],
    t0: float,
    why: str,
    progress: Progress,
    flow_run_id: str | None,
) -> RefreshResult:
    """Assign new tickets to the current themes by nearest centroid within the fit's floor."""
    progress.stage("assigning new tickets")
    with session_scope(engine) as session:
        current = latest_run_id(session)
        last_full = session.scalars(
            select(Run)
            .where(Run.status == "ok", Run.mode == "full")
            .order_by(Run.id.desc())
            .limit(1)
        ).one()
        snaps = session.execute(
            select(ThemeSnapshot.theme_id, ThemeSnapshot.centroid)
            .where(ThemeSnapshot.run_id == current)
            .order_by(ThemeSnapshot.theme_id)
        ).all()
        stats = dict(last_full.stats)
    position = {int(t): i for i, t in enumerate(ids.tolist())}
    rows = [position[int(t)] for t in unseen]
    X = load_vectors(engine, settings.embedding_key, [hashes[i] for i in rows])
    discoverer = ThemeDiscoverer(DiscoveryParams(seed=settings.seed))
    discoverer.language_means_ = {
        k: np.asarray(v, np.float32) for k, v in stats.get("language_means", {}).items()
    }
    discoverer.floor_ = float(stats.get("floor", 0.5))
    theme_ids = [int(t) for t, _ in snaps]
    discoverer.centroids_ = (
        np.vstack([np.frombuffer(b, np.float32) for _, b in snaps])
        if snaps
        else np.zeros((0, X.shape[1]), np.float32)
    )
    if discoverer.language_means_:
        labels, sims = discoverer.predict(X, [groups[i] for i in rows])
    else:
        labels, sims = np.full(len(rows), -1), np.zeros(len(rows), np.float32)
    run_id = _start_run(engine, settings, None, flow_run_id, "incremental")
    with session_scope(engine) as session:
        session.execute(
            insert(Assignment).from_select(
                ["run_id", "ticket_id", "theme_id", "similarity", "method"],
                select(
                    literal(run_id),
                    Assignment.ticket_id,
                    Assignment.theme_id,
                    Assignment.similarity,
                    Assignment.method,
                ).where(Assignment.run_id == current),
            )
        )
        if len(rows):
            session.execute(
                insert(Assignment),
                [
                    {
                        "run_id": run_id,
                        "ticket_id": int(t),
                        "theme_id": theme_ids[int(c)] if c >= 0 else None,
                        "similarity": float(s),
                        "method": "nearest" if c >= 0 else "waiting",
                    }
                    for t, c, s in zip(unseen, labels, sims, strict=True)
                ],
            )
        added: dict[int, int] = {}
        for c in labels[labels >= 0]:
            added[theme_ids[int(c)]] = added.get(theme_ids[int(c)], 0) + 1
        for snap in session.scalars(
            select(ThemeSnapshot).where(ThemeSnapshot.run_id == current)
        ).all():
            session.add(
                ThemeSnapshot(
                    run_id=run_id,
                    theme_id=snap.theme_id,
                    size=snap.size + added.get(snap.theme_id, 0),
                    centroid=snap.centroid,
                    keywords=snap.keywords,
                    representatives=snap.representatives,
                    languages=snap.languages,
                )
            )
            session.execute(
                update(Theme).where(Theme.id == snap.theme_id).values(last_run_id=run_id)
            )
        _mark_ok(session, run_id)
    waiting = int((labels < 0).sum())
    timings["total"] = time.perf_counter() - t0
    n_unthemed = waiting + _count_unthemed(engine, current)
    _finish_run(
        engine,
        run_id,
        {
            "n_tickets": len(ids),
            "n_embedded": n_embedded,
            "n_new": len(rows),
            "n_assigned": len(rows) - waiting,
            "n_waiting": waiting,
            "reason": why,
            "timings": timings,
            "n_unthemed": n_unthemed,
            "based_on_run": current,
        },
    )
    message = (
        f"Incremental run ({why}): {len(rows) - waiting} new tickets joined existing "
        f"themes, {waiting} wait for the next full run."
    )
    return RefreshResult(
        run_id,
        "incremental",
        len(ids),
        n_embedded,
        len(theme_ids),
        n_unthemed,
        message,
        timings,
        {},
    )


def _count_unthemed(engine: Engine, run_id: int) -> int:
    with session_scope(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(Assignment)
                .where(Assignment.run_id == run_id, Assignment.theme_id.is_(None))
            )
            or 0
        )
