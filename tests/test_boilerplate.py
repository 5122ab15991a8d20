"""Boilerplate learned from the data, and the texts a refresh embeds."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from insights.ingest.boilerplate import BoilerplateLearner, BoilerplateParams
from insights.ingest.prepare import embedding_inputs, stored_learner, text_hash
from insights.store.db import connect, session_scope
from insights.store.models import BoilerplateLine, Ticket

TOPICS = {
    "refund": ["My refund for the {w} never arrived.", "Refund for my {w} still missing."],
    "courier": ["The courier lost my {w}.", "My {w} is stuck at the courier hub."],
    "login": ["I cannot log in to buy the {w}.", "Login fails when I open the {w} page."],
    "voucher": ["Voucher rejected for the {w}.", "My voucher for the {w} disappeared."],
}
WORDS = [
    f"{a} {b}"
    for a in ["red", "blue", "green", "black", "white", "small", "large", "new", "old", "cheap"]
    for b in [
        "shoes",
        "phone",
        "lamp",
        "kettle",
        "jacket",
        "watch",
        "blender",
        "chair",
        "desk",
        "sofa",
    ]
]
MACRO = "This mailbox is monitored by the Customer Care Unit of the Example Group Ltd."
FORM = "Submitted via the web form, category General enquiry"


def corpus(n: int = 400, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """Tickets of four topics; a quarter carry a macro line, some a form line, and every
    refund ticket a recurring (topical) subject line."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _i in range(n):
        topic = rng.choice(sorted(TOPICS))
        lines = [rng.choice(TOPICS[topic]).format(w=rng.choice(WORDS))]
        if topic == "refund":
            lines.insert(0, "Refund not received")
        if rng.random() < 0.25:
            lines.append(MACRO)
        if rng.random() < 0.15:
            lines.insert(0, FORM)
        texts.append("\n".join(lines))
        labels.append(topic)
    texts += ["cancel order pls"] * 30  # a whole ticket that recurs is content
    # a content line that recurs beside the same two greetings is content too
    texts += [f"{g}\nPlease change my delivery address" for g in ("Yo folks", "Heya all") * 15]
    return texts, labels, ["en"] * len(texts)


def test_recurring_lines_without_a_shared_topic_are_learned_topical_ones_are_not():
    texts, _, langs = corpus()
    learner = BoilerplateLearner().fit(texts, langs)
    learned = {example for example, _, _ in learner.lines_.values()}
    assert MACRO in learned and FORM in learned
    assert "Refund not received" not in learned
    assert "cancel order pls" not in learned
    assert "Please change my delivery address" not in learned
    sample = f"{FORM}\nMy lamp is stuck at the courier hub.\n{MACRO}"
    assert learner.transform(sample) == "My lamp is stuck at the courier hub."
    assert learner.transform(MACRO) == MACRO  # never emptied
    again = BoilerplateLearner().fit(texts, langs)
    assert again.lines_ == learner.lines_


def test_a_notice_is_learned_when_wrapping_left_beside_it_is_its_only_common_ground():
    """An unknown legal notice stops the rule cleaner's bottom-up scan, so the footer above it
    stays only in the tickets that hold the notice: the footer's words must not pass for the
    notice's topic (the tickets' own words decide)."""
    rng = random.Random(3)
    notice = "Thong tin trong thu nay duoc bao ve. Nghiem cam sao chep."
    footer = "Gui tu dien thoai Xiaomi"
    texts = []
    for _i in range(400):
        topic = rng.choice(sorted(TOPICS))
        body = rng.choice(TOPICS[topic]).format(w=rng.choice(WORDS))
        texts.append(f"{body}\n\n{footer}\n\n{notice}" if rng.random() < 0.3 else body)
    learner = BoilerplateLearner().fit(texts, ["vi"] * 400)
    wrapped = f"My lamp is stuck at the courier hub.\n\n{footer}\n\n{notice}"
    assert learner.transform(wrapped) == "My lamp is stuck at the courier hub."


def test_thresholds_keep_rare_lines():
    texts, _, langs = corpus(n=60)
    learner = BoilerplateLearner(BoilerplateParams(min_tickets=40)).fit(texts, langs)
    assert learner.lines_ == {}


