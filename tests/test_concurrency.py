"""Concurrency: people tag and rename themes in the app while a refresh runs in another process
(issue 8, item 3), on both backends: no write is lost, the audit log tells the true story, and no
"database is locked" (or PostgreSQL serialization / deadlock error) reaches the person.

The writers do exactly what the app's Save button does (``app/ui.py: annotation_form``): read
the theme's notes with ``get_notes``, then submit every field through ``annotate``. The refresh
process does what the scheduled flow does: ingest the drop folder, then a full refresh.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, func, select

from insights.people.annotate import (
    FIELDS,
    ThemeNotes,
    annotate,
    audit_trail,
    get_notes,
    resolve_theme,
)
from insights.store.db import connect, session_scope
from insights.store.models import Run, Ticket
from insights.views import tagging
from insights.views.themes import current_themes, theme_meta
from tests.conftest import REPO, first_refresh, seed_vectors, write_sample
from tests.forked import Forked

pytestmark = pytest.mark.slow

REFRESH_SCRIPT = """
import sys
from pathlib import Path

from insights.settings import load_settings
from insights.jobs.inbox import process_inbox
from insights.jobs.refresh import refresh
from insights.store.db import connect

settings = load_settings()
engine = connect(settings.store.db_url)
outcomes = process_inbox(engine, settings, Path(sys.argv[1]))
assert [o.status for o in outcomes] == ["ingested"], outcomes
print(refresh(engine, settings, full=True).message)
"""
#: Pause between one person's saves: a busy person, not a load test.
PAUSE = 0.2
#: Every writer saves at least this often, even if the refresh is over sooner.
MIN_WRITES = 10


@dataclass
class Writer:
    """One person saving the form of one theme again and again, each time changing one thing."""

    who: str
    theme_id: int
    what: str  # "tag": add a new tag; "title": set a new title
    done: list[str] = field(default_factory=list)  # the values saved, in order
    during_refresh: int = 0
    errors: list[str] = field(default_factory=list)

    def save(self, engine: Engine, i: int) -> None:
        notes = get_notes(engine, self.theme_id)
        value = f"{self.who} {i}"
        tags = [*notes.tags, *tagging.parse_tags(value if self.what == "tag" else "")]
        annotate(
            engine,
            self.theme_id,
            self.who,
            seen=notes,
            title=value if self.what == "title" else notes.title or "",
            tags=tags,
            owner=notes.owner or "",
            status=notes.status,
            tracker_url=notes.tracker_url or "",
            note=notes.note or "",
        )
        self.done.append(value)

    def run(self, engine: Engine, refreshing: threading.Event, stop: threading.Event) -> None:
        i = 0
        while not stop.is_set() or len(self.done) < MIN_WRITES:
            busy = refreshing.is_set()
            try:
                self.save(engine, i)
            except Exception as exc:  # the person would see this
                self.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
                if len(self.errors) > 5:
                    return
            else:
                self.during_refresh += busy
            i += 1
            time.sleep(PAUSE)


def viewer(engine: Engine, stop: threading.Event, errors: list[str]) -> None:
    """Someone browsing the themes pages meanwhile: reads must not fail either."""
    while not stop.is_set():
        try:
            theme_meta(engine)
            current_themes(engine)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
            return
        time.sleep(PAUSE)


def assert_audit_chain(engine: Engine, theme_id: int, start: dict) -> list[dict]:
    """Each audit entry's "before" is what the entry before it left: a change that read stale
    values (and so silently undid or misreported another) breaks the chain."""
    state = dict(start)
    entries = list(reversed(audit_trail(engine, theme_id)))
    for n, entry in enumerate(entries):
        before, after = entry["before"] or {}, entry["after"] or {}
        for key in set(FIELDS) & set(before):
            assert before[key] == state[key], (n, entry["who"], key, before[key], state[key])
        state.update({k: after[k] for k in set(FIELDS) & set(after)})
    return entries


def test_tags_and_titles_written_during_a_refresh_are_all_kept(
    db_url, seeded, tmp_path, monkeypatch
):
    monkeypatch.setenv("INSIGHTS_EMBED_MAX_TOKENS", "32")  # faster, same code paths
    first = seeded("first-150", first_refresh)  # 150 tickets after a real refresh
    assert first.run_id is not None and first.n_themes >= 3, first.message
    engine = connect(db_url)
    a, b, c = (t.theme_id for t in current_themes(engine)[:3])
    writers = [
        Writer("ana@shop.co", a, "tag"),
        Writer("budi@shop.co", b, "tag"),
        Writer("chai@shop.co", c, "title"),
        Writer("dung@shop.co", c, "title"),  # two people renaming the same theme
    ]
    start = {t.theme_id: vars(get_notes(engine, t.theme_id)) for t in current_themes(engine)}
    inbox = tmp_path / "inbox"
    # the refresh's vectors are cached (embedded once per session): its writes are under test
    seed_vectors(db_url, "sample-150-210-32tok", write_sample(inbox / "new.csv", 150, 60))

    refreshing, stop, view_errors = threading.Event(), threading.Event(), []
    threads = [threading.Thread(target=w.run, args=(engine, refreshing, stop)) for w in writers] + [
        threading.Thread(target=viewer, args=(engine, stop, view_errors))
    ]
    log = tmp_path / "refresh.log"
    refreshing.set()
    for t in threads:
        t.start()
    proc = Forked(["-c", REFRESH_SCRIPT, str(inbox)], log, cwd=REPO)
    try:
        proc.wait(timeout=600)
    finally:
        proc.kill()
        refreshing.clear()
        stop.set()
        for t in threads:
            t.join(timeout=120)
    output = log.read_text(errors="replace")
    assert proc.returncode == 0, output[-3000:]
    assert "locked" not in output.lower()

    assert [w.errors for w in writers] == [[]] * len(writers)
    assert view_errors == []
    assert all(w.during_refresh >= 3 for w in writers), [w.during_refresh for w in writers]
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 210
        assert list(session.scalars(select(Run.status).order_by(Run.id))) == ["ok", "ok"]

    # a refresh may merge one writer's theme into another's: follow merges, as the app does
    with session_scope(engine) as session:
        touched = {resolve_theme(session, t) for t in (a, b, c)} | {a, b, c}
    trails = [e for tid in touched for e in assert_audit_chain(engine, tid, start[tid])]
    for w in writers:
        saved = [e for e in trails if e["action"] == "annotate" and e["who"] == w.who]
        assert len(saved) == len(w.done), w.who  # one audit row per save, none lost
        now = get_notes(engine, w.theme_id)
        if w.what == "tag":
            assert [v for v in w.done if v not in now.tags] == []  # no tag lost
        else:
            assert sorted(e["after"]["title"] for e in saved) == sorted(w.done)
    with session_scope(engine) as session:
        renamed = resolve_theme(session, c)
    newest = next(e for e in audit_trail(engine, renamed) if "title" in (e["after"] or {}))
    assert get_notes(engine, c).title == newest["after"]["title"]


def test_a_stale_form_does_not_undo_what_others_saved_since(db_url):
    """Fast companion of the test above: the form was shown, someone else saved, then the form
    is saved. With ``seen`` only the fields the person changed are written; a merged theme's
    form reads and writes the survivor."""
    from datetime import datetime

    from insights.people.annotate import merge_themes
    from insights.store.models import Theme

    engine = connect(db_url)
    with session_scope(engine) as session:
        session.add(
            Run(id=1, mode="full", status="ok", model_id="m", started_at=datetime(2026, 7, 1))
        )
        session.flush()
        for tid in (1, 2):
            session.add(Theme(id=tid, label=f"machine {tid}", created_run_id=1, last_run_id=1))
    annotate(engine, 1, "ana", tags=["refund"], owner="ana")
    shown = get_notes(engine, 1)  # the form as rendered
    annotate(engine, 1, "budi", seen=get_notes(engine, 1), tags=["refund", "bank"], note="n")
    annotate(
        engine,
        1,
        "chai",
        seen=shown,
        title="Refund late",
        tags=[t for t in shown.tags if t != "refund"] + ["late"],
        owner=shown.owner or "",
        note=shown.note or "",
    )
    now = get_notes(engine, 1)
    assert (now.title, now.tags, now.owner, now.note) == (
        "Refund late",
        ["bank", "late"],
        "ana",
        "n",
    )
    assert_audit_chain(engine, 1, vars(ThemeNotes(theme_id=1)))

    merge_themes(engine, 2, 1, "lead")
    assert get_notes(engine, 2) == get_notes(engine, 1)  # the survivor's notes
