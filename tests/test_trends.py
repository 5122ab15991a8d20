"""Trends: weeks, series, spike tests with FDR control, ranking, bad input.

Frames are synthetic and built from a fixed seed, so every count in a test is reproducible.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from insights.trends import (
    TrendParams,
    latest_complete_week,
    parse_week,
    prepare,
    rank_week,
    week_from_label,
    week_label,
    weekly_series,
)

START = date(2026, 6, 1)  # a Monday, ISO 2026-W23
NOW = datetime(2026, 12, 31)
REGIONS = ["ID", "TH", "VN", "MY"]


def make_frame(
    rates: dict[int, list[float]],
    seed: int = 0,
    bumps: dict[tuple[int, str, int], int] | None = None,
) -> pd.DataFrame:
    """Tickets with Poisson weekly counts per theme, regions drawn uniformly.

    ``rates[theme][w]`` is the expected count in week ``w``; ``bumps[(theme, region, w)]`` adds
    that many extra tickets of the theme in that region and week (a planted spike).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for theme, per_week in rates.items():
        for w, lam in enumerate(per_week):
            for _ in range(rng.poisson(lam)):
                rows.append((theme, w, REGIONS[rng.integers(len(REGIONS))]))
    for (theme, region, w), extra in (bumps or {}).items():
        rows.extend((theme, w, region) for _ in range(extra))
    n = len(rows)
    offsets = rng.uniform(0, 7 * 86400, size=n)
    created = [
        pd.Timestamp(START) + pd.Timedelta(weeks=w) + pd.Timedelta(seconds=float(o))
        for (_, w, _), o in zip(rows, offsets, strict=True)
    ]
    return pd.DataFrame(
        {
            "ticket_id": np.arange(n),
            "created_at": pd.to_datetime(created),
            "theme_id": pd.array([t for t, _, _ in rows], dtype="Int64"),
            "region": [r for _, _, r in rows],
            "kind": rng.choice(["buyer", "seller"], size=n),
            "language": rng.choice(["en", "id", "th"], size=n),
            "channel": rng.choice(["chat", "email"], size=n),
            "csat": np.where(rng.random(n) < 0.5, rng.integers(1, 6, size=n), np.nan),
        }
    )


def week_of(i: int) -> date:
    return START + timedelta(weeks=i)


def by_theme(items: list) -> dict:
    return {t.theme_id: t for t in items}


# --------------------------------------------------------------------------- weeks


def test_parse_week_accepts_iso_and_rejects_the_rest() -> None:
    assert parse_week("2026-W33") == date(2026, 8, 10)
    assert week_label(date(2026, 8, 10)) == "2026-W33"
    assert week_label(date(2026, 8, 14)) == "2026-W33"
    assert parse_week("2026-W53") == date(2026, 12, 28)  # 2026 has 53 ISO weeks
    for bad in ["2025-5", "2026-W60", "26-W01", "2026-33", "2025-W53", "", "2026-W00"]:
        with pytest.raises(ValueError) as err:
            parse_week(bad)
        assert "\n" not in str(err.value)


def test_sunday_weeks_shift_and_keep_labels() -> None:
    params = TrendParams(week_start="sunday")
    assert week_from_label("2026-W33", "sunday") == date(2026, 8, 9)
    assert week_label(date(2026, 8, 9), "sunday") == "2026-W33"
    frame = pd.DataFrame(
        {
            "ticket_id": [1, 2],
            "created_at": pd.to_datetime(["2026-08-09 10:00", "2026-08-10 10:00"]),
            "theme_id": [1, 1],
        }
    )
    monday, _ = prepare(frame, TrendParams(), now=NOW)
    sunday, _ = prepare(frame, params, now=NOW)
    assert [d.date() for d in monday["week"]] == [date(2026, 8, 3), date(2026, 8, 10)]
    assert [d.date() for d in sunday["week"]] == [date(2026, 8, 9), date(2026, 8, 9)]


def test_timezone_moves_late_sunday_tickets_into_next_week() -> None:
    frame = pd.DataFrame(
        {"ticket_id": [1], "created_at": pd.to_datetime(["2026-08-09 20:00"]), "theme_id": [1]}
    )
    utc, _ = prepare(frame, TrendParams(), now=NOW)
    bkk, _ = prepare(frame, TrendParams(timezone="Asia/Bangkok"), now=NOW)
    assert utc["week"].iloc[0].date() == date(2026, 8, 3)
    assert bkk["week"].iloc[0].date() == date(2026, 8, 10)  # 03:00 Monday in Bangkok


