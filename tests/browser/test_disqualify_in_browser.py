"""An organiser disqualifies an entrant from a published round on the entrant's page: the public board no longer
shows them and the published version goes up, its changelog giving the reason; the entrant's result page says
they were disqualified. Real pages against the gevent server, Debian's headless Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import create_engine, text

from tests.browser.test_assisted_reset import ADMIN, ADMIN_PASSWORD, log_in
from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.browser.test_board import submit_as
from tests.server.running import DEMO_PASSWORD, running_server

pytestmark = pytest.mark.browser
CHEAT = "0900000001"


def close_round(database_url: str, round_id: int) -> None:
    """The round closed a second ago (the demo's is open for a week), as if its week had passed."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE rounds SET opens_at = :opens, closes_at = :closes WHERE id = :id"),
                               {"opens": datetime.now(UTC) - timedelta(hours=1),
                                "closes": datetime.now(UTC) - timedelta(seconds=1), "id": round_id})
    finally:
        engine.dispose()


def test_an_organiser_disqualifies_from_the_entrant_page(tmp_path_factory, tmp_path):
    with running_server(tmp_path_factory, entrants=4, OLYMPIAD_LOGIN_LIMIT_PER_IP="100000 per minute") as server, \
            sync_playwright() as playwright:
        demo = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()[-1]
        for n, right in [(1, 3), (2, 2), (3, 1)]:
            submit_as(server, f"09000000{n:02d}", demo["id"], right=right)
        close_round(server.database_url, demo["id"])
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN").new_page()
            page.set_default_timeout(15_000)
            log_in(page, ADMIN, ADMIN_PASSWORD)
            expect(page).to_have_url(re.compile(r"/organiser/$"))
            page.goto(f"/organiser/rounds/{demo['id']}/results")
            page.click("#publish")
            expect(page.locator("#versions tbody tr")).to_have_count(1)

            page.goto(f"/rounds/{demo['id']}/board")
            total = int(page.locator("#board-total").get_attribute("data-total"))
            page.goto("/organiser/entrants/")
            page.fill("#q", CHEAT)
            page.click("form[role=search] button")
            page.locator("table.entrants tbody a").first.click()
            name = page.locator("h1").inner_text().strip()
            page.goto(f"/rounds/{demo['id']}/board")
            expect(page.locator("#board-rows")).to_contain_text(name)

            page.go_back()
            page.select_option("#dq-where", f"round:{demo['id']}")
            page.fill("#dq-reason", "Dùng hai tài khoản")
            page.click("#disqualify")
            expect(page.locator(".flash.success")).to_be_visible()
            expect(page.locator("#disqualifications li.standing")).to_contain_text("Dùng hai tài khoản")
            page.screenshot(path=tmp_path / "entrant-disqualified-360.png", full_page=True)

            page.goto(f"/rounds/{demo['id']}/board")
            expect(page.locator("#board-total")).to_have_attribute("data-total", str(total - 1))
            expect(page.locator("#board-rows")).not_to_contain_text(name)

            page.goto(f"/organiser/rounds/{demo['id']}/results")
            expect(page.locator("#versions tbody tr")).to_have_count(2)
            latest = page.locator("#versions tbody tr").first
            expect(latest.locator("td").first).to_have_text("2")
            expect(latest).to_contain_text("Dùng hai tài khoản")
            expect(page.locator("#disqualified")).to_contain_text(name)
            page.click("header form button")

            log_in(page, CHEAT, DEMO_PASSWORD)
            page.goto("/rounds")
            page.locator("a[href^='/attempts/'][href$='/result']").first.click()
            expect(page.locator("#my-disqualification")).to_contain_text("Dùng hai tài khoản")
            expect(page.locator("#my-rank")).to_have_count(0)
        finally:
            browser.close()
