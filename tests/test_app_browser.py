"""The app in a real browser: `insights app` on 127.0.0.1 driven by headless Chromium.

Open Home, open a theme, set a tag, reload and see it; ticket HTML never runs. A screenshot of
each step is saved under the test's tmp_path.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import wait_until_healthy
from tests.test_app import build_store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(db_url, tmp_path):
    build_store(db_url)
    port = _free_port()
    insights = Path(sys.executable).parent / "insights"
    env = {**os.environ, "INSIGHTS_APP_PASSWORD": ""}
    log = (tmp_path / "app.log").open("w")
    proc = subprocess.Popen(
        [str(insights), "app", "--port", str(port), "--db", db_url],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{url}/_stcore/health", proc, (tmp_path / "app.log").read_text, 60)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    text = (tmp_path / "app.log").read_text()
    assert f"http://127.0.0.1:{port}" in text  # the command printed the URL


def test_home_theme_tag_reload_in_chromium(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            # Home: the ranked table with the three themes.
            page.goto(server, wait_until="domcontentloaded")
            table = page.locator('[data-testid="stDataFrame"]').first
            expect(table).to_be_visible(timeout=30_000)
            expect(page.get_by_text("Spiking themes")).to_be_visible()
            # Table text sits in a hidden accessibility table, filled once the grid has drawn.
            cell = page.locator('[data-testid="stDataFrame"] td', has_text="courier delay")
            cell.first.wait_for(state="attached", timeout=30_000)
            page.screenshot(path=str(tmp_path / "1-home.png"), full_page=True)

            # A theme page, as the digest links it (/?theme=<id> redirects to the theme page).
            page.goto(f"{server}/?theme=2", wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="refund not received")).to_be_visible(
                timeout=30_000
            )
            assert "/Theme" in page.url
            page.screenshot(path=str(tmp_path / "2-theme.png"), full_page=True)

            # Set a tag in the Edit tab, with a name for the audit log.
            page.get_by_role("textbox", name="You (for the audit log)").fill("browser@shop")
            page.get_by_role("textbox", name="You (for the audit log)").press("Enter")
            page.get_by_role("tab", name="Edit").click()
            page.get_by_role("textbox", name="New tags").fill("browser-tag")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_text("Saved theme 2.")).to_be_visible(timeout=30_000)

            # Reload: the tag comes back from the store.
            page.reload(wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="refund not received")).to_be_visible(
                timeout=30_000
            )
            expect(page.locator("code", has_text="browser-tag")).to_be_visible(timeout=30_000)
            page.get_by_role("tab", name="History & audit").click()
            who = page.locator('[data-testid="stDataFrame"] td', has_text="browser@shop")
            who.first.wait_for(state="attached", timeout=30_000)
            page.screenshot(path=str(tmp_path / "3-tagged.png"), full_page=True)

            # Ticket text with HTML/script is shown as text and never runs.
            page.goto(f"{server}/Theme?theme=3", wait_until="domcontentloaded")
            expect(page.get_by_role("heading", name="seller payout held")).to_be_visible(
                timeout=30_000
            )
            page.get_by_role("tab", name="Tickets").click()
            page.wait_for_timeout(1000)
            assert page.evaluate("window.__pwned") is None
            assert page.locator("b", has_text="bold").count() == 0
            page.screenshot(path=str(tmp_path / "4-escaped.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []
    for name in ("1-home.png", "2-theme.png", "3-tagged.png", "4-escaped.png"):
        assert (tmp_path / name).stat().st_size > 10_000
