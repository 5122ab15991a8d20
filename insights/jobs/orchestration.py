"""Plain helpers the Prefect flows in flows/ call: what is left to embed, the fan-out's
batches, the embedding of one batch with a per-process model, run bookkeeping and the
Markdown summaries the flows publish as artifacts.

They live here, free of Prefect, so the business logic stays testable and the library keeps
working without an orchestrator (flows/ only decides *where* each piece runs).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from sqlalchemy import Engine, select, update

from insights.embed.cache import cached_hashes
from insights.settings import Settings
from insights.store.db import session_scope
from insights.store.models import Run, Ticket

#: Texts per fan-out task: large enough that a task's overhead (scheduling, a state update
#: round trip to the Prefect API) is small next to the ~5 s of embedding it carries.
FANOUT_BATCH = 256


def missing_items(engine: Engine, settings: Settings) -> list[tuple[str, str]]:
    """(content hash, text) of every stored ticket text without a cached vector for the
    configured model, each hash once, in ticket order."""
    with session_scope(engine) as session:
        rows = session.execute(select(Ticket.content_hash, Ticket.text).order_by(Ticket.id)).all()
    unique = dict((h, t) for h, t in rows)
    cached = cached_hashes(engine, settings.embedding.key, list(unique))
    return [(h, t) for h, t in unique.items() if h not in cached]


def fanout_batches(
    items: Sequence[tuple[str, str]], size: int = FANOUT_BATCH
) -> list[list[tuple[str, str]]]:
    """Split the work into batches of at most ``size`` items (order kept)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


@lru_cache(maxsize=2)
def process_embedder(model_id: str, threads: int):
    """The embedding model, loaded once per process (a Dask worker embeds many batches)."""
    from insights.embed import load_embedder

    return load_embedder(model_id, threads)


def embed_batch(
    texts: list[str], model_id: str, threads: int, batch_size: int, max_tokens: int
) -> np.ndarray:
    """Vectors of ``texts`` in order; the unit of work of the fan-out, picklable by name."""
    from insights.embed import embed_texts

    model = process_embedder(model_id, threads)
    return embed_texts(model, model_id, texts, batch_size=batch_size, max_tokens=max_tokens)


def worker_threads(settings: Settings, n_workers: int) -> int:
    """Model threads per Dask worker: INSIGHTS_THREADS if set, else the cores shared out, so
    two workers on two cores do not each start two threads and thrash."""
    if settings.embedding.threads:
        return settings.embedding.threads
    return max(1, (os.cpu_count() or 1) // max(1, n_workers))


def record_fanout(
    engine: Engine, run_id: int, n_embedded: int, embed_seconds: float, runner: str
) -> None:
    """Put the fan-out's numbers into the run's stats: refresh() found nothing left to embed,
    so its own count says 0 while this run did embed ``n_embedded`` texts."""
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        if run is None:
            return
        stats = dict(run.stats or {})
        stats["n_embedded"] = int(stats.get("n_embedded", 0)) + n_embedded
        timings = dict(stats.get("timings") or {})
        timings["embed_fanout"] = round(embed_seconds, 3)
        stats["timings"] = timings
        stats["embed_runner"] = runner
        run.stats = stats  # a new dict, so SQLAlchemy sees the JSON change


def fail_runs_of_flow(engine: Engine, flow_run_id: str) -> int:
    """Mark runs this flow run left ``running`` as failed (the flow failed mid-way): the
    previous ok run stays the current one and nothing reads the half-made run."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Run)
            .where(Run.flow_run_id == flow_run_id, Run.status == "running")
            .values(status="failed")
        )
        return int(result.rowcount or 0)


def _md_cell(value: object) -> str:
    text = ", ".join(str(v) for v in value[:4]) if isinstance(value, list) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def ranked_table_markdown(themes: list[dict], limit: int = 10) -> str:
    """The week's top themes as a Markdown table (volume, share, growth, spike, lifecycle)."""
    if not themes:
        return "_No ranked themes for this week._"
    lines = [
        "| # | theme | title | tickets | share | growth | spike | lifecycle |",
        "| ---: | ---: | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for i, t in enumerate(themes[:limit], 1):
        lines.append(
            f"| {i} | {t['theme_id']} | {_md_cell(t.get('title', ''))} | {t.get('volume', 0)} "
            f"| {t.get('share', 0):.1%} | {t.get('growth', 0):+.0%} "
            f"| {'yes' if t.get('spike') else ''} | {_md_cell(t.get('lifecycle', ''))} |"
        )
    return "\n".join(lines)


def counts_markdown(counts: dict[str, object]) -> str:
    """A two-column Markdown table of a flow run's counts."""
    lines = ["| count | value |", "| --- | ---: |"]
    lines += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in counts.items()]
    return "\n".join(lines)
