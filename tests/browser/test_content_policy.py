"""The Content-Security-Policy in headless Chromium: every page an entrant, the public and an organiser open
works under it, and the browser reports no blocked script, style or connection; a logout in another tab
reaches the attempt page's socket at once."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from contest.demo.cli import DEMO_ORGANISER, DEMO_ORGANISER_PASSWORD
from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.server.running import DEMO_PASSWORD, DEMO_PHONE, running_server

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

# Recorded before any page script runs; the browser fires this for everything the policy blocks.
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


def log_in(page, login: str, password: str, lands: str) -> None:
    page.goto("/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(lands))


def job_pages_poll(page, round_id: int) -> None:
    """The export and import job pages' modules poll their job (job-poll.js) until it is over. Each page is shown
    the first time as if its job were still at work, whatever it is by then, so the poll always runs."""
    loads = []

    def still_working(route):
        if route.request.resource_type != "document":
            route.continue_()
            return
        loads.append(route.request.url)
        response = route.fetch()
        body = response.text()
        if len(loads) == 1:
            body = (body.replace('data-status="done"', 'data-status="running"')
                    .replace('id="export-download">', 'id="export-download" hidden>')
                    .replace('data-status="failed"', 'data-status="running"')
                    .replace('id="export-error" class="flash error">', 'id="export-error" class="flash error" hidden>'))
            body = re.sub(r'(id="import-job"[^>]*?)>', r"\1 data-waiting>", body, count=1)
        route.fulfill(response=response, body=body)

    page.goto(f"/organiser/rounds/{round_id}/results")
    page.click("#exports button[formaction$='/exports/ranking.csv']")
    expect(page).to_have_url(re.compile(rf"/organiser/rounds/{round_id}/exports/\d+$"))
    page.route(re.compile(r"/exports/\d+$"), still_working)  # a redirect's target is not routed: load it again
    page.goto(page.url)
    expect(page.locator("#export-job")).to_have_attribute("data-status", "done")  # set by the script
    expect(page.locator("#export-download")).to_be_visible()
    assert len(loads) == 1
    page.unroute(re.compile(r"/exports/\d+$"))

    loads.clear()
    page.goto("/organiser/bank/import")
    page.set_input_files("input[type=file]", files=[{"name": "bank.csv", "mimeType": "text/csv",
                                                     "buffer": b"cau_hoi,dap_an_a\n"}])
    page.click("form[enctype] button.primary")
    expect(page).to_have_url(re.compile(r"/organiser/bank/import/\d+$"))
    page.route(re.compile(r"/organiser/bank/import/\d+$"), still_working)
    page.goto(page.url)
    expect(page.locator("#import-job")).not_to_have_attribute("data-waiting", "")
    page.wait_for_load_state("networkidle")
    assert len(loads) == 2, loads  # shown waiting, polled, then reloaded by the script with the report
    page.unroute(re.compile(r"/organiser/bank/import/\d+$"))


def test_every_page_works_under_the_policy(tmp_path_factory):
    with running_server(tmp_path_factory) as server, sync_playwright() as playwright:
        round_id = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()[-1]["id"]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN")
            context.add_init_script(WATCH_VIOLATIONS)
            page = context.new_page()
            console = []
            page.on("console", lambda message: console.append(message.text))
            seen = {}

            def visit(path: str, ready: str | None = None) -> None:
                page.goto(path)
                if ready:
                    page.wait_for_selector(ready, state="attached")
                page.wait_for_load_state("networkidle")
                seen[path] = page.evaluate("window.cspViolations")

            visit("/")
            visit("/register", "#unit_id-picker-q")
            page.fill("#unit_id-picker-q", "dai tu")  # the picker's module and its search run under the policy
            expect(page.locator("#unit_id-picker-list [role=option]", has_text="THPT Đại Từ")).to_be_visible()
            seen["/register"] = page.evaluate("window.cspViolations")
            visit(f"/rounds/{round_id}/board")
            expect(page.locator("#board-live")).to_have_attribute("data-live-state", "live")  # its websocket
            visit(f"/rounds/{round_id}/units", "#units-chart")
            bar = page.locator("#units-chart meter").first.evaluate("m => m.getBoundingClientRect().width")
            assert bar >= 40  # the bars are sized by the style sheet, since the policy forbids the style attribute

            log_in(page, DEMO_PHONE, DEMO_PASSWORD, r"/account$")
            visit(f"/rounds/{round_id}/play", "#play")
            page.click("#start")
            expect(page.locator(".question").first).to_be_visible()  # started over the websocket
            # Logging out in another tab reaches this one's socket at once: the page says so.
            other_tab = context.new_page()
            other_tab.goto("/account")
            other_tab.click("form[action='/logout'] button")
            expect(page.locator("#submit-error")).to_contain_text("Bạn đã bị đăng xuất")
            other_tab.close()

            log_in(page, DEMO_ORGANISER, DEMO_ORGANISER_PASSWORD, r"/organiser/")
            visit(f"/organiser/rounds/{round_id}/live")
            visit(f"/organiser/rounds/{round_id}/edit", "form")
            job_pages_poll(page, round_id)
            seen["job pages"] = page.evaluate("window.cspViolations")
            assert seen == dict.fromkeys(seen, []), seen
            assert not [text for text in console if "Content Security Policy" in text], console
        finally:
            browser.close()