# --------------------------------------------------------------------------- bad input


def test_out_of_range_dates_are_counted_and_excluded() -> None:
    frame = pd.DataFrame(
        {
            "ticket_id": [1, 2, 3, 4, 5],
            "created_at": [
                "2026-08-10T10:00:00Z",
                "2027-06-01T00:00:00Z",  # future
                "1990-01-01T00:00:00Z",  # decades back
                "not a date",
                "2026-08-11T10:00:00+07:00",
            ],
            "theme_id": [1.0, 1.0, 1.0, 1.0, np.nan],
        }
    )
    out, n_bad = prepare(frame, TrendParams(), now=NOW)
    assert n_bad == 3
    assert sorted(out["ticket_id"]) == [1, 5]
    assert out["created_at"].iloc[1] == pd.Timestamp("2026-08-11 03:00")


def test_empty_frames_and_empty_weeks_give_zeros() -> None:
    empty, n_bad = prepare(pd.DataFrame(columns=["ticket_id", "created_at", "theme_id"]))
    assert n_bad == 0
    assert rank_week(empty, date(2026, 8, 10)) == []
    assert weekly_series(empty).empty
    assert latest_complete_week(empty) is None

    frame, _ = prepare(make_frame({1: [20, 20, 0, 0, 20]}, seed=1), now=NOW)
    assert rank_week(frame, week_of(2)) == []  # no tickets that week
    assert rank_week(frame, week_of(40)) == []  # far beyond the data
    series = weekly_series(frame, by="region")
    empty_week = series.loc[series["week"] == pd.Timestamp(week_of(2))]
    assert (empty_week["count"] == 0).all() and (empty_week["share"] == 0).all()
    assert (empty_week["segment_share"] == 0).all()

    # A theme present only this week in a region-filtered view with zero baseline: no error.
    items = rank_week(frame, week_of(4), region="TH")
    assert all(np.isfinite(t.growth) and np.isfinite(t.rank_score) for t in items)


# --------------------------------------------------------------------------- series


def test_weekly_series_fills_every_week() -> None:
    frame, _ = prepare(make_frame({1: [5, 0, 5], 2: [0, 0, 3]}, seed=2), now=NOW)
    series = weekly_series(frame)
    assert len(series) == 2 * 3
    row = series.set_index(["theme_id", "week"]).loc[(1, pd.Timestamp(week_of(1)))]
    assert row["count"] == 0
    total = series.groupby("week")["count"].sum()
    assert (series.groupby("week")["week_total"].first() == total).all()
    by_region = weekly_series(frame, by="region")
    assert set(by_region.columns) >= {"region", "segment_total", "segment_share"}
    assert by_region["count"].sum() == len(frame)
    with pytest.raises(ValueError):
        weekly_series(frame, by="colour")


def test_latest_complete_week_rule() -> None:
    frame = pd.DataFrame(
        {
            "ticket_id": [1, 2, 3],
            "created_at": pd.to_datetime(
                ["2026-08-03 09:00", "2026-08-12 09:00", "2026-08-16 09:00"]
            ),
            "theme_id": [1, 1, 1],
        }
    )
    prepared, _ = prepare(frame, now=NOW)
    # Newest ticket on Sunday 16 Aug, the last day of W33: W33 counts as complete.
    assert latest_complete_week(prepared) == date(2026, 8, 10)
    # Mid-week data: the week is not complete yet.
    assert latest_complete_week(prepared.iloc[:2]) == date(2026, 8, 3)
    assert latest_complete_week(prepared, now=datetime(2026, 8, 16, 23)) == date(2026, 8, 3)
    assert latest_complete_week(prepared, now=datetime(2026, 8, 17, 1)) == date(2026, 8, 10)


# --------------------------------------------------------------------------- spikes


def test_flat_theme_gives_no_spike() -> None:
    frame, _ = prepare(make_frame({1: [40.0] * 12, 2: [15.0] * 12}, seed=3), now=NOW)
    for w in range(2, 12):
        assert not any(t.spike for t in rank_week(frame, week_of(w)))


