"""The public leaderboard page in headless Chromium against the real gevent server: it watches the board over
``/board`` and redraws itself while simulated entrants submit through the HTTP API (no reload, no polling)."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.server.running import DEMO_PASSWORD, Server, running_server

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
ENTRANTS = 6


def board_server(tmp_path_factory):
    return running_server(tmp_path_factory, entrants=ENTRANTS, OLYMPIAD_LOGIN_LIMIT_PER_IP="100000 per minute")


def submit_as(server: Server, phone: str, round_id: int, right: int) -> dict:
    """An entrant answers ``right`` questions (whatever they pick) and submits, over the HTTP API."""
    http = server.login(phone, DEMO_PASSWORD)
    attempt = http.post(f"{server.url}/api/rounds/{round_id}/attempts", json={}, timeout=10).json()["attempt"]
    for question in attempt["questions"][:right]:
        reply = http.put(f"{server.url}/api/attempts/{attempt['id']}/answers/{question['slot']}",
                         json={"choice": [question["options"][0]["key"]], "seq": 1}, timeout=10).json()
        assert reply["ok"], reply
    result = http.post(f"{server.url}/api/attempts/{attempt['id']}/submit", json={}, timeout=10).json()
    assert result["ok"], result
    return result["result"]


def test_the_board_page_updates_live_while_entrants_submit(tmp_path_factory, tmp_path):
    with board_server(tmp_path_factory) as server, sync_playwright() as playwright:
        demo = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()[-1]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN").new_page()
            hosts, sockets = set(), []
            page.on("request", lambda request: hosts.add(request.url.split("/")[2].split(":")[0]))
            page.on("websocket", lambda socket: sockets.append(socket.url))
            page.goto(f"/rounds/{demo['id']}/board")
            expect(page.locator("#board-live")).to_have_attribute("data-live-state", "live")
            # what nginx routes watchers to the board processes by (deploy/nginx.conf)
            assert len(sockets) == 1 and "audience=board" in sockets[0], sockets
            before = int(page.locator("#board-total").get_attribute("data-total"))
            assert page.locator("#board").get_attribute("data-pushes") is None

            for n in range(1, 4):
                submit_as(server, f"09000000{n:02d}", demo["id"], right=n)
                # the ticker pushes within about a second of the submit
                expect(page.locator("#board-total")).to_have_attribute("data-total", str(before + n))
            expect(page.locator("#board-rows tr")).to_have_count(before + 3)
            assert int(page.locator("#board").get_attribute("data-pushes")) >= 1
            page.screenshot(path=tmp_path / "board-360.png", full_page=True)

            scores = [int(text) for text in page.locator("#board-rows tr td:nth-child(4)").all_inner_texts()]
            assert scores == sorted(scores, reverse=True)
            ranks = page.locator("#board-rows tr td.rank").all_inner_texts()
            assert ranks[:3] == ["1", "2", "3"]
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE_VIEWPORT["width"] + 1, f"the board is {width} px wide on a phone"

            page.goto(f"/rounds/{demo['id']}/units")
            expect(page.locator("#units-chart meter").first).to_be_visible()
            expect(page.locator("#activity-chart meter").first).to_be_visible()
            # bars in CSS: no chart library, and the page fits the phone
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"] + 1
            assert not page.evaluate("[...document.scripts].filter(s => /chart/i.test(s.src)).length")
            assert hosts <= {"127.0.0.1", "localhost"}, f"requests left the machine: {hosts}"
        finally:
            browser.close()