def write_tickets(path, rows):
    """`rows` of (ticket_id, created_at, text, language) as an ingestible CSV file."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ticket_id", "created_at", "text", "language"])
        writer.writerows(rows)
    return path


@pytest.fixture
def engine(db_url):
    return connect(db_url)


def test_embedding_inputs_key_the_embedded_text_and_store_the_learned_lines(engine, tmp_path):
    from insights.ingest.load import ingest_file
    from insights.settings import load_settings

    texts, _, _ = corpus(n=200)
    path = write_tickets(
        tmp_path / "t.csv", [[f"t{i}", "2025-01-06", t, "en"] for i, t in enumerate(texts)]
    )
    ingest_file(engine, path, load_settings())
    inputs = embedding_inputs(engine)
    assert len(inputs.ids) == len(texts) and inputs.n_boilerplate >= 2
    assert all(MACRO not in t for t in inputs.texts)
    with session_scope(engine) as s:
        rows = dict(s.execute(select(Ticket.id, Ticket.content_hash)).all())
        lines = s.scalars(select(BoilerplateLine.text)).all()
    assert [rows[int(i)] for i in inputs.ids] == inputs.hashes
    assert inputs.hashes == [text_hash(t) for t in inputs.texts]
    assert MACRO in lines
    assert stored_learner(engine).transform(f"Login fails.\n{MACRO}") == "Login fails."
    # a ticket rewritten by ingest while the learning ran (its row hash moved on) keeps the
    # hash ingest gave it
    from types import SimpleNamespace

    from insights.ingest.prepare import _write

    tid = int(inputs.ids[0])
    stale = SimpleNamespace(id=tid, row_hash="seen-before", content_hash="old", clean_text="c")
    _write(engine, [stale], ["c"], ["would-be"], BoilerplateLearner())
    with session_scope(engine) as s:
        assert s.get(Ticket, tid).content_hash == inputs.hashes[0]


def test_the_inputs_are_learned_once_until_the_tickets_change(engine, tmp_path, monkeypatch):
    """The refresh flow asks twice per run (embedding, then discovery): one learning."""
    from insights.ingest.load import ingest_file
    from insights.settings import load_settings

    texts, _, _ = corpus(n=120)

    rows = [[f"t{i}", "2025-01-06", text, "en"] for i, text in enumerate(texts)]
    ingest_file(engine, write_tickets(tmp_path / "a.csv", rows[:100]), load_settings())
    fits = []
    original = BoilerplateLearner.fit
    monkeypatch.setattr(
        BoilerplateLearner, "fit", lambda self, *a: fits.append(1) or original(self, *a)
    )
    first = embedding_inputs(engine)
    assert embedding_inputs(engine) is first and len(fits) == 1
    ingest_file(engine, write_tickets(tmp_path / "b.csv", rows[100:]), load_settings())
    again = embedding_inputs(engine)
    assert len(fits) == 2 and len(again.ids) == len(texts)


PORTAL = "Raised through the partner portal, queue B"


def test_a_new_process_applies_the_stored_lines_until_the_tickets_change(
    engine, tmp_path, monkeypatch
):
    """Each `insights refresh` is a new process: it applies the lines the store says were
    learned from exactly its tickets instead of learning again (~1 s on 3,000 tickets), and
    learns again when tickets arrive, the parameters differ or the stored lines do not give
    back the stored keys. Either way the inputs are those of a fresh learning."""

    from sqlalchemy import delete

    from insights.ingest.load import ingest_file
    from insights.ingest.prepare import forget_inputs
    from insights.settings import load_settings
    from insights.store.models import BoilerplateState

    def same(a, b) -> bool:
        return a.ids.tolist() == b.ids.tolist() and (
            a.hashes,
            a.texts,
            a.languages,
            a.n_boilerplate,
        ) == (b.hashes, b.texts, b.languages, b.n_boilerplate)

    texts, _, _ = corpus(n=200, seed=3)
    rows = [[f"t{i}", "2025-01-06", text, "en"] for i, text in enumerate(texts)]
    # the second file brings a line of its own that recurs beside unrelated texts: boilerplate
    later = [[f"p{i}", "2025-01-07", f"{texts[i]}\n{PORTAL}", "en"] for i in range(0, 60, 4)]
    ingest_file(engine, write_tickets(tmp_path / "a.csv", rows), load_settings())
    fits = []
    original = BoilerplateLearner.fit
    monkeypatch.setattr(
        BoilerplateLearner, "fit", lambda self, *a: fits.append(1) or original(self, *a)
    )
    first = embedding_inputs(engine)
    assert len(fits) == 1 and first.n_boilerplate >= 1

    forget_inputs()  # a new process, the same tickets: the stored lines, no learning
    again = embedding_inputs(engine)
    assert len(fits) == 1 and same(again, first)

    ingest_file(engine, write_tickets(tmp_path / "b.csv", later), load_settings())
    forget_inputs()  # new tickets: learned again, and the new line is learned
    grown = embedding_inputs(engine)
    assert len(fits) == 2 and len(grown.ids) == len(rows) + len(later)
    assert grown.n_boilerplate > first.n_boilerplate
    assert not any(PORTAL in t for t in grown.texts)

    with session_scope(engine) as s:  # what a fresh learning gives: without the stored state
        s.execute(delete(BoilerplateState))
    forget_inputs()
    fresh = embedding_inputs(engine)
    assert len(fits) == 3 and same(fresh, grown)

    forget_inputs()  # the stored lines are applied again ...
    assert same(embedding_inputs(engine), grown) and len(fits) == 3
    forget_inputs()  # ... but not for other parameters
    embedding_inputs(engine, BoilerplateParams(min_tickets=9))
    assert len(fits) == 4

    embedding_inputs(engine)  # learned with the defaults again (stored), then lines lost:
    with session_scope(engine) as s:
        s.execute(delete(BoilerplateLine))
    forget_inputs()  # they no longer give back the stored keys, so they are learned again
    assert same(embedding_inputs(engine), grown) and len(fits) == 6


def test_learning_sample_is_all_tickets_up_to_the_cap_then_a_stable_nested_sample() -> None:
    from insights.ingest.prepare import learning_sample

    assert learning_sample(list(range(50)), cap=100) == list(range(50))
    ids = list(range(1, 20_001))
    picked = learning_sample(ids, cap=2_000)
    assert 1_700 < len(picked) < 2_300
    grown = learning_sample([*ids, *range(20_001, 40_001)], cap=2_000)
    # a grown store learns from a subset of what it learned from before, plus new tickets
    assert {ids[i] for i in grown if i < len(ids)} <= {ids[i] for i in picked}


def test_a_store_above_the_learning_cap_learns_from_its_sample(engine, tmp_path, monkeypatch):
    """The macro is still learned from a sample of a quarter of the tickets; the count shown
    with a learned line is scaled to the store."""

    from insights.ingest import prepare
    from insights.ingest.load import ingest_file
    from insights.settings import load_settings

    texts, _, _ = corpus(n=800)
    path = write_tickets(
        tmp_path / "t.csv", [[f"t{i}", "2025-01-06", t, "en"] for i, t in enumerate(texts)]
    )
    ingest_file(engine, path, load_settings())
    monkeypatch.setattr(prepare, "LEARN_SAMPLE", 200)
    inputs = embedding_inputs(engine)
    assert all(MACRO not in t for t in inputs.texts)
    with session_scope(engine) as s:
        stmt = select(BoilerplateLine.tickets).where(BoilerplateLine.text == MACRO)
        macro = s.scalars(stmt).one()
    carrying = sum(MACRO in t for t in texts)
    assert 0.5 * carrying < macro < 1.5 * carrying  # the sample's count, scaled to the store


def test_a_ticket_without_cleaned_text_is_cleaned_from_its_raw_text(engine, tmp_path):
    """Rows stored before cleaning existed: the raw text is read for them (and only them)."""

    from sqlalchemy import update

    from insights.ingest.load import ingest_file
    from insights.ingest.prepare import forget_inputs
    from insights.settings import load_settings

    path = write_tickets(
        tmp_path / "t.csv",
        [
            ["a", "2025-01-06", "Hi team,\nMy refund never arrived.", "en"],
            ["b", "2025-01-06", "Courier lost my parcel.", "en"],
        ],
    )
    ingest_file(engine, path, load_settings())
    with session_scope(engine) as s:
        s.execute(update(Ticket).where(Ticket.external_id == "a").values(clean_text=None))
    forget_inputs()
    inputs = embedding_inputs(engine)
    assert inputs.texts == ["My refund never arrived.", "Courier lost my parcel."]
    with session_scope(engine) as s:
        stored = s.scalars(select(Ticket.clean_text).order_by(Ticket.id)).all()
    assert stored == inputs.texts
