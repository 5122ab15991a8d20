"""Tables of the store. Migrations in insights/store/migrations create them; this module is their map."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Batch(Base):
    """One ingested file: where it came from and what it gave."""

    __tablename__ = "batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    n_read: Mapped[int] = mapped_column(Integer, default=0)
    n_new: Mapped[int] = mapped_column(Integer, default=0)
    n_updated: Mapped[int] = mapped_column(Integer, default=0)
    n_duplicates: Mapped[int] = mapped_column(Integer, default=0)
    n_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    n_truncated: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    """A ticket as stored: text already redacted, metadata normalised."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_tickets_source_external_id"),
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_content_hash", "content_hash"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    #: The customer's words without greetings, quotes, signatures, footers, disclaimers (what
    #: is embedded, after the learned boilerplate is taken out too); NULL before 0004.
    clean_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: A conversation's messages with roles; NULL for a plain ticket.
    thread: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    language: Mapped[str] = mapped_column(String(8))
    language_confidence: Mapped[float] = mapped_column(Float)
    language_detected: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(64), nullable=True)
    category: Mapped[str | None] = mapped_column(String(128), nullable=True)
    csat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"))
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Quarantine(Base):
    """A row that could not become a ticket, kept (redacted) with the reason."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)


class BoilerplateLine(Base):
    """A line or sentence learned as boilerplate by the latest refresh: it recurs across many
    tickets whose other content has nothing in common (macros, auto-replies, templates)."""

    __tablename__ = "boilerplate"
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    tickets: Mapped[int] = mapped_column(Integer)
    learned_at: Mapped[datetime] = mapped_column(DateTime)


class BoilerplateState(Base):
    """What the stored boilerplate lines were learned from (one row): a digest of every
    ticket's id, row hash, language, cleaned text and embedding key, the learner's parameters
    and its code. A refresh whose tickets give the same digest takes the lines from here
    instead of learning them again (about a second per process on 3,000 tickets)."""

    __tablename__ = "boilerplate_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    learned_from: Mapped[str] = mapped_column(String(64))
    tickets: Mapped[int] = mapped_column(Integer)
    learned_at: Mapped[datetime] = mapped_column(DateTime)


class Embedding(Base):
    """A cached vector: the same text under the same model is never embedded twice."""

    __tablename__ = "embeddings"
    model_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Run(Base):
    """One refresh: full rediscovery or incremental assignment."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    model_id: Mapped[str] = mapped_column(String(255))
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    flow_run_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class FitStateRow(Base):
    """What a full run's discovery learned besides its themes (ThemeDiscoverer.state())."""

    __tablename__ = "fit_states"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    floor: Mapped[float] = mapped_column(Float)
    center_languages: Mapped[bool] = mapped_column(Boolean)
    min_language_rows: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSON, default=dict)


class FitLanguageMean(Base):
    """One centring mean of a fit: a language (or `vi-ascii`, or the global mean)."""

    __tablename__ = "fit_language_means"
    run_id: Mapped[int] = mapped_column(ForeignKey("fit_states.run_id"), primary_key=True)
    centering_group: Mapped[str] = mapped_column(String(32), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32


class Theme(Base):
    """A recurring pain point with an id that outlives re-clustering."""

    __tablename__ = "themes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), nullable=True)
    created_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))


class Assignment(Base):
    """Which theme a ticket belongs to in a run (theme_id NULL: unthemed)."""

    __tablename__ = "assignments"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), nullable=True, index=True)
    similarity: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))


class ThemeSnapshot(Base):
    """What a theme looked like in one run: size, centroid, keywords, representatives."""

    __tablename__ = "theme_snapshots"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    centroid: Mapped[bytes] = mapped_column(LargeBinary)
    keywords: Mapped[dict] = mapped_column(JSON, default=dict)
    representatives: Mapped[dict] = mapped_column(JSON, default=dict)
    languages: Mapped[dict] = mapped_column(JSON, default=dict)


class ThemeEvent(Base):
    """Lifecycle of a theme across runs: new, continued, merged, split, retired."""

    __tablename__ = "theme_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    event: Mapped[str] = mapped_column(String(16))
    related_theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Annotation(Base):
    """What people say about a theme; keyed by the stable theme id, never touched by runs."""

    __tablename__ = "annotations"
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="new")
    tracker_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(255))


