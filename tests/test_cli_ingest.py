"""The command-line contract of ingest and export, run as a user would."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from typer.testing import CliRunner

from insights.cli.main import app
from tests.test_ingest import GOOD, HEADER, write_csv

runner = CliRunner()


def test_ingest_json_has_exactly_the_contract_keys(tmp_path):
    path = write_csv(tmp_path / "t.csv", GOOD)
    result = runner.invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(data) == {"read", "new", "updated", "duplicates", "quarantined", "batch_id"}
    assert data["read"] == data["new"] == 4
    again = json.loads(runner.invoke(app, ["ingest", str(path), "--json"]).stdout.splitlines()[-1])
    assert (again["new"], again["duplicates"]) == (0, 4)


def test_human_output_shows_counts_and_reasons(tmp_path):
    rows = [*GOOD, ["", "2026-06-01", "no id", "", "", "", ""]]
    result = runner.invoke(app, ["ingest", str(write_csv(tmp_path / "t.csv", rows))])
    assert result.exit_code == 0
    assert "quarantined" in result.stdout and "missing_id: 1" in result.stdout


def test_missing_column_is_one_line_exit_2_without_traceback(tmp_path):
    path = tmp_path / "nocol.csv"
    path.write_text("ticket_id,created_at,body\nx1,2025-01-06T00:00:00Z,hello\n")
    proc = subprocess.run(
        [sys.executable, "-m", "insights.cli.main", "ingest", str(path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "required column" in proc.stderr


def test_bad_kind_and_bad_db_url_are_one_line_errors(tmp_path):
    path = write_csv(tmp_path / "t.csv", GOOD)
    bad_kind = runner.invoke(app, ["ingest", str(path), "--kind", "robot"])
    assert bad_kind.exit_code == 2 and "--kind" in bad_kind.stderr
    bad_db = runner.invoke(app, ["ingest", str(path), "--db", "nonsense://"])
    assert bad_db.exit_code == 2 and "database" in bad_db.stderr.lower()


def test_kind_option_fills_rows_without_kind(tmp_path, db_url):
    header = ["ticket_id", "created_at", "text"]
    path = write_csv(
        tmp_path / "s.csv", [["s1", "2026-06-01", "payout belum masuk"]], header=header
    )
    assert (
        runner.invoke(app, ["ingest", str(path), "--kind", "seller", "--db", db_url]).exit_code == 0
    )
    out = tmp_path / "out.csv"
    assert (
        runner.invoke(app, ["export", "tickets", "--out", str(out), "--db", db_url]).exit_code == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["kind"] == "seller"


def test_export_tickets_columns_and_formula_neutralising(tmp_path):
    rows = [
        *GOOD,
        [
            "f1",
            "2026-06-03T00:00:00Z",
            '=HYPERLINK("http://x","click")',
            "buyer",
            "US",
            "email",
            "",
        ],
    ]
    runner.invoke(app, ["ingest", str(write_csv(tmp_path / "t.csv", rows))])
    out = tmp_path / "export.csv"
    result = runner.invoke(app, ["export", "tickets", "--out", str(out)])
    assert result.exit_code == 0
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == [
            "ticket_id",
            "created_at",
            "language",
            "kind",
            "region",
            "channel",
            "text",
        ]
        data = {r[0]: r for r in reader}
    assert len(data) == 5
    assert data["f1"][6].startswith("'=")
    assert data["a1"][1] == "2026-06-01T09:00:00Z"
    assert HEADER[0] == "ticket_id"
