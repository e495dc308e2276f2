"""One device per attempt in real browsers (issue 14): an entrant's phone starts a round, the same entrant opens it
on a second device (another browser context: its own localStorage, so its own device id); the phone is told at
once, says so, stops sending, and an answer from it is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS
from tests.server.running import DEMO_PASSWORD, DEMO_PHONE, running_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory) as server:
        yield server


def _device(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 360, "height": 740}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.fill("#login", DEMO_PHONE)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/account$"))
    return page


def test_a_second_device_takes_over_and_the_first_is_told_and_refused(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = _device(browser, server)
            round_id = phone.request.get("/api/rounds?status=open").json()[-1]["id"]
            phone.goto(f"/rounds/{round_id}/play")
            expect(phone.locator("#start")).to_be_enabled()
            phone.click("#start")
            expect(phone.locator("#paper")).to_be_visible()
            attempt_id = int(phone.locator("#play").get_attribute("data-attempt-id"))
            phone.locator("#q-0 label.choice").nth(0).click()
            expect(phone.locator("#q-0 .save-state")).to_have_attribute("data-state", "saved")
            phone_device = phone.evaluate("localStorage.getItem('olympiad.device')")
            assert re.fullmatch(r"[A-Za-z0-9_-]{16}", phone_device)

            laptop = _device(browser, server)  # a second context: its own storage, so another device
            laptop.goto(f"/rounds/{round_id}/play")
            expect(laptop.locator("#paper")).to_be_visible()  # resumed there, with the phone's answer
            expect(laptop.locator("#q-0 input:checked")).to_have_count(1)
            assert laptop.evaluate("localStorage.getItem('olympiad.device')") != phone_device

            expect(phone.locator("#taken-over")).to_be_visible()  # told at once, no reload
            expect(phone.locator("#taken-over-text")).to_contain_text("thiết bị khác")
            expect(phone.locator("#submit")).to_be_disabled()
            sent = []
            phone.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
            phone.locator("#q-0 label.choice").nth(1).click()  # the page sends nothing more
            phone.wait_for_timeout(500)
            assert not any("answer" in str(frame) for frame in sent)

            # The old device's answer is refused by the server itself, whatever its page does.
            refused = phone.request.put(f"/api/attempts/{attempt_id}/answers/1", data={"choice": ["A"], "seq": 5},
                                        headers={"X-Olympiad-Device": phone_device})
            assert refused.status == 409 and refused.json()["error"]["code"] == "attempt_taken_over"
            laptop.locator("#q-0 label.choice").nth(2).click()
            expect(laptop.locator("#q-0 .save-state")).to_have_attribute("data-state", "saved")
            answers = laptop.request.get(f"/api/attempts/{attempt_id}").json()["attempt"]["answers"]
            assert list(answers) == ["0"]
        finally:
            browser.close()
