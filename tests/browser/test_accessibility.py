"""Accessibility in headless Chromium: axe-core (vendored, tests/browser/vendor/axe-core) reports no critical or
serious violation on any page the public, an entrant or an organiser opens, forms with errors included; and on a
360 px phone every header link and button is a touch target at least 44 px tall."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from contest.demo.cli import DEMO_ORGANISER, DEMO_ORGANISER_PASSWORD
from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.browser.test_content_policy import log_in
from tests.server.running import DEMO_PASSWORD, DEMO_PHONE, running_server

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
TOUCH_PX = 44


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory) as server:
        yield server


def violations(page) -> list[dict]:
    """axe-core's critical and serious violations on the page as it is now (every WCAG A/AA rule and best
    practice axe runs by default)."""
    if not page.evaluate("Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [(node["target"], node["failureSummary"]) for node in v["nodes"][:5]]}
            for v in found if v["impact"] in BLOCKING]


def report(seen: dict[str, list[dict]]) -> str:
    lines = []
    for path, found in seen.items():
        for v in found:
            lines.append(f"{path}: {v['impact']} {v['rule']} ({v['help']})")
            lines.extend(f"    {target}: {summary}" for target, summary in v["nodes"])
    return "\n".join(lines)


def test_axe_finds_no_serious_violation_on_any_page(server):
    rounds = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()
    round_id, contest_id = rounds[-1]["id"], rounds[-1]["contest_id"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # axe is injected as an inline script, which the app's Content-Security-Policy (rightly) refuses.
            context = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN",
                                          bypass_csp=True)
            page = context.new_page()
            seen: dict[str, list[dict]] = {}

            def check(name: str, path: str | None = None, ready: str | None = None) -> None:
                if path:
                    page.goto(path)
                if ready:
                    page.wait_for_selector(ready, state="attached")
                page.wait_for_load_state("networkidle")
                seen[name] = violations(page)

            check("/", "/")
            check("/contests", "/contests")
            check("contest", f"/contests/{contest_id}")
            check("board", f"/rounds/{round_id}/board", "#board-rows")
            check("unit rankings", f"/rounds/{round_id}/units", "#units-table")
            check("contest unit rankings", f"/contests/{contest_id}/units", "#units-table")
            check("contest board", f"/contests/{contest_id}/board")
            check("register", "/register")
            page.click("form button.primary")  # empty: every error at once
            check("register with errors", ready=".field-error")
            check("login", "/login")
            page.fill("#login", DEMO_PHONE)
            page.fill("#password", "wrong-password")
            page.click("button.primary")
            check("login refused", ready=".flash, .field-error")

            log_in(page, DEMO_PHONE, DEMO_PASSWORD, r"/account$")
            check("account", "/account")
            check("rounds", "/rounds")
            check("play intro", f"/rounds/{round_id}/play", "#start:not([disabled])")
            page.click("#start")
            expect(page.locator(".question").first).to_be_visible()
            check("answering one at a time")
            page.click('.view-switch [data-view="all"]')
            check("answering all on one page")
            page.fill("#prediction", "3")
            page.click("#submit")
            expect(page.locator("#confirm")).to_be_visible()
            check("confirm submit")
            page.click("#confirm-yes")
            expect(page).to_have_url(re.compile(r"/attempts/\d+/result$"))
            check("result", ready="#score")
            page.click("form[action='/logout'] button")

            log_in(page, DEMO_ORGANISER, DEMO_ORGANISER_PASSWORD, r"/organiser/")
            check("organiser home", "/organiser/")
            check("bank", "/organiser/bank/")
            check("bank question", "/organiser/bank/1")
            check("bank import", "/organiser/bank/import")
            check("bank statistics", "/organiser/bank/stats/")
            check("contests and rounds", "/organiser/contests")
            check("contest and its rounds", f"/organiser/contests/{contest_id}")
            check("round form", f"/organiser/rounds/{round_id}/edit", "form")
            check("live monitor", f"/organiser/rounds/{round_id}/live")
            check("results", f"/organiser/rounds/{round_id}/results")
            page.click("#exports button[formaction$='/exports/ranking.csv']")
            expect(page).to_have_url(re.compile(rf"/organiser/rounds/{round_id}/exports/\d+$"))
            check("export", ready="#export-job[data-status='done']")
            check("entrants", "/organiser/entrants/")
            check("entrant", "/organiser/entrants/" + page.locator("a[href^='/organiser/entrants/']").evaluate_all(
                "links => links.map(a => a.getAttribute('href').split('/').pop()).find(id => /^\\d+$/.test(id))"))
            check("list upload", "/organiser/entrants/lists")
            check("staff", "/organiser/staff")
            check("audit", "/organiser/audit")
            assert seen == dict.fromkeys(seen, []), "axe-core found:\n" + report(seen)
        finally:
            browser.close()


# Every header link and button (the brand, the menu, the language switch, log out).
HEADER_TARGETS = """() => [...document.querySelectorAll('header a, header button')].map(el => {
    const box = el.getBoundingClientRect();
    return {text: el.textContent.trim(), width: box.width, height: box.height};
})"""
# Every visible button and button-like link in the page's main part.
PAGE_BUTTONS = """() => [...document.querySelectorAll('main button, main a.button, main input[type=submit]')]
    .filter(el => el.offsetParent !== null)
    .map(el => { const box = el.getBoundingClientRect();
                 return {text: (el.textContent || el.value).trim(), width: box.width, height: box.height}; })"""


def small(targets: list[dict]) -> list[dict]:
    return [t for t in targets if t["height"] < TOUCH_PX or t["width"] < TOUCH_PX]


def test_header_links_and_buttons_are_touch_targets_on_a_phone(server):
    round_id = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()[-1]["id"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN").new_page()
            page.goto("/")
            public = page.evaluate(HEADER_TARGETS)
            assert len(public) >= 4 and not small(public), public
            page.goto("/login")
            assert not small(page.evaluate(PAGE_BUTTONS)), page.evaluate(PAGE_BUTTONS)

            log_in(page, DEMO_PHONE, DEMO_PASSWORD, r"/account$")
            entrant = page.evaluate(HEADER_TARGETS)
            assert any(t["text"] == "Đăng xuất" for t in entrant) and not small(entrant), entrant
            for path in ("/account", "/rounds", f"/rounds/{round_id}/play"):
                page.goto(path)
                page.wait_for_load_state("networkidle")
                assert not small(page.evaluate(PAGE_BUTTONS)), (path, page.evaluate(PAGE_BUTTONS))
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE_VIEWPORT["width"], f"the header makes the page {width} px wide"

            page.click("form[action='/logout'] button")
            log_in(page, DEMO_ORGANISER, DEMO_ORGANISER_PASSWORD, r"/organiser/")
            for path in (f"/organiser/rounds/{round_id}/results", "/organiser/staff", "/organiser/bank/1"):
                page.goto(path)
                assert not small(page.evaluate(PAGE_BUTTONS)), (path, page.evaluate(PAGE_BUTTONS))
        finally:
            browser.close()
