"""Daily regional alerts: the day's tests, the privacy floor, once-per-episode delivery."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from insights.trends import TrendParams, prepare
from insights.trends.alerts import (
    ALERT_FIELDS,
    AlertParams,
    CellTest,
    Episode,
    advance_episodes,
    daily_tests,
    days_to_check,
)

START = date(2026, 3, 2)
REGIONS = ("ID", "TH", "VN")


def make_frame(days: int = 35, seed: int = 0, bursts: dict | None = None) -> pd.DataFrame:
    """Poisson tickets a day: themes 1-4 at 6/3/2/1 a day per region, plus 40 unthemed.

    ``bursts[(theme, region, day_index, kind)] = n`` adds n tickets of that cell on that day.
    """
    rng = np.random.default_rng(seed)
    rows = []
    rates = {1: 6.0, 2: 3.0, 3: 2.0, 4: 1.0, None: 40.0}
    for d in range(days):
        for region in REGIONS:
            for theme, lam in rates.items():
                for _ in range(rng.poisson(lam)):
                    kind = (
                        "seller"
                        if theme == 4 or (theme is None and rng.random() < 0.3)
                        else "buyer"
                    )
                    rows.append((d, region, theme, kind))
    for (theme, region, d, kind), n in (bursts or {}).items():
        rows += [(d, region, theme, kind)] * n
    secs = rng.uniform(0, 86399, len(rows))
    df = pd.DataFrame(rows, columns=["d", "region", "theme_id", "kind"])
    df["created_at"] = pd.Timestamp(START) + pd.to_timedelta(df["d"], unit="D")
    df["created_at"] += pd.to_timedelta(secs, unit="s")
    df["ticket_id"] = range(len(df))
    frame, _ = prepare(
        df.drop(columns="d"), TrendParams(), now=pd.Timestamp(START) + pd.Timedelta(days=days)
    )
    return frame


def day(i: int) -> date:
    return START + timedelta(days=i)


def test_burst_in_one_region_is_the_only_spike():
    frame = make_frame(bursts={(2, "TH", 30, "buyer"): 12})  # 3/day -> 15
    tests = daily_tests(frame, day(30))
    spikes = [t for t in tests if t.spike]
    assert {(t.theme_id, t.region, t.kind) for t in spikes} <= {(2, "TH", None), (2, "TH", "buyer")}
    assert (2, "TH", None) in {(t.theme_id, t.region, t.kind) for t in spikes}
    top = next(t for t in spikes if t.kind is None)
    # the burst does not inflate its own expectation (exposure = the region's other tickets)
    assert top.count >= 12 and top.expected == pytest.approx(3, rel=0.35)
    assert top.q_value <= AlertParams().fdr


def test_quiet_days_give_no_spikes():
    frame = make_frame(seed=1)
    for i in range(20, 35):
        assert not [t for t in daily_tests(frame, day(i)) if t.spike]


def test_privacy_floor_keeps_small_cells_untested():
    frame = make_frame(bursts={(4, "VN", 30, "seller"): 3})  # 1/day -> ~4: under the floor of 5
    cell = [t for t in daily_tests(frame, day(30)) if (t.theme_id, t.region) == (4, "VN")]
    assert cell and all(t.p_value is None and not t.spike for t in cell if t.count < 5)
    strict = AlertParams(min_group=50)
    assert not [t for t in daily_tests(frame, day(30), strict) if t.p_value is not None]


def test_a_day_without_tickets_or_regions_has_no_tests():
    frame = make_frame(days=10)
    assert daily_tests(frame, day(40)) == []
    assert daily_tests(frame.drop(columns="region"), day(5)) == []


def test_kind_cell_uses_its_own_exposure():
    frame = make_frame(bursts={(4, "ID", 30, "seller"): 9})
    tests = {(t.theme_id, t.region, t.kind): t for t in daily_tests(frame, day(30))}
    seller = tests[(4, "ID", "seller")]
    region = tests[(4, "ID", None)]
    assert seller.count == region.count
    local = frame.loc[frame["region"] == "ID"]
    dd = (local["local_at"].dt.normalize() - pd.Timestamp(START)).dt.days
    for t, sub in ((seller, local["kind"] == "seller"), (region, local["kind"].notna())):
        base = (dd >= 2) & (dd < 30) & sub  # the 28 days before day 30
        mine = local["theme_id"] == 4
        b = (base & mine).sum()
        today = (dd == 30) & sub
        # exposure: the segment's other tickets, in the baseline and on the day
        expected = (b + 0.5) / (base.sum() - b) * (today.sum() - (today & mine).sum())
        assert t.expected == pytest.approx(expected)


def cell(theme=2, region="TH", kind=None, d=0, spike=True, p=1e-6, count=15):
    return CellTest(theme, region, kind, day(d), count, 3.0, p, p * 10, spike)


def test_episode_is_alerted_once_and_ends_after_quiet_days():
    params = AlertParams(quiet_days=2)
    up = advance_episodes([], [cell(d=0)], day(0), params, titles={2: "Late refunds"})
    assert [a.title for a in up.alerts] == ["Late refunds"]
    eps = up.episodes
    up = advance_episodes(eps, [cell(d=1, count=20)], day(1), params)  # still spiking
    assert up.alerts == [] and up.episodes[0].peak_count == 20
    up = advance_episodes(up.episodes, [], day(2), params)  # normal day 1
    assert up.episodes[0].ended is None
    up = advance_episodes(up.episodes, [], day(3), params)  # normal day 2: over
    assert up.episodes[0].ended == day(3) and up.ended == up.episodes
    up = advance_episodes(up.episodes, [cell(d=4)], day(4), params)  # a new episode
    assert len(up.alerts) == 1 and up.episodes[-1].started == day(4)


def test_elevated_days_keep_the_episode_open():
    params = AlertParams(quiet_days=2, normal_p=0.1)
    eps = advance_episodes([], [cell(d=0)], day(0), params).episodes
    for d in range(1, 6):  # elevated, not significant: same episode, no alert
        up = advance_episodes(eps, [cell(d=d, spike=False, p=0.03, count=6)], day(d), params)
        assert not up.alerts and up.episodes[0].ended is None
        eps = up.episodes
    assert eps[0].last_spike == day(0) and eps[0].last_elevated == day(5)


def test_rerunning_a_day_sends_nothing_new():
    eps = advance_episodes([], [cell(d=0)], day(0)).episodes
    again = advance_episodes(eps, [cell(d=0)], day(0))
    assert again.alerts == [] and again.episodes == eps


def test_kind_alert_is_suppressed_while_its_region_cell_spikes():
    tests = [cell(kind=None), cell(kind="buyer")]
    up = advance_episodes([], tests, day(0))
    assert [(a.kind, a.region) for a in up.alerts] == [(None, "TH")]
    only_kind = advance_episodes([], [cell(kind="seller", theme=4)], day(0))
    assert [(a.theme_id, a.kind) for a in only_kind.alerts] == [(4, "seller")]
    open_region = [Episode(2, "TH", None, day(0), day(0), day(0), day(0), 15, 1e-5)]
    up = advance_episodes(open_region, [cell(kind="buyer", d=1)], day(1))
    assert up.alerts == []


def test_alert_json_contract():
    up = advance_episodes([], [cell()], day(0), titles={2: "T"})
    out = up.alerts[0].to_json()
    assert tuple(out)[: len(ALERT_FIELDS)] == ALERT_FIELDS
    assert out["day"] == day(0).isoformat() and out["title"] == "T"


def test_days_to_check():
    today = date(2026, 5, 10)
    assert days_to_check(date(2026, 5, 8), today) == [date(2026, 5, 9)]
    assert days_to_check(date(2026, 5, 9), today) == []
    assert len(days_to_check(None, today, max_days=3)) == 3
    assert days_to_check(date(2026, 1, 1), today, max_days=2) == [
        date(2026, 5, 8),
        date(2026, 5, 9),
    ]
