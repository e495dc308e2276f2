"""In Debian's headless Chromium on a phone screen, against the real gevent server: a submit made while the phone is
offline is sent by itself once the connection is back (and the page never says "connected" beside "cannot reach
the server"); the question shown one at a time survives a reload; registration shows every error at once."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_attempt import PHONE_VIEWPORT, browser  # noqa: F401  (a fixture)
from tests.server.running import DEMO_PASSWORD, running_server

pytestmark = pytest.mark.browser

expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, entrants=6) as server:
        yield server


class NetworkCut:
    """The phone offline (``context.set_offline``), its websocket ended at once as well (a real phone's would end
    within its ping timeout) and refused while the cut lasts."""

    def __init__(self, context):
        self.context = context
        self.down = False
        self.sockets = []

    def route(self, ws) -> None:
        if self.down:
            ws.close()
        else:
            ws.connect_to_server()
            self.sockets.append(ws)

    def cut(self) -> None:
        self.down = True
        self.context.set_offline(True)
        while self.sockets:
            self.sockets.pop().close()

    def restore(self) -> None:
        self.down = False
        self.context.set_offline(False)


def open_round_id(server) -> int:
    return requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()[-1]["id"]


def test_a_submit_made_offline_is_sent_when_the_connection_is_back(server, browser, tmp_path):  # noqa: F811
    context = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    network = NetworkCut(context)
    page.route_web_socket(re.compile(r"/socket\.io/"), network.route)
    page.goto("/login")
    page.fill("#login", "0900000005")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    round_id = open_round_id(server)
    page.goto(f"/rounds/{round_id}/play")
    page.click("#start")
    expect(page.locator("#paper")).to_be_visible()
    attempt_id = int(page.locator("#play").get_attribute("data-attempt-id"))
    expect(page.locator("#link-state")).to_have_attribute("data-state", "online")

    # One at a time: the third question, kept over a reload of the tab.
    page.click('#navigator .jump[data-slot="2"]')
    page.locator("#q-2 label.choice").first.click()
    expect(page.locator("#q-2 .save-state")).to_have_attribute("data-state", "saved")
    page.reload()
    expect(page.locator("#q-2")).to_be_visible()
    expect(page.locator("#q-0")).to_be_hidden()
    expect(page.locator("#link-state")).to_have_attribute("data-state", "online")

    network.cut()
    expect(page.locator("#link-state")).to_have_attribute("data-state", "link_lost")
    if page.locator("#prediction-box").is_visible():
        page.fill("#prediction", "7")
    page.click("#submit")
    page.click("#confirm-yes")
    waiting = page.locator("#submit-error")
    expect(waiting).to_have_attribute("data-reason", "waiting")
    expect(waiting).to_contain_text("Bài sẽ tự nộp ngay khi có kết nối trở lại")
    expect(page.locator("#link-state")).to_have_attribute("data-state", "link_lost")  # the two lines agree
    page.screenshot(path=tmp_path / "submit-waiting-360.png")
    http = server.login("0900000005", DEMO_PASSWORD)
    assert http.get(f"{server.url}/api/attempts/{attempt_id}", timeout=10).json()["attempt"]["status"] == \
        "in_progress"

    network.restore()  # back: Socket.IO reconnects, and the waiting submit goes, once
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"))
    stored = http.get(f"{server.url}/api/attempts/{attempt_id}", timeout=10).json()["attempt"]
    assert stored["status"] == "submitted" and stored["answers"].get("2")
    assert not page.evaluate(f"localStorage.getItem('olympiad.submit.{attempt_id}')")
    context.close()


def test_registration_shows_every_error_at_once(server, browser):  # noqa: F811
    context = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.goto("/register")
    page.fill("#full_name", "Nguyễn Thị Lỗi")
    page.fill("#birth_date", "2007-05-01")
    page.fill("#phone", "12345")
    page.fill("#password", "mat-khau-dai-1")
    page.fill("#confirm", "mat-khau-khac-2")
    page.click("button.primary")  # no unit, no consent, a bad phone, passwords that differ: one submit

    errors = page.locator(".field-error")
    expect(errors.filter(has_text="10 chữ số")).to_have_count(1)
    expect(errors.filter(has_text="Hai mật khẩu không khớp")).to_have_count(1)
    expect(errors.filter(has_text="đồng ý")).to_have_count(1)
    assert errors.count() >= 4  # and the unit
    expect(page.locator("#password-cleared")).to_be_visible()
    expect(page.locator("#full_name")).to_have_value("Nguyễn Thị Lỗi")  # what is safe to keep is kept
    expect(page.locator("#password")).to_have_value("")
    context.close()
