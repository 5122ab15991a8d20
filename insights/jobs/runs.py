"""The run ledger: every refresh is a row in `runs`, started, then finished or failed.

A run is `running` until its rows are written; its `ok` status commits in the same transaction
as its themes and assignments (:func:`mark_ok`), so a crash leaves either the whole run or a
`running` row that the next refresh marks `failed` (:func:`fail_stale_runs`). The current themes
are those of the latest ok run (:func:`latest_run_id`): everything that reads themes (people,
views, the digest) asks this module, never the refresh job.

What a run learned besides its themes (language means, similarity floor: the discoverer's
:class:`~insights.themes.discover.FitState`) is stored in its own tables by
:func:`save_fit_state`, so an incremental run or a split re-centres vectors exactly as the
full run did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from insights.store.db import session_scope
from insights.store.models import FitLanguageMean, FitStateRow, Run
from insights.themes.discover import DiscoveryParams, FitState

MODES = ("full", "incremental")


def now() -> datetime:
    """Naive UTC, as every timestamp in the store."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class RunStats:
    """What a run did; stored as the run's `stats`. Counts always refer to the whole store."""

    n_tickets: int = 0
    n_embedded: int = 0
    n_themes: int = 0
    n_unthemed: int = 0
    reason: str = ""
    embed_runner: str = "sequential"
    timings: dict[str, float] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    n_new: int | None = None  # incremental runs: tickets the previous run had not seen,
    n_assigned: int | None = None  # of which joined a theme,
    n_waiting: int | None = None  # and wait for the next full run
    based_on_run: int | None = None  # incremental runs: the run whose themes they extend
    #: fast tier, full runs: what the transformer's second opinion did (second_opinion.py)
    second_opinion: dict[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> RunStats:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


@dataclass
class RunRecord:
    """One row of the ledger, typed."""

    id: int
    mode: str
    status: str
    model_id: str
    started_at: datetime
    finished_at: datetime | None
    flow_run_id: str | None
    stats: RunStats


def _record(run: Run) -> RunRecord:
    return RunRecord(
        run.id,
        run.mode,
        run.status,
        run.model_id,
        run.started_at,
        run.finished_at,
        run.flow_run_id,
        RunStats.from_json(run.stats),
    )


def start_run(
    engine: Engine,
    mode: str,
    model_id: str,
    parameters: dict[str, Any],
    flow_run_id: str | None = None,
) -> int:
    """A new `running` run; its id is what the run's rows point at."""
    if mode not in MODES:
        raise ValueError(f"run mode must be one of {', '.join(MODES)}, not {mode!r}")
    with session_scope(engine) as session:
        run = Run(
            mode=mode,
            status="running",
            model_id=model_id,
            parameters=parameters,
            stats={},
            flow_run_id=flow_run_id,
            started_at=now(),
        )
        session.add(run)
        session.flush()
        return run.id


def mark_ok(session: Session, run_id: int) -> None:
    """Inside the transaction that writes the run's rows: the status commits with them, so a
    crash can never leave themes or merges of a run that is later marked failed."""
    session.execute(update(Run).where(Run.id == run_id).values(status="ok"))


def finish_run(engine: Engine, run_id: int, stats: RunStats) -> None:
    """Record what the run did and when it ended."""
    with session_scope(engine) as session:
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(status="ok", stats=stats.to_json(), finished_at=now())
        )


def fail_stale_runs(engine: Engine) -> int:
    """A run left `running` was killed: mark it failed so it is never read as current."""
    with session_scope(engine) as session:
        result = session.execute(update(Run).where(Run.status == "running").values(status="failed"))
        return int(result.rowcount or 0)


def fail_runs_of_flow(engine: Engine, flow_run_id: str) -> int:
    """Mark runs a failed flow run left `running` as failed: the previous ok run stays the
    current one and nothing reads the half-made run."""
    with session_scope(engine) as session:
        result = session.execute(
            update(Run)
            .where(Run.flow_run_id == flow_run_id, Run.status == "running")
            .values(status="failed")
        )
        return int(result.rowcount or 0)


def latest_run_id(session: Session, status: str = "ok") -> int | None:
    """The current themes' run: the newest run with `status`."""
    return session.scalar(
        select(Run.id).where(Run.status == status).order_by(Run.id.desc()).limit(1)
    )


def latest_full_run(session: Session) -> RunRecord | None:
    """The newest ok full run: its age decides whether a refresh rediscovers, its fit state
    is what incremental runs and splits centre with."""
    run = session.scalars(
        select(Run).where(Run.status == "ok", Run.mode == "full").order_by(Run.id.desc()).limit(1)
    ).first()
    return _record(run) if run else None


def run_record(engine: Engine, run_id: int) -> RunRecord | None:
    """What run `run_id` did (mode, status, counts, timings), or None."""
    with session_scope(engine) as session:
        run = session.get(Run, run_id)
        return _record(run) if run else None


# --------------------------------------------------------------------------- fit state


def save_fit_state(session: Session, run_id: int, state: FitState) -> None:
    """Store a full run's fit state (in the run's write transaction)."""
    session.execute(delete(FitLanguageMean).where(FitLanguageMean.run_id == run_id))
    session.execute(delete(FitStateRow).where(FitStateRow.run_id == run_id))
    session.add(
        FitStateRow(
            run_id=run_id,
            floor=float(state.floor),
            center_languages=bool(state.params.center_languages),
            min_language_rows=int(state.params.min_language_rows),
            params=asdict(state.params),
        )
    )
    session.flush()  # the means reference it
    for group, mean in sorted(state.language_means.items()):
        vector = np.asarray(mean, dtype=np.float32)
        session.add(FitLanguageMean(run_id=run_id, centering_group=group, vector=vector.tobytes()))


def load_fit_state(session: Session, run_id: int) -> FitState | None:
    row = session.get(FitStateRow, run_id)
    if row is None:
        return None
    known = {f.name for f in fields(DiscoveryParams)}
    params = DiscoveryParams(**{k: v for k, v in (row.params or {}).items() if k in known})
    params.center_languages = row.center_languages
    params.min_language_rows = row.min_language_rows
    means = {
        m.centering_group: np.frombuffer(m.vector, dtype=np.float32).copy()
        for m in session.scalars(select(FitLanguageMean).where(FitLanguageMean.run_id == run_id))
    }
    return FitState(params=params, language_means=means, floor=row.floor)


def latest_fit_state(session: Session) -> tuple[RunRecord, FitState] | None:
    """The latest ok full run and its fit state (None before any, or for a run written before
    fit states were stored and never migrated)."""
    run = latest_full_run(session)
    if run is None:
        return None
    state = load_fit_state(session, run.id)
    return (run, state) if state is not None else None
