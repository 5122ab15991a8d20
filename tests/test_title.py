"""Extractive theme titles: short clean phrases from the theme's tickets, unique per theme."""

from __future__ import annotations

import numpy as np

from insights.themes.title import MAX_PHRASE_CHARS, candidates, choose_titles, phrases, with_english


def test_phrases_drop_greetings_pii_and_long_sentences() -> None:
    text = (
        "Hi team, my refund has not arrived yet. Order [ORDER_ID] was returned on Monday and the "
        "app says the refund is complete but nothing reached my bank account so far.\nThank you"
    )
    got = phrases(text, "en")
    assert got == ["My refund has not arrived yet"]
    assert phrases("Xin chào, tôi chưa nhận được hoàn tiền", "vi") == [
        "Tôi chưa nhận được hoàn tiền"
    ]
    assert phrases("您好，我的退款还没有到账。谢谢", "zh") == ["我的退款还没有到账"]
    assert phrases("Where is my parcel?", "en") == ["Where is my parcel?"]
    assert phrases("ok", "en") == []  # too short to name anything
    assert all(len(p) <= MAX_PHRASE_CHARS for p in phrases("word " * 40, "en"))


def test_candidates_prefer_keywords_and_typical_tickets() -> None:
    texts = [
        "Refund not received after return",
        "Where is my refund for the returned parcel",
        "The courier was rude to me",  # no theme keyword: never a candidate
        "Refund not received, app shows completed",
    ]
    weights = {"refund": 1.0, "received": 0.6, "return": 0.3}
    rows = np.arange(len(texts))
    got = candidates(rows, texts, "en", weights, typicality=np.array([0.1, 0.0, 0.2, 0.5]))
    assert got[0].text == "Refund not received, app shows completed"  # most typical ticket
    assert all("courier" not in c.text for c in got)
    flat = candidates(rows, texts, "en", weights, typicality=None)
    assert flat[0].text == "Refund not received after return"  # coverage, then shorter
    assert candidates(rows[:0], texts, "en", weights, None) == []


def test_titles_are_unique_and_fall_back_to_keywords() -> None:
    options = {0: ["Refund not received", "Refund late"], 1: ["Refund not received"], 2: []}
    fallback = {0: "Refund / bank", 1: "Refund / wallet", 2: "Refund / bank"}
    titles = choose_titles(options, fallback, order=[0, 1, 2])
    assert titles[0] == "Refund not received"
    assert titles[1] == "Refund / wallet"  # its only phrase was taken by a larger theme
    assert titles[2] == "Refund / bank"
    assert len({t.lower() for t in titles.values()}) == 3
    clash = choose_titles({}, {0: "Refund", 1: "Refund"}, order=[0, 1])
    assert clash == {0: "Refund", 1: "Refund (2)"}


def test_english_keywords_beside_other_languages_only() -> None:
    assert with_english("Chưa nhận được tiền hoàn", ["refund", "bank"], "vi") == (
        "Chưa nhận được tiền hoàn (refund, bank)"
    )
    assert with_english("Refund not received", ["refund", "bank"], "en") == "Refund not received"
    assert with_english("Dana refund belum masuk", ["refund", "bank"], "id") == (
        "Dana refund belum masuk (bank)"  # a keyword already in the phrase is not repeated
    )
    assert with_english("Paket terlambat", [], "id") == "Paket terlambat"
