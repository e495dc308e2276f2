"""A round paused in flight, in real browsers: an entrant is taking the demo round on a phone; an organiser pauses
it on the live monitor; the phone shows the paused banner at once, its clock stops and an answer chosen meanwhile
waits; on resume the banner goes, the clock runs again from where it stopped and the answer is saved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.test_assisted_reset import ADMIN, ADMIN_PASSWORD, log_in
from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.server.running import DEMO_PASSWORD, DEMO_PHONE, running_server

pytestmark = pytest.mark.browser


def test_the_attempt_page_shows_the_pause_and_goes_on_after_the_resume(tmp_path_factory):
    with running_server(tmp_path_factory) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN").new_page()
            phone.set_default_timeout(15_000)
            log_in(phone, DEMO_PHONE, DEMO_PASSWORD)
            expect(phone).to_have_url(re.compile(r"/account$"))
            round_id = phone.request.get("/api/rounds?status=open").json()[-1]["id"]
            phone.goto(f"/rounds/{round_id}/play")
            expect(phone.locator("#start")).to_be_enabled()
            phone.click("#start")
            expect(phone.locator("#paper")).to_be_visible()
            expect(phone.locator("#paused")).to_be_hidden()

            organiser = browser.new_context(base_url=server.url, locale="vi-VN").new_page()
            organiser.set_default_timeout(15_000)
            log_in(organiser, ADMIN, ADMIN_PASSWORD)
            expect(organiser).to_have_url(re.compile(r"/organiser/$"))
            organiser.goto(f"/organiser/rounds/{round_id}/live")
            organiser.fill("#clock-reason", "Sự cố mạng")
            organiser.click("#pause")
            expect(organiser.locator("#paused-note")).to_be_visible()

            expect(phone.locator("#paused")).to_be_visible()  # pushed: no reload
            expect(phone.locator("#paused")).to_contain_text("tạm dừng")
            expect(phone.locator("#submit")).to_be_disabled()
            stopped = phone.locator("#clock").inner_text()
            phone.wait_for_timeout(2_200)
            assert phone.locator("#clock").inner_text() == stopped  # the clock does not run
            phone.locator("#q-0 label.choice").nth(0).click()
            expect(phone.locator("#q-0 .save-state")).not_to_have_attribute("data-state", "saved")
            phone.reload()  # opened during the pause: paused at once, the clock at what was left at the pause
            expect(phone.locator("#paper")).to_be_visible()
            expect(phone.locator("#paused")).to_be_visible()
            assert abs(seconds(phone.locator("#clock").inner_text()) - seconds(stopped)) <= 1

            organiser.click("#resume")
            expect(organiser.locator("#pause")).to_be_visible()
            expect(phone.locator("#paused")).to_be_hidden()
            expect(phone.locator("#q-0 .save-state")).to_have_attribute("data-state", "saved")  # sent after all
            expect(phone.locator("#submit")).to_be_enabled()
            expect(phone.locator("#clock")).not_to_have_text(stopped, timeout=5_000)  # running again
            organiser.goto(f"/organiser/rounds/{round_id}/results")
            expect(organiser.locator("#adjustments li")).to_have_count(2)
        finally:
            browser.close()


def seconds(shown: str) -> int:
    """'09:41' (or '1:09:41') as seconds."""
    total = 0
    for part in shown.strip().split(":"):
        total = total * 60 + int(part)
    return total
