"""An entrant takes a timed round in Debian's headless Chromium on a 360 px phone screen, against the real gevent
server: over the websocket, over the HTTP fallback when the websocket cannot connect, and with the page closed
while the server finalises the attempt at its deadline."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from tests.server.running import DEMO_PASSWORD, DEMO_PHONE, app_env, flask_cli, running_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE_VIEWPORT = {"width": 360, "height": 740}
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory, OLYMPIAD_SWEEP_INTERVAL_S="1") as server:
        yield server


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _phone(browser, server) -> Page:
    context = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.hosts = set()
    page.sockets = []
    page.on("request", lambda request: page.hosts.add(urlsplit(request.url).hostname))
    page.on("websocket", lambda ws: page.sockets.append(ws.url))
    return page


def _log_in(page: Page, phone: str) -> None:
    page.goto("/login")
    page.fill("#login", phone)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/account$"))


def _open_round(server, title: str) -> dict:
    rounds = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()
    return next(r for r in rounds if r["title"] == title) if title else rounds[-1]


def _start(page: Page, round_id: int, screenshots=None) -> int:
    page.goto("/rounds")
    if screenshots:
        _no_horizontal_scroll(page)
        page.screenshot(path=screenshots / "rounds-360.png", full_page=True)
    page.click(f'#round-{round_id} a.button')
    expect(page).to_have_url(re.compile(rf"/rounds/{round_id}/play$"))
    expect(page.locator("#start")).to_be_enabled()
    if screenshots:
        page.screenshot(path=screenshots / "play-intro-360.png", full_page=True)
    page.click("#start")
    expect(page.locator("#paper")).to_be_visible()
    return int(page.locator("#play").get_attribute("data-attempt-id"))


def _answer(page: Page, slot: int, option: int = 0) -> None:
    """Pick an option of question ``slot`` (shown one at a time: jump there first) and wait until it is saved."""
    if page.locator("#play").get_attribute("data-view") == "one":
        page.click(f'#navigator .jump[data-slot="{slot}"]')
    page.locator(f"#q-{slot} label.choice").nth(option).click()
    expect(page.locator(f"#q-{slot} .save-state")).to_have_attribute("data-state", "saved")


def _checked(page: Page, slot: int) -> int:
    return page.locator(f"#q-{slot} input:checked").count()


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the page is {width} px wide on a {PHONE_VIEWPORT['width']} px phone"


def _api_attempt(page: Page, attempt_id: int) -> dict:
    return page.request.get(f"/api/attempts/{attempt_id}").json()["attempt"]


def test_whole_attempt_with_a_reload_midway(server, browser, tmp_path):
    page = _phone(browser, server)
    _log_in(page, DEMO_PHONE)
    expect(page.locator('header a[href="/rounds"]')).to_be_visible()
    demo = _open_round(server, "")
    attempt_id = _start(page, demo["id"], screenshots=tmp_path)
    expect(page.locator("#link-state")).to_have_attribute("data-state", "online")
    # the vendored client speaks Engine.IO 4 / Socket.IO 5 to python-socketio 5, over a websocket only
    assert any("/socket.io/" in url and "EIO=4" in url and "transport=websocket" in url for url in page.sockets)
    expect(page.locator("#clock")).to_have_text(re.compile(r"^(10:00|9:5\d)$"))
    expect(page.locator("#q-0")).to_be_visible()
    expect(page.locator("#q-1")).to_be_hidden()  # one question at a time by default

    for slot in range(4):
        _answer(page, slot, option=slot % 4)
    expect(page.locator("#progress-text")).to_contain_text("4")
    _no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "attempt-one-360.png", full_page=True)
    page.screenshot(path=tmp_path / "attempt-one-viewport-360.png")

    # An answer made offline, never acknowledged: it waits in localStorage and is sent after the reload.
    page.evaluate("""([id]) => {
        const key = `olympiad.attempt.${id}`;
        const kept = JSON.parse(localStorage.getItem(key) || "{}");
        kept.pending = Object.assign(kept.pending || {}, {"4": {choice: ["B"], seq: Date.now() + 60000}});
        localStorage.setItem(key, JSON.stringify(kept));
    }""", [attempt_id])
    page.click('.view-switch [data-view="all"]')
    page.reload()

    expect(page.locator("#paper")).to_be_visible()
    assert page.locator("#play").get_attribute("data-attempt-id") == str(attempt_id)
    expect(page.locator("#play")).to_have_attribute("data-view", "all")  # the entrant's choice is remembered
    expect(page.locator("#q-9")).to_be_visible()
    for slot in range(5):
        assert _checked(page, slot) == 1, f"question {slot + 1} lost its answer"
    expect(page.locator("#q-4 .save-state")).to_have_attribute("data-state", "saved")
    assert _api_attempt(page, attempt_id)["answers"]["4"] == ["B"]
    assert _checked(page, 5) == 0
    _no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "attempt-all-360.png", full_page=True)

    for slot in range(5, 10):
        _answer(page, slot)
    page.fill("#prediction", "123")
    page.click("#submit")
    expect(page.locator("#confirm")).to_be_visible()
    page.screenshot(path=tmp_path / "attempt-confirm-360.png")
    page.click("#confirm-yes")

    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"))
    expect(page.locator("#score")).to_have_text(re.compile(r"^\d+/10$"))
    _no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "result-360.png", full_page=True)
    stored = _api_attempt(page, attempt_id)
    assert stored["status"] == "submitted" and len(stored["answers"]) == 10
    assert page.locator("#score").inner_text() == f"{stored['result']['score']}/10"
    assert not page.evaluate(f"localStorage.getItem('olympiad.attempt.{attempt_id}')")

    page.goto(f"/attempts/{attempt_id}/review")  # the demo round reviews after its close
    expect(page.locator("#review-closed")).to_be_visible()
    page.goto("/rounds")
    expect(page.locator(f"#round-{demo['id']} .attempts-used")).to_contain_text("1")
    expect(page.locator(f"#round-{demo['id']} .best")).to_contain_text(f"{stored['result']['score']}/10")
    assert page.hosts <= {"127.0.0.1", "localhost", None}, f"requests left the machine: {page.hosts}"


def test_http_fallback_when_the_websocket_cannot_connect(server, browser):
    page = _phone(browser, server)
    page.route_web_socket(re.compile(r"/socket\.io/"), lambda ws: ws.close())
    _log_in(page, "0900000002")
    demo = _open_round(server, "")
    attempt_id = _start(page, demo["id"])
    expect(page.locator("#link-state")).to_have_attribute("data-state", "online_http")
    for slot in range(3):
        _answer(page, slot)
    page.reload()
    expect(page.locator("#paper")).to_be_visible()
    page.click('.view-switch [data-view="all"]')
    assert [_checked(page, slot) for slot in range(4)] == [1, 1, 1, 0]
    stored = _api_attempt(page, attempt_id)
    assert sorted(stored["answers"]) == ["0", "1", "2"]
    page.fill("#prediction", "5")
    page.click("#submit")
    page.click("#confirm-yes")
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"))
    assert _api_attempt(page, attempt_id)["status"] == "submitted"


def test_an_answer_made_while_the_connection_is_down_is_sent_when_it_is_back(server, browser, tmp_path):
    page = _phone(browser, server)
    cut = {"on": False, "open": []}

    def websocket(ws):
        if cut["on"]:
            ws.close()
            return
        ws.connect_to_server()
        cut["open"].append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), websocket)
    _log_in(page, "0900000004")
    attempt_id = _start(page, _open_round(server, "")["id"])
    _answer(page, 0)
    cut["on"] = True
    for ws in cut["open"]:
        ws.close()
    expect(page.locator("#link-state")).to_have_attribute("data-state", "link_lost")
    page.click('#navigator .jump[data-slot="1"]')
    page.locator("#q-1 label.choice").nth(2).click()
    expect(page.locator("#q-1 .save-state")).to_have_attribute("data-state", "offline")
    page.screenshot(path=tmp_path / "offline-360.png")
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('olympiad.attempt.{attempt_id}'))")
    assert list(kept["pending"]) == ["1"]

    cut["on"] = False  # the network is back: Socket.IO reconnects, resumes and sends what was kept
    expect(page.locator("#link-state")).to_have_attribute("data-state", "online")
    expect(page.locator("#q-1 .save-state")).to_have_attribute("data-state", "saved")
    answers = _api_attempt(page, attempt_id)["answers"]
    assert sorted(answers) == ["0", "1"] and answers["1"] == ["C"]
    assert page.evaluate(f"JSON.parse(localStorage.getItem('olympiad.attempt.{attempt_id}')).pending") == {}


def test_the_server_finalises_an_attempt_left_open_past_its_deadline(server, browser, tmp_path):
    env = app_env(server.database_url)
    demo = _open_round(server, "")
    flask_cli(env, "contest", "add-round", str(demo["contest_id"]), "--title", "Vòng nhanh", "--time-limit", "0.25",
              "--questions", "3", "--attempts", "1", "--grace", "1")
    quick = _open_round(server, "Vòng nhanh")
    page = _phone(browser, server)
    # This phone's clock is an hour fast: the countdown follows the server's clock all the same.
    page.add_init_script("Date.now = ((now) => () => now() + 3600 * 1000)(Date.now);")
    _log_in(page, "0900000003")
    attempt_id = _start(page, quick["id"])
    expect(page.locator("#clock")).to_have_text(re.compile(r"^0:1\d$"))
    expect(page.locator("#announcer")).to_have_text("")  # no 5-minute or 1-minute notice on a 15 s round
    _answer(page, 0)
    expect(page.locator("#announcer")).not_to_have_text("")  # the 10-second notice, once
    assert int(page.locator("#clock").inner_text().split(":")[1]) <= 10
    page.screenshot(path=tmp_path / "quick-360.png", full_page=True)
    deadline = _api_attempt(page, attempt_id)["deadline"]
    page.context.close()  # the page is gone: nothing will submit it

    http = server.login("0900000003", DEMO_PASSWORD)
    until = time.monotonic() + 40
    while True:
        # Look in the database directly: GET /api/attempts would finalise it itself (resume does).
        status = _status_in_database(server, attempt_id)
        if status != "in_progress" or time.monotonic() > until:
            break
        time.sleep(0.5)
    assert status == "expired", f"{status}\n{server.log_tail()}"
    assert time.time() * 1000 >= deadline + 1000
    attempt = http.get(f"{server.url}/api/attempts/{attempt_id}", timeout=10).json()["attempt"]
    assert attempt["status"] == "expired" and attempt["result"]["max_score"] == 3
    assert attempt["result"]["duration_ms"] == 15_000 and len(attempt["answers"]) == 1
    result = http.get(f"{server.url}/attempts/{attempt_id}/result", timeout=10)
    assert result.status_code == 200 and f"{attempt['result']['score']}/3" in result.text


def _status_in_database(server, attempt_id: int) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT status FROM attempts WHERE id = :id"), {"id": attempt_id}).scalar_one()
    finally:
        engine.dispose()
