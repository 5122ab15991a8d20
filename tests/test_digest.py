"""The weekly digest: content (spiking, new, privacy, escaping), files, CLI contract, and
delivery to real local servers (aiosmtpd, http.server) including the failure/re-send path."""

from __future__ import annotations

import email
import json
import socket
import subprocess
import threading
from collections import Counter
from datetime import datetime, timedelta
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from insights.cli.main import app
from insights.digest import build_and_deliver
from insights.digest.build import build_content
from insights.people.categories import move_theme
from insights.settings import Settings, SettingsError, load_settings
from insights.store.db import connect, session_scope
from insights.store.models import (
    Assignment,
    Batch,
    Category,
    CategorySnapshot,
    Digest,
    Run,
    Theme,
    ThemeSnapshot,
    Ticket,
)
from tests.conftest import sync_sequences

runner = CliRunner()
FIRST_MONDAY = datetime(2026, 7, 20)  # 2026-W30; 12 weeks: W30..W41
LAST_WEEK = "2026-W41"
SCRIPT = "<script>alert('x')</script>"
#: theme id -> (title, {region: tickets per normal week})
THEMES = {
    1: ("Courier delay", {"TH": 12, "ID": 12, "VN": 12}),
    2: ("Refund not received", {"TH": 20, "ID": 20, "VN": 20}),
    3: (f"Ads budget overspent {SCRIPT}", {}),  # new: only in the last week
    4: ("Tiny theme", {"VN": 2}),  # below the privacy floor every week
    5: ("Stock sync", {"ID": 10}),  # fades: nothing in the last week
}


def _ticket(i: int, at: datetime, text: str, region: str, language: str) -> dict:
    return {
        "id": i,
        "source": "test",
        "external_id": f"t{i}",
        "created_at": at,
        "text": text,
        "language": language,
        "language_confidence": 1.0,
        "language_detected": False,
        "kind": "buyer",
        "region": region,
        "channel": "chat",
        "category": None,
        "csat": 3,
        "attributes": {},
        "truncated": False,
        "content_hash": f"h{i}",
        "row_hash": f"r{i}",
        "batch_id": 1,
        "ingested_at": at,
        "updated_at": at,
    }


@pytest.fixture
def engine(db_url):
    """12 weeks of tickets in TH/ID/VN, built through the ORM without embeddings: theme 1 spikes
    in TH in the last week, theme 3 appears for the first time then, theme 4 stays tiny."""
    engine = connect(db_url)
    tickets, assignments = [], []
    by_theme: dict[int, list[tuple[int, str]]] = {t: [] for t in THEMES}
    i = 0

    def add(theme: int | None, at: datetime, region: str, text: str, lang: str = "en") -> None:
        nonlocal i
        i += 1
        tickets.append(_ticket(i, at, text, region, lang))
        assignments.append(
            {
                "run_id": 1,
                "ticket_id": i,
                "theme_id": theme,
                "similarity": 0.9,
                "method": "cluster" if theme else "none",
            }
        )
        if theme:
            by_theme[theme].append((i, lang))

    for week in range(12):
        monday = FIRST_MONDAY + timedelta(weeks=week)
        last = week == 11
        for theme, (_title, regions) in THEMES.items():
            counts = dict(regions)
            if theme == 1 and last:
                counts["TH"] = 60
            if theme == 3 and last:
                counts = {"ID": 15}
            if theme == 5 and last:
                counts = {}
            for region, n in counts.items():
                for k in range(n):
                    at = monday + timedelta(days=k % 7, hours=9, minutes=k)
                    text = f"{_title} problem {k} in {region}"
                    if theme == 2 and week == 0 and k == 0 and region == "TH":
                        text = f"refund {SCRIPT} still missing"
                    if theme == 4:
                        text = f"TINYSECRET {k}"
                    add(theme, at, region, text)
        # a ticket of a small language group inside theme 2, and an unthemed one
        if week == 0:
            add(2, monday + timedelta(hours=1), "ID", "SMALLGROUP zh text", "zh")
        add(None, monday + timedelta(days=6, hours=20), "VN", "something else")

    now = FIRST_MONDAY + timedelta(weeks=12)
    with session_scope(engine) as s:
        s.add(Batch(id=1, source_path="x", source="test", file_sha256="h", started_at=now))
        s.add(
            Run(
                id=1,
                mode="full",
                status="ok",
                model_id="m",
                parameters={},
                stats={},
                started_at=now,
            )
        )
        s.flush()
        for tid, (title, _) in THEMES.items():
            s.add(
                Theme(id=tid, label=f"machine {tid}", title=title, created_run_id=1, last_run_id=1)
            )
        s.flush()
        s.execute(insert(Ticket), tickets)
        s.execute(insert(Assignment), assignments)
        for tid, members in by_theme.items():
            langs = Counter(lang for _, lang in members)
            reps: dict[str, list[int]] = {}
            for ticket_id, lang in members:
                if len(reps.setdefault(lang, [])) < 3:
                    reps[lang].append(ticket_id)
            s.add(
                ThemeSnapshot(
                    run_id=1,
                    theme_id=tid,
                    size=len(members),
                    centroid=np.ones(4, np.float32).tobytes(),
                    keywords={},
                    representatives=reps,
                    languages=dict(langs),
                )
            )
    sync_sequences(engine)
    return engine