class AuditEntry(Base):
    """Who changed what, when, with the values before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(255))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class Digest(Base):
    """A weekly digest as built, and how its delivery went (kept even when sending fails)."""

    __tablename__ = "digests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[str] = mapped_column(String(10), index=True)
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    markdown: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    delivery: Mapped[dict] = mapped_column(JSON, default=dict)


class ReadIndex(Base):
    """The read model's index for one data version: which weeks hold tickets, the default
    week, the filter values. Written at the end of each refresh (views.weekly.materialise)."""

    __tablename__ = "read_index"
    version: Mapped[str] = mapped_column(String(128), primary_key=True)
    built_at: Mapped[datetime] = mapped_column(DateTime)
    weeks: Mapped[list] = mapped_column(JSON, default=list)
    default_week: Mapped[str | None] = mapped_column(String(10), nullable=True)
    complete_week: Mapped[str | None] = mapped_column(String(10), nullable=True)
    segments: Mapped[dict] = mapped_column(JSON, default=dict)
    out_of_range: Mapped[int] = mapped_column(Integer, default=0)


class ReadWeek(Base):
    """A week's ranking for one selection (region, kind, language, channel) of one data
    version, with the week's headline counts; its themes are `read_themes` rows."""

    __tablename__ = "read_weeks"
    __table_args__ = (UniqueConstraint("version", "week", "selection", name="uq_read_weeks_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(128), index=True)
    week: Mapped[str] = mapped_column(String(10))
    selection: Mapped[str] = mapped_column(String(255))
    built_at: Mapped[datetime] = mapped_column(DateTime)
    total_tickets: Mapped[int] = mapped_column(Integer)
    previous_tickets: Mapped[int] = mapped_column(Integer)
    unthemed: Mapped[int] = mapped_column(Integer)
    out_of_range: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    totals: Mapped[list] = mapped_column(JSON, default=list)


class ReadTheme(Base):
    """One theme of a stored week's ranking (views.ranked.RankedTheme without its title, which
    is read fresh)."""

    __tablename__ = "read_themes"
    week_id: Mapped[int] = mapped_column(
        ForeignKey("read_weeks.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    volume: Mapped[int] = mapped_column(Integer)
    share: Mapped[float] = mapped_column(Float)
    growth: Mapped[float] = mapped_column(Float)
    baseline: Mapped[float] = mapped_column(Float)
    expected: Mapped[float | None] = mapped_column(Float, nullable=True)
    spike: Mapped[bool] = mapped_column(Boolean)
    p_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    q_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    rank_score: Mapped[float] = mapped_column(Float)
    score_volume: Mapped[float] = mapped_column(Float)
    score_growth: Mapped[float] = mapped_column(Float)
    score_spike: Mapped[float] = mapped_column(Float)
    score_severity: Mapped[float] = mapped_column(Float)
    lifecycle: Mapped[str] = mapped_column(String(16))
    csat: Mapped[float | None] = mapped_column(Float, nullable=True)
    regions: Mapped[dict] = mapped_column(JSON, default=dict)
    spike_segments: Mapped[list] = mapped_column(JSON, default=list)
    trend: Mapped[list] = mapped_column(JSON, default=list)


class Category(Base):
    """A group of themes (payouts, returns, logistics) with an id that outlives re-grouping.
    ``human_title`` is a person's rename and wins over ``machine_title`` for as long as the id
    lives."""

    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), nullable=True)
    machine_title: Mapped[str] = mapped_column(Text)
    human_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(255), nullable=True)


class CategorySnapshot(Base):
    """Which themes a category held in one full run (human moves applied on top when read)."""

    __tablename__ = "category_snapshots"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    theme_ids: Mapped[list] = mapped_column(JSON, default=list)
    keywords: Mapped[list] = mapped_column(JSON, default=list)
    centroid: Mapped[bytes] = mapped_column(LargeBinary)  # float32
    cut: Mapped[dict] = mapped_column(JSON, default=dict)


class CategoryPin(Base):
    """A theme a person moved to a category: it stays there on every run."""

    __tablename__ = "category_pins"
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(255))


class Fix(Base):
    """A fix a PM marked as shipped for a theme (optionally for one region or kind)."""

    __tablename__ = "fixes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    fix_date: Mapped[date] = mapped_column(Date)
    region: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(255))


class AlertSubscription(Base):
    """Who hears about spikes in a region (and kind): a webhook URL or an e-mail address."""

    __tablename__ = "alert_subscriptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email
    target: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(255))


class AlertEpisode(Base):
    """A cell's spike episode (insights.trends.alerts.Episode); ``alert`` is what was announced."""

    __tablename__ = "alert_episodes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    region: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    started: Mapped[date] = mapped_column(Date)
    last_spike: Mapped[date] = mapped_column(Date)
    last_elevated: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    peak_count: Mapped[int] = mapped_column(Integer)
    peak_q: Mapped[float] = mapped_column(Float)
    ended: Mapped[date | None] = mapped_column(Date, nullable=True)
    alert: Mapped[dict] = mapped_column(JSON, default=dict)


class AlertDelivery(Base):
    """One episode to one subscription: sent, or failed and re-sent by the next run."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("episode_id", "subscription_id", name="uq_alert_delivery"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("alert_episodes.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("alert_subscriptions.id"))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AlertDay(Base):
    """A day the daily check has processed (episodes advance one day at a time, in order)."""

    __tablename__ = "alert_days"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    n_tests: Mapped[int] = mapped_column(Integer)
    n_alerts: Mapped[int] = mapped_column(Integer)


#: Who holds the store-wide job lock (insights.jobs.lock). Apart from Base: it is not the
#: store's data (backups leave its rows out, restores and copies ignore it). On PostgreSQL it
#: lives in the store (migration 0007_lock) beside the advisory lock it describes; on SQLite it
#: is the lock itself, in a file next to the store, so restoring the store over itself cannot
#: erase the restore's own lock.
LOCK_METADATA = MetaData()
job_lock_table = Table(
    "job_lock",
    LOCK_METADATA,
    Column("name", String(32), primary_key=True),
    Column("job", String(32), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("token", String(32), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("heartbeat_at", DateTime, nullable=False),
)
