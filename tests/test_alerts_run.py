"""Daily alerts wired end to end (issue 15, item 3): subscriptions, the daily run over a store
(days, first run, episodes, once per episode, dry run), delivery to a real local webhook server
(500 then 200, a timeout) and a real local SMTP server, the CLI contract, the app page.

The store is built by hand (no model, no UMAP): 40 days of tickets in TH, ID and VN at steady
daily counts per theme, one ok run, the themes' snapshots; a burst is planted on chosen days.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from sqlalchemy import Engine, func, insert, select
from typer.testing import CliRunner

from insights.cli.main import app
from insights.digest.alerts import AlertDayError, run_alerts
from insights.people.subscriptions import (
    SubscriptionError,
    list_subscriptions,
    subscribe,
    unsubscribe,
)
from insights.settings import Settings, load_settings
from insights.store.db import connect, session_scope
from insights.store.models import (
    AlertDay,
    AlertDelivery,
    AlertEpisode,
    Assignment,
    AuditEntry,
    Theme,
    ThemeSnapshot,
    Ticket,
)
from tests.conftest import first_batch_and_run, sync_sequences

runner = CliRunner()
DAYS = 40
#: The first day of the data: far enough back that every day of it is over.
START = (datetime.now(UTC) - timedelta(days=DAYS + 5)).date()
#: theme id -> (title, kind, tickets per day in each region)
THEMES = {1: ("Courier delay", "buyer", 6), 2: ("Refund not received", "buyer", 5)}
THEMES[3] = ("Payout held", "seller", 4)
REGIONS = ("TH", "ID", "VN")
UNTHEMED = 10
#: (theme, region) -> tickets that day instead of the usual, on days 35 and 36
BURST = {(2, "TH"): 25, (3, "VN"): 20}
BURST_DAYS = (35, 36)
SECRET = "/services/T000/B000/s3cr3t"


def day(i: int) -> date:
    return START + timedelta(days=i)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def build_alert_store(url: str, bursts: dict | None = None, burst_days=BURST_DAYS) -> Engine:
    """Tickets of ``DAYS`` days (see the module doc), themed by one ok run started now."""
    bursts = BURST if bursts is None else bursts
    engine = connect(url)
    now = _now()
    tickets, assignments = [], []
    sizes: dict[int, int] = dict.fromkeys(THEMES, 0)
    n = 0
    for d in range(DAYS):
        start = datetime.combine(day(d), datetime.min.time())
        for region in REGIONS:
            cells = [(tid, kind, per_day) for tid, (_, kind, per_day) in THEMES.items()]
            cells.append((None, "buyer", UNTHEMED))
            for tid, kind, per_day in cells:
                count = per_day
                if d in burst_days and (tid, region) in bursts:
                    count = bursts[(tid, region)]
                for k in range(count):
                    n += 1
                    at = start + timedelta(minutes=25 * k + 7 * (tid or 0) + 1)
                    tickets.append(
                        {
                            "id": n,
                            "source": "test",
                            "external_id": f"T{n}",
                            "created_at": at,
                            "text": f"ticket {n}",
                            "language": "en",
                            "language_confidence": 1.0,
                            "language_detected": False,
                            "kind": kind,
                            "region": region,
                            "channel": "chat",
                            "category": None,
                            "csat": 3,
                            "attributes": {},
                            "truncated": False,
                            "content_hash": f"h{n}",
                            "row_hash": f"r{n}",
                            "batch_id": 1,
                            "ingested_at": now,
                            "updated_at": now,
                        }
                    )
                    assignments.append(
                        {
                            "run_id": 1,
                            "ticket_id": n,
                            "theme_id": tid,
                            "similarity": 0.9,
                            "method": "cluster" if tid else "none",
                        }
                    )
                    if tid:
                        sizes[tid] += 1
    with session_scope(engine) as s:
        first_batch_and_run(s, now, model_id="m")
        for tid, (title, _, _) in THEMES.items():
            s.add(
                Theme(id=tid, label=f"machine {tid}", title=title, created_run_id=1, last_run_id=1)
            )
        s.flush()
        s.execute(insert(Ticket), tickets)
        s.execute(insert(Assignment), assignments)
        for tid in THEMES:
            s.add(
                ThemeSnapshot(
                    run_id=1,
                    theme_id=tid,
                    size=sizes[tid],
                    centroid=np.ones(4, np.float32).tobytes(),
                    keywords={},
                    representatives={},
                    languages={"en": sizes[tid]},
                )
            )
    sync_sequences(engine)
    return engine


@pytest.fixture
def store(db_url) -> Engine:
    return build_alert_store(db_url)


def quick(**digest) -> Settings:
    """The configured settings with fast delivery: no pause between tries, short timeouts."""
    fields = {"backoff": 0.0, "timeout": 5.0, **digest}
    return load_settings().override({f"digest.{k}": v for k, v in fields.items()})


def count(engine: Engine, model) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that timed out and hung up is what the timeout test wants


class Hook:
    """A real local webhook server: answers the scripted statuses in turn (then 200), each
    after ``delay`` seconds; records every JSON body it was sent."""

    def __init__(self, statuses: list[int] | None = None, delay: float = 0.0) -> None:
        self.statuses = list(statuses or [])
        self.delay = delay
        self.bodies: list[dict] = []
        self.release = threading.Event()  # ends a delayed handler when the test is over
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if hook.delay:
                    hook.release.wait(hook.delay)
                status = hook.statuses.pop(0) if hook.statuses else 200
                if status == 200:
                    hook.bodies.append(body)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{SECRET}"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def hooks():
    made: list[Hook] = []

    def make(statuses: list[int] | None = None, delay: float = 0.0) -> Hook:
        made.append(Hook(statuses, delay))
        return made[-1]

    yield make
    for hook in made:
        hook.close()


# --------------------------------------------------------------------------- subscriptions


def test_subscriptions_are_validated_warned_deduplicated_and_audited(store):
    bad = [
        dict(region="", webhook="https://hooks.example/x"),
        dict(region="TH"),
        dict(region="TH", webhook="https://hooks.example/x", email="a@example.com"),
        dict(region="TH", webhook="ftp://hooks.example/x"),
        dict(region="TH", webhook="hooks.example/x"),
        dict(region="TH", email="not-an-address"),
        dict(region="TH", email="a@b"),
        dict(region="TH", email="a@example.com", kind="robot"),
    ]
    for args in bad:
        with pytest.raises(SubscriptionError):
            subscribe(store, who="ana", **args)

    done = subscribe(store, " th ", webhook=f"https://hooks.example{SECRET}", who="ana")
    assert done.created and not done.warnings and done.subscription.region == "TH"
    assert done.subscription.shown_target == "https://hooks.example/…"
    again = subscribe(store, "TH", webhook=f"https://hooks.example{SECRET}", who="ana")
    assert not again.created and again.subscription.id == done.subscription.id
    assert "already subscribed" in again.warnings[0]

    nowhere = subscribe(store, "ZZ", email="lead@example.com", kind="seller", who="budi")
    assert nowhere.created and "no tickets from region ZZ" in nowhere.warnings[0]

    listed = list_subscriptions(store)
    assert [(s.region, s.kind, s.channel) for s in listed] == [
        ("TH", None, "webhook"),
        ("ZZ", "seller", "email"),
    ]
    assert all(SECRET not in json.dumps(s.as_dict(), default=str) for s in listed)

    unsubscribe(store, done.subscription.id, who="ana")
    assert [s.region for s in list_subscriptions(store)] == ["ZZ"]
    assert len(list_subscriptions(store, include_inactive=True)) == 2
    with pytest.raises(SubscriptionError, match="already removed"):
        unsubscribe(store, done.subscription.id, who="ana")
    with pytest.raises(SubscriptionError, match="no subscription with id 999"):
        unsubscribe(store, 999, who="ana")
    with session_scope(store) as s:
        audit = s.execute(select(AuditEntry.who, AuditEntry.action, AuditEntry.after)).all()
    assert [(a.who, a.action) for a in audit] == [
        ("ana", "subscribe"),
        ("budi", "subscribe"),
        ("ana", "unsubscribe"),
    ]
    assert SECRET not in json.dumps([a.after for a in audit])


# --------------------------------------------------------------------------- the daily run


def test_burst_is_alerted_once_per_episode_to_the_matching_subscriptions(store, hooks):
    hook_th, hook_vn_seller, hook_vn_buyer, hook_id = hooks(), hooks(), hooks(), hooks()
    subscribe(store, "TH", webhook=hook_th.url, who="ana")
    subscribe(store, "VN", webhook=hook_vn_seller.url, kind="seller", who="ana")
    subscribe(store, "VN", webhook=hook_vn_buyer.url, kind="buyer", who="ana")
    subscribe(store, "ID", webhook=hook_id.url, who="ana")
    settings = quick().override({"app.url": "https://insights.example"})

    first = run_alerts(store, settings, day(34))  # a first run: a week checked, quietly
    assert first.checked == [day(i) for i in range(28, 35)]
    assert first.alerts == [] and first.sent == []
    assert any("first run" in n for n in first.notes)

    burst = run_alerts(store, settings, day(35))
    assert burst.checked == [day(35)]
    got = {(a["theme_id"], a["region"], a["kind"]): a for a in burst.alerts}
    assert set(got) == {(2, "TH", None), (3, "VN", None)}
    th = got[(2, "TH", None)]
    assert th["title"] == "Refund not received" and th["day"] == day(35).isoformat()
    assert th["count"] == 25 and th["expected"] == pytest.approx(5.0, rel=0.2)
    assert th["q_value"] <= settings.alerts.fdr
    assert all(s.ok for s in burst.sent) and len(burst.sent) == 2
    assert len(hook_th.bodies) == 1 and len(hook_vn_seller.bodies) == 1
    assert hook_vn_buyer.bodies == [] and hook_id.bodies == []
    body = hook_th.bodies[0]
    assert "Refund not received" in body["text"] and "TH" in body["text"]
    links = json.dumps(body["blocks"])
    assert "https://insights.example/?theme=2" in links and "Refund not received" in links
    assert "Payout held" in hook_vn_seller.bodies[0]["text"]  # a seller theme's region alert

    # the burst lasts a second day: the same episode, nothing new, nothing sent again
    lasting = run_alerts(store, settings, day(36))
    assert lasting.checked == [day(36)] and lasting.alerts == [] and lasting.sent == []
    assert [len(h.bodies) for h in (hook_th, hook_vn_seller)] == [1, 1]
    # a day already checked is not checked again
    assert run_alerts(store, settings, day(36)).checked == []
    with session_scope(store) as s:
        episodes = s.scalars(select(AlertEpisode)).all()
        assert {(e.theme_id, e.region, e.kind) for e in episodes} == {
            (2, "TH", None),
            (3, "VN", None),
        }
        assert all(e.ended is None and e.last_day == day(36) for e in episodes)
        assert sorted(s.scalars(select(AlertDay.day))) == [day(i) for i in range(28, 37)]
        assert {d.status for d in s.scalars(select(AlertDelivery))} == {"sent"}

    # back to normal: the episode ends after INSIGHTS_ALERTS_QUIET_DAYS (3) normal days
    run_alerts(store, settings, day(39))
    with session_scope(store) as s:
        ended = s.scalars(select(AlertEpisode.ended)).all()
    assert ended == [day(39), day(39)]


def test_dry_run_computes_the_alerts_and_stores_nothing(store, hooks):
    hook = hooks()
    subscribe(store, "TH", webhook=hook.url, who="ana")
    dry = run_alerts(store, quick(), day(35), dry_run=True)
    assert {(a["theme_id"], a["region"]) for a in dry.alerts} == {(2, "TH"), (3, "VN")}
    assert dry.queued == 1 and dry.sent == [] and hook.bodies == []
    for model in (AlertDay, AlertEpisode, AlertDelivery):
        assert count(store, model) == 0
    # the digest's privacy floor: no cell under INSIGHTS_DIGEST_MIN_GROUP is ever alerted
    floor = quick().override({"digest.min_group": 30})
    assert run_alerts(store, floor, day(35), dry_run=True).alerts == []
    real = run_alerts(store, quick(), day(35))  # the same answer for real
    assert real.alerts == dry.alerts and len(hook.bodies) == 1


def test_default_days_stop_at_the_newest_tickets_and_wait_for_the_refresh(store):
    settings = quick()
    # no --day: the data ends on day 39 (days ago): a first run checks up to there
    first = run_alerts(store, settings)
    assert first.checked == [day(i) for i in range(33, 40)]
    assert {(a["theme_id"], a["region"]) for a in first.alerts} == set()  # 35-36 silent
    assert first.silent == 2
    # tickets the latest refresh has not seen: their days are not checked yet
    with session_scope(store) as s:
        row = s.get(Ticket, 1)
        late = {c.name: getattr(row, c.name) for c in Ticket.__table__.columns}
        late.update(
            id=10**6, external_id="late", created_at=datetime.combine(day(41), datetime.min.time())
        )
        s.execute(insert(Ticket), [late])
    with pytest.raises(AlertDayError, match="not themed yet"):
        run_alerts(store, settings, day(42))
    later = run_alerts(store, settings, today=day(44))
    assert later.checked == [day(40)]
    assert any(f"tickets from {day(41)} on are not themed yet" in n for n in later.notes)
    with pytest.raises(AlertDayError, match="not over yet"):
        run_alerts(store, settings, day(44), today=day(44))


# --------------------------------------------------------------------------- delivery


def test_webhook_500_is_reported_kept_and_sent_once_by_the_next_run(store, hooks):
    hook = hooks(statuses=[500, 500, 500])
    subscribe(store, "TH", webhook=hook.url, who="ana")
    settings = quick(tries=3)
    run_alerts(store, settings, day(34))
    failed = run_alerts(store, settings, day(35))
    assert [a["region"] for a in failed.alerts if a["theme_id"] == 2] == ["TH"]
    assert len(failed.errors) == 1 and "HTTP 500 after 3 tries" in failed.errors[0]
    assert "kept for the next run" in failed.errors[0] and "s3cr3t" not in failed.errors[0]
    assert hook.bodies == [] and hook.statuses == []
    with session_scope(store) as s:
        d = s.scalars(select(AlertDelivery)).one()
        assert (d.status, d.attempts, d.sent_at) == ("failed", 3, None)
        assert "HTTP 500" in d.last_error and "s3cr3t" not in d.last_error

    resent = run_alerts(store, settings, day(36))  # nothing new that day; the old one goes out
    assert resent.alerts == [] and resent.errors == []
    assert len(hook.bodies) == 1 and {"text", "blocks"} <= set(hook.bodies[0])
    assert "Refund not received" in hook.bodies[0]["text"]
    with session_scope(store) as s:
        d = s.scalars(select(AlertDelivery)).one()
        assert (d.status, d.attempts, d.last_error) == ("sent", 4, None) and d.sent_at
    assert run_alerts(store, settings, day(37)).sent == []  # sent once, never again


def test_webhook_timeout_is_retried_reported_and_kept(store, hooks):
    hook = hooks(delay=3.0)
    subscribe(store, "TH", webhook=hook.url, who="ana")
    settings = quick(tries=2, timeout=0.3)
    run_alerts(store, settings, day(34))
    began = time.monotonic()
    result = run_alerts(store, settings, day(35))
    assert time.monotonic() - began < 10
    assert len(result.errors) == 1 and "timed out" in result.errors[0]
    assert "after 2 tries" in result.errors[0] and "s3cr3t" not in result.errors[0]
    with session_scope(store) as s:
        assert s.scalars(select(AlertDelivery.status)).one() == "failed"


def test_mail_alert_through_a_real_smtp_server(store):
    from aiosmtpd.controller import Controller

    from tests.test_digest import Collector, free_port

    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = quick(smtp_host="127.0.0.1", smtp_port=controller.port)
        settings = settings.override({"app.url": "https://insights.example"})
        subscribe(store, "VN", email="vn-lead@example.com", who="ana")
        run_alerts(store, settings, day(34))
        result = run_alerts(store, settings, day(35))
    finally:
        controller.stop()
    assert result.errors == [] and [s.channel for s in result.sent] == ["email"]
    assert handler.rcpts == [["vn-lead@example.com"]]
    msg = handler.messages[0]
    assert "VN" in msg["Subject"] and day(35).isoformat() in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Payout held" in text and "https://insights.example/?theme=3" in text
    assert 'href="https://insights.example/?theme=3"' in html


def test_mail_without_a_mail_server_stays_queued(store):
    subscribe(store, "VN", email="vn-lead@example.com", who="ana")
    run_alerts(store, quick(), day(34))
    result = run_alerts(store, quick(), day(35))
    assert len(result.errors) == 1 and "INSIGHTS_SMTP_HOST" in result.errors[0]
    with session_scope(store) as s:
        assert s.scalars(select(AlertDelivery.status)).one() == "failed"


# --------------------------------------------------------------------------- CLI


def test_cli_json_contract_and_exit_codes(store, hooks, monkeypatch):
    monkeypatch.setenv("INSIGHTS_DIGEST_BACKOFF", "0")
    result = runner.invoke(
        app, ["alerts", "run", "--day", day(35).isoformat(), "--dry-run", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    alerts = json.loads(result.stdout)
    assert isinstance(alerts, list) and len(alerts) == 2
    assert list(alerts[0])[:7] == [
        "theme_id",
        "title",
        "region",
        "day",
        "count",
        "expected",
        "q_value",
    ]
    assert "dry run" in result.stderr and count(store, AlertDay) == 0

    for args, message in [
        (["run", "--day", "2026-13-01"], "--day must be a date"),
        (["run", "--day", "2999-01-01"], "not over yet"),
        (["run", "--format", "csv"], "--format must be"),
        (["subscribe", "--region", "TH"], "either a webhook URL or an e-mail address"),
        (["subscribe", "--region", "TH", "--webhook", "ftp://x"], "http:// or https://"),
        (["subscribe", "--region", "TH", "--email", "nope"], "not an e-mail address"),
        (["subscribe", "--webhook", "https://h.example/x"], "a region is needed"),
        (["subscribe", "--region", "TH", "--email", "a@example.com", "--kind", "x"], "kind"),
        (["unsubscribe", "42"], "no subscription with id 42"),
        (["list", "--format", "xml"], "--format must be"),
    ]:
        bad = runner.invoke(app, ["alerts", *args])
        assert bad.exit_code == 2, (args, bad.stdout, bad.stderr)
        lines = bad.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, lines)

    warned = runner.invoke(
        app, ["alerts", "subscribe", "--region", "XX", "--email", "x@example.com", "--by", "ana"]
    )
    assert warned.exit_code == 0 and "no tickets from region XX" in warned.stderr
    hook = hooks(statuses=[500] * 3)
    ok = runner.invoke(app, ["alerts", "subscribe", "--region", "TH", "--webhook", hook.url])
    assert ok.exit_code == 0 and "subscription 2" in ok.stdout and "s3cr3t" not in ok.stdout
    listed = runner.invoke(app, ["alerts", "list", "--format", "json"])
    assert [s["region"] for s in json.loads(listed.stdout)] == ["TH", "XX"]
    assert "s3cr3t" not in listed.stdout

    runner.invoke(app, ["alerts", "run", "--day", day(34).isoformat()])
    failed = runner.invoke(app, ["alerts", "run", "--day", day(35).isoformat(), "--format", "json"])
    assert failed.exit_code == 1  # the delivery failed: said on stderr, kept for the next run
    assert len(json.loads(failed.stdout)) == 2
    errors = [x for x in failed.stderr.splitlines() if x.startswith("error:")]
    assert any("HTTP 500" in e for e in errors) and "s3cr3t" not in failed.stderr
    again = runner.invoke(app, ["alerts", "run", "--day", day(36).isoformat()])
    assert again.exit_code == 0, again.stderr
    assert "sent 1 alert(s) to subscription 2" in again.stdout
    assert len(hook.bodies) == 1
    removed = runner.invoke(app, ["alerts", "unsubscribe", "2", "--by", "ana"])
    assert removed.exit_code == 0 and "removed" in removed.stdout


# --------------------------------------------------------------------------- app


def test_alerts_page_lists_spikes_and_manages_subscriptions(store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP

    run_alerts(store, quick(), day(34))
    run_alerts(store, quick(), day(35))
    at = AppTest.from_file(str(APP / "Home.py"), default_timeout=60)
    at.switch_page("pages/4_Alerts.py")
    at.session_state["who"] = "ana"
    at.run()
    assert not at.exception, at.exception
    spikes = at.dataframe[0].value
    assert set(zip(spikes["theme_id"], spikes["region"], strict=True)) == {(2, "TH"), (3, "VN")}
    assert set(spikes["delivered"]) == {"no subscriber"}
    assert "/?theme=2" in " ".join(spikes["link"])

    at.text_input(key="subscribe_region").set_value("th")
    at.text_input(key="subscribe_target").set_value("https://hooks.example/services/T/B/x")
    at.button[[b.label for b in at.button].index("Subscribe")].click().run()
    assert not at.exception, at.exception
    assert [(s.region, s.channel, s.created_by) for s in list_subscriptions(store)] == [
        ("TH", "webhook", "ana")
    ]
    assert "Subscribed" in " ".join(m.value for m in at.success)
    at.button[[b.label for b in at.button].index("Remove")].click().run()
    assert not at.exception, at.exception
    assert list_subscriptions(store) == []


def test_alerts_page_on_a_store_without_tickets(db_url):
    from streamlit.testing.v1 import AppTest

    from tests.test_app import APP

    at = AppTest.from_file(str(APP / "Home.py"), default_timeout=60)
    at.switch_page("pages/4_Alerts.py")
    at.run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "No spikes recorded yet" in captions and "No subscriptions" in captions