def quiet(**kw) -> Settings:
    """The configured settings with these digest fields, retrying without pauses."""
    fields = {"backoff": 0.0, "timeout": 5.0, **kw}
    return load_settings().override({f"digest.{k}": v for k, v in fields.items()})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- content


def test_digest_lists_spike_new_fading_with_plain_words(engine):
    c = build_content(engine, quiet().override({"app.url": "http://app.test/"}))
    assert c.week == LAST_WEEK  # default: the latest complete week
    assert c.previous_week == "2026-W40"
    assert c.tickets > c.previous_tickets > 0
    spiking = {t.theme_id: t for t in c.spiking}
    assert 1 in spiking
    words = " ".join(spiking[1].significance)
    assert "in TH" in words and "x the expected" in words and "q " in words
    assert [t.theme_id for t in c.new] == [3]
    assert 5 in [t.theme_id for t in c.fading]
    assert spiking[1].url == "http://app.test/?theme=1"
    th = next(r for r in c.regions if r.region == "TH")
    assert [s.theme_id for s in th.spikes] == [1]
    vn = next(r for r in c.regions if r.region == "VN")
    assert 4 not in [t.theme_id for t in vn.themes] and vn.hidden_groups == 1


def test_files_escaping_and_privacy(engine, tmp_path):
    result = build_and_deliver(engine, quiet(), out_dir=tmp_path / "out")
    md = tmp_path / "out" / f"digest-{LAST_WEEK}.md"
    html = tmp_path / "out" / f"digest-{LAST_WEEK}.html"
    assert result.markdown_path == md and md.exists() and html.exists()
    assert (tmp_path / "out" / f"digest-{LAST_WEEK}-volume.png").read_bytes()[:4] == b"\x89PNG"
    page = html.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page  # title and ticket text escaped
    assert "data:image/png;base64," in page
    assert "refund &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; still missing" in page
    text = md.read_text(encoding="utf-8")
    assert "<script>" not in text and "## Spiking" in text and "## New themes" in text
    assert "/?theme=1" in text and "### TH" in text
    for body in (page, text):
        assert "TINYSECRET" not in body  # a theme below the floor: no examples
        assert "SMALLGROUP" not in body  # a language group below the floor inside a big theme
    with session_scope(engine) as s:
        stored = s.scalars(select(Digest)).one()
        assert stored.week == LAST_WEEK and stored.delivery["status"] == "draft"
        assert stored.sent_at is None and stored.html == page


def test_themes_grouped_by_category_with_the_privacy_floor(engine, tmp_path):
    """Two categories as a run would store them; a person moved the courier theme into the
    sellers' category (a move shows in the next digest, before any refresh)."""
    with session_scope(engine) as s:
        for cid, title, members in ((1, "Money", [1, 2]), (2, "Sellers", [3, 4, 5])):
            s.add(Category(id=cid, machine_title=title, status="active", created_run_id=1))
            s.flush()
            s.add(
                CategorySnapshot(
                    run_id=1,
                    category_id=cid,
                    theme_ids=members,
                    keywords=[],
                    centroid=np.ones(4, np.float32).tobytes(),
                    cut={},
                )
            )
    move_theme(engine, 1, 2, "pm")
    result = build_and_deliver(engine, quiet(), out_dir=tmp_path)
    c = result.content
    assert [x.title for x in c.categories] == ["Sellers", "Money"]
    sellers, money = c.categories
    assert sellers.tickets == (60 + 12 + 12) + 15 + 2 and money.tickets == 60
    assert (sellers.hidden_groups, sellers.hidden_tickets) == (1, 2)  # theme 4: never named
    assert [t.theme_id for t in sellers.themes] == [1, 3] and sellers.spiking == 1
    assert [t.theme_id for t in money.themes] == [2]
    assert sum(x.tickets for x in c.categories) == c.tickets - c.unthemed
    top = {t.theme_id: t.category for t in c.top}
    assert top[1] == "Sellers" and top[2] == "Money"
    text = result.markdown_path.read_text(encoding="utf-8")
    assert "## By category" in text and "### Sellers: 101 tickets" in text
    assert "(Sellers)" in text
    page = result.html_path.read_text(encoding="utf-8")
    assert "<h2>By category</h2>" in page


