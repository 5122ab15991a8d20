"""Fix impact: rate ratio with exposure, verdicts, weeks needed, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from insights.trends import TrendParams, prepare
from insights.trends.fix_impact import (
    JSON_FIELDS,
    FixInputError,
    FixParams,
    fix_impact,
    rate_ratio_test,
    segment_weekly,
)

START = date(2026, 1, 5)  # a Monday


def weekly(
    before: int, after: int, rate: float, effect: float, total: float, seed: int = 0, step=1.0
) -> tuple[pd.Series, pd.Series, date, date]:
    """Poisson counts; the fix ships on the Wednesday of week ``before``."""
    rng = np.random.default_rng(seed)
    n = before + 1 + after
    totals = np.full(n, float(total))
    totals[before + 1 :] *= step
    mu = rate * totals
    mu[before + 1 :] *= 1 + effect
    weeks = pd.date_range(START, periods=n, freq="7D")
    fix = START + timedelta(weeks=before, days=2)
    today = START + timedelta(weeks=n)
    return pd.Series(rng.poisson(mu), weeks), pd.Series(totals, weeks), fix, today


def test_halved_rate_is_improved_with_interval_around_the_truth():
    counts, totals, fix, today = weekly(12, 8, rate=0.02, effect=-0.5, total=5000)
    res = fix_impact(counts, totals, fix, today=today, theme_id=7)
    assert res.verdict == "improved"
    assert res.ci_low < -0.5 < res.ci_high
    assert res.change == pytest.approx(-0.5, abs=0.1)
    assert res.before_rate == pytest.approx(0.02, rel=0.1)
    assert res.after_rate == pytest.approx(0.01, rel=0.15)
    assert res.p_value < 1e-6
    assert (res.weeks_before, res.weeks_after) == (12, 8)
    assert res.first_after_week == START + timedelta(weeks=13)


def test_doubling_is_worse():
    counts, totals, fix, today = weekly(12, 6, rate=0.01, effect=1.0, total=5000, seed=1)
    assert fix_impact(counts, totals, fix, today=today).verdict == "worse"


def test_volume_change_alone_is_no_change():
    """Segment volume doubles after the fix, the theme's share does not move."""
    counts, totals, fix, today = weekly(12, 8, rate=0.02, effect=0.0, total=5000, step=2.0)
    res = fix_impact(counts, totals, fix, today=today)
    assert counts.iloc[-8:].mean() > 1.6 * counts.iloc[:12].mean()  # raw counts did double
    assert res.verdict == "no change"
    assert res.weeks_needed == 0
    assert res.ci_low < 0 < res.ci_high


def test_one_week_after_is_too_early_and_says_how_long():
    counts, totals, fix, today = weekly(12, 1, rate=0.004, effect=-0.5, total=5000)
    res = fix_impact(counts, totals, fix, today=today)
    assert res.verdict == "too early"
    assert res.weeks_needed is not None and res.weeks_needed >= 1


def test_no_complete_week_after_is_too_early_without_estimate():
    counts, totals, fix, _ = weekly(12, 0, rate=0.004, effect=0.0, total=5000)
    res = fix_impact(counts, totals, fix, today=fix + timedelta(days=3))
    assert res.verdict == "too early"
    assert res.change is None and res.p_value is None and res.weeks_after == 0
    assert res.weeks_needed is not None and res.weeks_needed > 0


def test_tiny_theme_never_reaches_power():
    counts, totals, fix, today = weekly(12, 4, rate=0.0002, effect=0.0, total=5000)
    res = fix_impact(counts, totals, fix, today=today)
    assert res.verdict == "too early"
    assert res.weeks_needed is None  # 1 ticket a week: a 30 % change is never visible


def test_weeks_needed_shrinks_as_weeks_pass():
    needed = []
    for after in (2, 3, 4):
        counts, totals, fix, today = weekly(12, after, rate=0.002, effect=0.0, total=5000)
        needed.append(fix_impact(counts, totals, fix, today=today).weeks_needed)
    assert needed[0] > needed[1] > needed[2] >= 0