def test_region_jump_spikes_the_segment_and_the_theme() -> None:
    rates = {1: [40.0] * 12, 2: [30.0] * 12, 3: [25.0] * 12}
    # Theme 1 has ~10 a week in TH; week 9 gets 40 more there (5x).
    frame, _ = prepare(make_frame(rates, seed=4, bumps={(1, "TH", 9): 40}), now=NOW)
    items = by_theme(rank_week(frame, week_of(9)))
    t1 = items[1]
    assert t1.spike
    assert t1.q_value is not None and t1.p_value is not None and t1.q_value >= t1.p_value
    assert any(s["segment"] == "region" and s["value"] == "TH" for s in t1.spike_segments)
    top = t1.spike_segments[0]
    assert top["segment"] == "region" and top["value"] == "TH" and top["volume"] >= 40
    assert not items[2].spike and not items[3].spike
    assert rank_week(frame, week_of(9))[0].theme_id == 1  # the spike ranks first
    assert t1.score_parts["spike"] > 0
    assert t1.rank_score == pytest.approx(sum(t1.score_parts.values()))
    assert t1.regions["TH"] >= 40 and sum(t1.regions.values()) == t1.volume
    # The same week seen from TH only: the theme test itself finds it.
    th = by_theme(rank_week(frame, week_of(9), region="TH"))
    assert th[1].spike and th[1].volume == t1.regions["TH"]
    # The week after: back to normal.
    assert not by_theme(rank_week(frame, week_of(10)))[1].spike


def test_steady_rise_grows_without_spiking_every_week() -> None:
    rising = list(np.linspace(20, 50, 16))
    frame, _ = prepare(make_frame({1: rising, 2: [40.0] * 16}, seed=5), now=NOW)
    growths, spikes = [], 0
    for w in range(8, 16):
        t = by_theme(rank_week(frame, week_of(w)))[1]
        growths.append(t.growth)
        spikes += t.spike
    assert np.mean(growths) > 0.2
    assert spikes <= 1


def test_new_theme_is_flagged_and_not_tested_before_two_weeks() -> None:
    rates = {1: [40.0] * 12, 2: [0.0] * 8 + [25.0] * 4}
    frame, _ = prepare(make_frame(rates, seed=6), now=NOW)
    for w, new in [(8, True), (9, True), (10, False), (11, False)]:
        t = by_theme(rank_week(frame, week_of(w)))[2]
        assert t.is_new is new
        if new:
            assert t.p_value is None and not t.spike
    # Once tested, its baseline is its own short history, not the empty weeks before it.
    t = by_theme(rank_week(frame, week_of(10)))[2]
    assert t.baseline > 15 and not t.spike


def test_fading_theme_listed_with_zero_volume() -> None:
    rates = {1: [40.0] * 12, 2: [20.0] * 10 + [0.0, 0.0]}
    frame, _ = prepare(make_frame(rates, seed=7), now=NOW)
    t = by_theme(rank_week(frame, week_of(10)))[2]
    assert t.volume == 0 and t.share == 0.0 and t.growth == pytest.approx(-1.0)
    params = TrendParams(include_fading=False)
    assert 2 not in by_theme(rank_week(frame, week_of(10), params))


def test_fdr_keeps_false_spikes_near_zero_with_many_flat_themes() -> None:
    rng = np.random.default_rng(8)
    rates = {i: [float(lam)] * 12 for i, lam in enumerate(rng.uniform(8, 60, size=100))}
    frame, _ = prepare(make_frame(rates, seed=8), now=NOW)
    false_flags = sum(t.spike for w in range(2, 12) for t in rank_week(frame, week_of(w)))
    assert false_flags <= 1  # 100 themes x 10 weeks x (1 + 11 segment cells) tests


def test_overall_volume_change_is_not_a_spike() -> None:
    """Every theme doubling in one week is a busy week, not 30 spikes."""
    rates = {i: [20.0] * 9 + [40.0] + [20.0] * 2 for i in range(30)}
    frame, _ = prepare(make_frame(rates, seed=9), now=NOW)
    items = rank_week(frame, week_of(9))
    assert sum(t.spike for t in items) <= 1
    assert np.mean([t.growth for t in items]) > 0.5


def test_rank_score_parts_and_severity() -> None:
    frame, _ = prepare(make_frame({1: [30.0] * 10, 2: [30.0] * 10}, seed=10), now=NOW)
    frame.loc[frame["theme_id"] == 1, "csat"] = 1.0
    frame.loc[frame["theme_id"] == 2, "csat"] = 5.0
    items = by_theme(rank_week(frame, week_of(9)))
    assert items[1].csat == 1.0 and items[1].score_parts["severity"] == pytest.approx(0.15)
    assert items[2].score_parts["severity"] == 0.0
    assert set(items[1].score_parts) == {"volume", "growth", "spike", "severity"}
    assert sum(t.share for t in items.values()) == pytest.approx(1.0)
