"""The same week, the same numbers: with INSIGHTS_TIMEZONE far from UTC, `insights themes
--week W`, the digest of W and the app's Home for W show the same per-theme volumes, lifecycle
and order (they once disagreed: the app counted weeks in INSIGHTS_TIMEZONE, the rest in UTC)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from insights.cli.main import app as cli
from insights.digest import build_and_deliver
from insights.settings import load_settings
from tests.test_app import app_at, build_store, frames

FAR_ZONE = "Pacific/Kiritimati"  # UTC+14: most Sunday-evening tickets fall into another week


def cli_week(week: str) -> list[tuple[int, int, str]]:
    result = CliRunner().invoke(cli, ["themes", "--week", week, "--format", "json"])
    assert result.exit_code == 0, result.output
    return [(t["theme_id"], t["volume"], t["lifecycle"]) for t in json.loads(result.stdout)]


def app_week(week: str) -> list[tuple[int, int, str]]:
    at = app_at("Home.py")
    at.run()
    at.selectbox(key="week").set_value(week).run()
    assert not at.exception, at.exception
    table = frames(at)[0]
    return [
        (int(t), int(v), str(lc))
        for t, v, lc in zip(table["theme_id"], table["volume"], table["lifecycle"], strict=True)
    ]


def digest_week(engine, week: str, tmp_path) -> list[tuple[int, int, str]]:
    result = build_and_deliver(engine, load_settings(), week=week, out_dir=tmp_path)
    return [(t.theme_id, t.volume, t.lifecycle) for t in result.content.top]


@pytest.mark.parametrize("zone", [FAR_ZONE, "America/Los_Angeles"])
def test_cli_digest_and_app_agree_on_a_week_far_from_utc(db_url, monkeypatch, tmp_path, zone):
    engine = build_store(db_url)
    at = app_at("Home.py")
    at.run()
    utc_week = at.selectbox(key="week").value
    utc = cli_week(utc_week)

    monkeypatch.setenv("INSIGHTS_TIMEZONE", zone)
    at = app_at("Home.py")
    at.run()
    week = at.selectbox(key="week").value  # the app's default: the latest complete week
    shown = cli_week(week)
    assert shown, "no themes in the week"
    assert app_week(week) == shown
    assert digest_week(engine, week, tmp_path) == [t for t in shown if t[1] > 0]
    if week == utc_week:  # the zone moved tickets between weeks: the test can tell them apart
        assert sorted(shown) != sorted(utc)