def test_fix_on_first_day_of_week_counts_that_week_as_after():
    counts, totals, _, today = weekly(12, 4, rate=0.02, effect=0.0, total=5000)
    monday = START + timedelta(weeks=12)
    res = fix_impact(counts, totals, monday, today=today)
    assert res.first_after_week == monday
    assert (res.weeks_before, res.weeks_after) == (12, 5)


def test_incomplete_current_week_is_left_out():
    counts, totals, fix, today = weekly(12, 4, rate=0.02, effect=0.0, total=5000)
    res = fix_impact(counts, totals, fix, today=today - timedelta(days=3))
    assert res.weeks_after == 3


def test_bad_input_is_one_line_errors():
    counts, totals, fix, today = weekly(12, 4, rate=0.02, effect=0.0, total=5000)
    with pytest.raises(FixInputError, match="in the future"):
        fix_impact(counts, totals, today + timedelta(days=1), today=today)
    with pytest.raises(FixInputError, match="before the first ticket"):
        fix_impact(counts, totals, START - timedelta(days=1), today=today)
    with pytest.raises(FixInputError, match="complete week"):
        fix_impact(counts, totals, START + timedelta(days=9), today=today)
    with pytest.raises(FixInputError, match="no tickets"):
        fix_impact(counts * 0, totals * 0, fix, today=today)
    with pytest.raises(ValueError, match="more theme tickets"):
        fix_impact(totals + 1, totals, fix, today=today)


def test_json_contract_comes_first():
    counts, totals, fix, today = weekly(12, 4, rate=0.02, effect=-0.5, total=5000)
    out = fix_impact(counts, totals, fix, today=today, theme_id=3).to_json()
    assert tuple(out)[: len(JSON_FIELDS)] == JSON_FIELDS
    assert out["fix_date"] == fix.isoformat() and out["theme_id"] == 3


def test_rate_ratio_matches_a_quasi_poisson_glm():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    t = rng.uniform(800, 1500, 20)
    after = np.r_[np.zeros(12), np.ones(8)]
    y = rng.poisson(t * 0.03 * np.where(after > 0, 0.6, 1.0) * rng.gamma(5, 0.2, 20))
    fit = rate_ratio_test(y[:12], t[:12], y[12:], t[12:])
    glm = sm.GLM(y, sm.add_constant(after), family=sm.families.Poisson(), offset=np.log(t))
    res = glm.fit(scale="X2")
    assert res.scale > 1  # overdispersed: the floor at 1 does not bite
    assert fit.log_ratio == pytest.approx(res.params[1], abs=5e-3)  # up to the Jeffreys 0.5
    assert fit.se == pytest.approx(res.bse[1], rel=0.02)
    assert fit.dispersion == pytest.approx(res.scale, rel=0.05)


def test_params_are_checked():
    with pytest.raises(ValueError):
        FixParams(before_weeks=2, min_before_weeks=4)
    with pytest.raises(ValueError):
        FixParams(detect_change=1.5)


def test_segment_weekly_counts_theme_and_segment_totals():
    rows = []
    for w in range(6):
        day = pd.Timestamp(START) + pd.Timedelta(weeks=w, hours=10)
        rows += [(day, 1, "TH", "buyer")] * 3 + [(day, 2, "TH", "seller")] * 2
        rows += [(day, 1, "ID", "buyer")] * 5 + [(day, None, "TH", "buyer")]
    df = pd.DataFrame(rows, columns=["created_at", "theme_id", "region", "kind"])
    df["ticket_id"] = range(len(df))
    frame, _ = prepare(df, TrendParams(), now=pd.Timestamp(START) + pd.Timedelta(weeks=8))
    counts, totals = segment_weekly(frame, 1, region="TH")
    assert counts.tolist() == [3.0] * 6
    assert totals.tolist() == [6.0] * 6  # unthemed tickets count in the exposure
    counts, totals = segment_weekly(frame, 2, region="TH", kind="buyer")
    assert counts.sum() == 0 and totals.tolist() == [4.0] * 6
    with pytest.raises(FixInputError, match="no tickets in region XX"):
        segment_weekly(frame, 1, region="XX")