def test_region_digest(engine, tmp_path):
    result = build_and_deliver(engine, quiet(), region="th", out_dir=tmp_path)
    assert result.markdown_path.name == f"digest-{LAST_WEEK}-TH.md"
    assert result.content.region == "TH" and not result.content.regions
    assert result.content.tickets == 60 + 20
    assert 1 in [t.theme_id for t in result.content.spiking]


def test_empty_week_says_so(engine, tmp_path):
    result = build_and_deliver(engine, quiet(), week="2026-W20", out_dir=tmp_path)
    assert result.content.empty
    assert "No tickets in 2026-W20" in result.markdown_path.read_text(encoding="utf-8")
    assert result.html_path.exists() and not result.chart_paths


def test_cli_bad_week_is_one_line_exit_2(engine, db_url, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["digest", "--week", "2026-33", "--db", db_url, "--out", str(out)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "2026-33" in result.stderr
    assert not out.exists()


def test_cli_writes_files(engine, db_url, tmp_path):
    result = runner.invoke(app, ["digest", "--db", db_url, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / f"digest-{LAST_WEEK}.html").exists()


def test_cli_send_without_channel_is_exit_2(engine, db_url, tmp_path):
    result = runner.invoke(app, ["digest", "--send", "--db", db_url, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "INSIGHTS_DIGEST_WEBHOOK" in result.stderr


# --------------------------------------------------------------------------- delivery


class Collector:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.rcpts: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.rcpts.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def webhook_server():
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers["Content-Length"])
            bodies.append(json.loads(self.rfile.read(n)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield bodies, f"http://127.0.0.1:{server.server_address[1]}/services/T0/B0/secret"
    server.shutdown()
    server.server_close()


def check_mail(msg, week: str) -> None:
    assert msg.get_content_type() == "multipart/alternative"
    assert week in msg["Subject"]
    types = [p.get_content_type() for p in msg.walk()]
    assert types[:4] == ["multipart/alternative", "text/plain", "multipart/related", "text/html"]
    assert "image/png" in types
    html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()
    assert 'src="cid:chart-volume"' in html and "data:image" not in html
    png = next(p for p in msg.walk() if p.get_content_type() == "image/png")
    assert png["Content-ID"] == "<chart-volume>" and png.get_content()[:4] == b"\x89PNG"


def test_send_by_mail_and_webhook(engine, tmp_path, smtp_server, webhook_server):
    handler, port = smtp_server
    bodies, url = webhook_server
    settings = quiet(
        smtp_host="127.0.0.1",
        smtp_port=port,
        to=("all@example.com",),
        region_to={"TH": ("th-lead@example.com",)},
        webhook=url,
    )
    result = build_and_deliver(engine, settings, out_dir=tmp_path, send=True)
    assert result.sent and result.errors == []
    assert len(handler.messages) == 1 and handler.rcpts[0] == ["all@example.com"]
    check_mail(handler.messages[0], LAST_WEEK)
    assert len(bodies) == 1 and "Courier delay" in bodies[0]["text"]
    assert "&lt;script&gt;" in bodies[0]["text"] and "<script>" not in bodies[0]["text"]
    # a region digest goes to that region's list
    build_and_deliver(engine, settings, region="TH", out_dir=tmp_path, send=True)
    assert handler.rcpts[1] == ["th-lead@example.com"]
    with session_scope(engine) as s:
        rows = s.scalars(select(Digest).order_by(Digest.id)).all()
        assert all(r.sent_at is not None and r.delivery["status"] == "sent" for r in rows)
        assert rows[0].delivery["channels"]["mail"]["to"] == ["all@example.com"]


def test_unreachable_mail_keeps_digest_and_next_send_delivers_it(engine, tmp_path):
    port = free_port()  # nothing listens here yet
    settings = quiet(smtp_host="127.0.0.1", smtp_port=port, to=("all@example.com",))
    first = build_and_deliver(engine, settings, out_dir=tmp_path, send=True)
    assert not first.sent and first.markdown_path.exists()
    assert len(first.errors) == 1 and f"127.0.0.1:{port}" in first.errors[0]
    assert "after 3 tries" in first.errors[0]
    with session_scope(engine) as s:
        row = s.get(Digest, first.digest_id)
        assert row.sent_at is None and row.delivery["status"] == "pending"
        assert row.delivery["channels"]["mail"]["attempts"] == 3

    from aiosmtpd.controller import Controller

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = build_and_deliver(engine, settings, week="2026-W40", out_dir=tmp_path, send=True)
    finally:
        controller.stop()
    assert later.sent and later.resent == [first.digest_id]
    assert [m["Subject"].split(":")[0] for m in handler.messages] == [
        f"Ticket insights {LAST_WEEK}",
        "Ticket insights 2026-W40",
    ]
    check_mail(handler.messages[0], LAST_WEEK)
    with session_scope(engine) as s:
        assert s.get(Digest, first.digest_id).sent_at is not None


def test_cli_unreachable_mail_is_one_line_exit_1(engine, db_url, tmp_path, monkeypatch):
    port = free_port()
    monkeypatch.setenv("INSIGHTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("INSIGHTS_SMTP_PORT", str(port))
    monkeypatch.setenv("INSIGHTS_DIGEST_TO", "a@example.com, b@example.com")
    monkeypatch.setattr("insights.digest.deliver.time.sleep", lambda s: None)
    result = runner.invoke(app, ["digest", "--send", "--db", db_url, "--out", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0]
    assert (tmp_path / f"digest-{LAST_WEEK}.md").exists()
    with session_scope(engine) as s:
        assert s.scalars(select(Digest)).one().delivery["status"] == "pending"


def test_webhook_failure_is_retried_then_reported(engine, tmp_path):
    calls: list[int] = []

    class Failing(BaseHTTPRequestHandler):
        def do_POST(self):
            calls.append(1)
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks/SECRET"
        result = build_and_deliver(engine, quiet(webhook=url), out_dir=tmp_path, send=True)
    finally:
        server.shutdown()
        server.server_close()
    assert len(calls) == 3 and not result.sent
    assert "HTTP 503" in result.errors[0] and "SECRET" not in result.errors[0]


@pytest.fixture
def tls_cert(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_modes(engine, tmp_path, tls_cert, monkeypatch, security):
    import ssl

    from aiosmtpd.controller import Controller

    cert, key = tls_cert
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our self-signed server
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    handler = Collector()
    if security == "ssl":
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), ssl_context=ctx)
    else:
        controller = Controller(
            handler, hostname="127.0.0.1", port=free_port(), tls_context=ctx, require_starttls=True
        )
    controller.start()
    try:
        settings = quiet(
            smtp_host="127.0.0.1",
            smtp_port=controller.port,
            smtp_security=security,
            to=("x@example.com",),
        )
        result = build_and_deliver(engine, settings, out_dir=tmp_path, send=True)
    finally:
        controller.stop()
    assert result.sent, result.errors
    check_mail(handler.messages[0], LAST_WEEK)


def test_settings_from_env(monkeypatch):
    for name, value in {
        "INSIGHTS_SMTP_HOST": "mail",
        "INSIGHTS_SMTP_SECURITY": "SSL",
        "INSIGHTS_DIGEST_TO": "a@x.com; b@x.com",
        "INSIGHTS_DIGEST_TO_TH": "th@x.com",
        "INSIGHTS_DIGEST_MIN_GROUP": "7",
    }.items():
        monkeypatch.setenv(name, value)
    s = load_settings().digest
    assert s.port == 465 and s.to == ("a@x.com", "b@x.com") and s.min_group == 7
    assert s.recipients("th") == ("th@x.com",) and s.recipients("ID") == s.to
    monkeypatch.setenv("INSIGHTS_SMTP_SECURITY", "tls1")
    with pytest.raises(SettingsError, match="INSIGHTS_SMTP_SECURITY"):
        load_settings()
