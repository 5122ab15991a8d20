"""`insights app` beyond loopback: refused without a login (exit 2, one line saying why) unless
`--insecure` is given; served with a password or OIDC secrets. No server is started: the
Streamlit child is replaced by a recorder."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from insights.cli import serve_app
from insights.cli.main import app
from tests.conftest import REPO

runner = CliRunner()


@pytest.fixture
def started(monkeypatch, tmp_path) -> list[list[str]]:
    """Commands `insights app` would have run (none started), in a clean cwd and home."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INSIGHTS_APP_PASSWORD", raising=False)
    monkeypatch.setenv("INSIGHTS_DB_URL", f"sqlite:///{tmp_path / 'store.db'}")
    commands: list[list[str]] = []

    def record(command: list[str], env: dict[str, str]) -> int:
        commands.append(command)
        return 0

    monkeypatch.setattr(serve_app, "run_child", record)
    return commands


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "insights.local", ""])
def test_beyond_loopback_without_a_login_exits_2_with_the_reason(started, host):
    result = runner.invoke(app, ["app", "--host", host])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "without a login" in lines[0] and "INSIGHTS_APP_PASSWORD" in lines[0]
    assert "--insecure" in lines[0]
    assert started == []


def test_the_real_command_exits_2_before_touching_anything(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "INSIGHTS_HOME": str(tmp_path),
        "PYTHONPATH": str(REPO),  # this checkout, wherever the package was installed from
    }
    proc = subprocess.run(
        [sys.executable, "-m", "insights.cli.main", "app", "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: --host 0.0.0.0 would serve every ticket")
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "insights.db").exists()  # refused before the store was opened


def test_insecure_warns_and_serves(started):
    result = runner.invoke(app, ["app", "--host", "0.0.0.0", "--insecure"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: --insecure: serving on 0.0.0.0 without a login")
    assert started and started[0][started[0].index("--server.address") + 1] == "0.0.0.0"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_needs_no_login(started, host):
    result = runner.invoke(app, ["app", "--host", host])
    assert result.exit_code == 0, result.output
    assert len(started) == 1 and "warning" not in result.stderr


def test_a_password_login_may_serve_the_network(started, monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_PASSWORD", "s3cret")
    result = runner.invoke(app, ["app", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1


@pytest.mark.parametrize("where", ["cwd", "home"])
def test_oidc_secrets_may_serve_the_network(started, tmp_path, where):
    folder = (tmp_path if where == "cwd" else tmp_path / "home") / ".streamlit"
    folder.mkdir(parents=True)
    (folder / "secrets.toml").write_text(
        '[auth]\nredirect_uri = "http://x/oauth2callback"\ncookie_secret = "c"\n'
        'client_id = "i"\nclient_secret = "s"\n'
        'server_metadata_url = "https://idp/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["app", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1


def test_secrets_without_auth_are_no_login_and_bad_toml_is_one_line(started, tmp_path):
    folder = tmp_path / ".streamlit"
    folder.mkdir()
    (folder / "secrets.toml").write_text('api_key = "x"\n', encoding="utf-8")
    assert runner.invoke(app, ["app", "--host", "0.0.0.0"]).exit_code == 2
    (folder / "secrets.toml").write_text("[auth\nbroken", encoding="utf-8")
    result = runner.invoke(app, ["app", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and lines[0].startswith("error: cannot read") and "secrets.toml" in lines[0]
    )
    assert started == []


def test_roles_without_a_login_are_noted(started, monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_ROLES", "ana@shop=admin")
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 0
    assert "INSIGHTS_APP_ROLES applies only with a login" in result.stderr


def test_a_login_without_roles_says_everyone_is_a_viewer(started, monkeypatch):
    monkeypatch.setenv("INSIGHTS_APP_PASSWORD", "s3cret")
    monkeypatch.delenv("INSIGHTS_APP_ROLES", raising=False)
    result = runner.invoke(app, ["app"])
    assert result.exit_code == 0 and len(started) == 1
    assert "everyone who signs in is a viewer" in result.stderr
    monkeypatch.setenv("INSIGHTS_APP_ROLES", "ana@shop=admin")
    assert "viewer" not in runner.invoke(app, ["app"]).stderr
