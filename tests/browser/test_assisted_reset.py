"""An organiser gives an entrant who forgot their password a one-time code; the entrant sets a new password at
/reset and logs in with it; the code does not work twice. Real pages, Debian's headless Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_register_login import page  # noqa: F401  (the fixture: a served demo and a phone screen)
from tests.server.running import DEMO_PHONE

pytestmark = pytest.mark.browser

ADMIN, ADMIN_PASSWORD = "admin@example.org", "demo-admin-pass"
NEW_PASSWORD = "test-new-pass-2026"


def log_in(browser_page: Page, login: str, password: str) -> None:
    browser_page.goto("/login")
    browser_page.fill("#login", login)
    browser_page.fill("#password", password)
    browser_page.click("button.primary")


def test_an_organiser_gives_a_code_and_the_entrant_sets_a_new_password_with_it(page: Page):  # noqa: F811
    log_in(page, ADMIN, ADMIN_PASSWORD)
    expect(page).to_have_url(re.compile(r"/organiser/$"))
    page.click("a[href='/organiser/entrants/']")
    page.fill("#q", DEMO_PHONE)
    page.click("form[role=search] button")
    results = page.locator("table.entrants tbody a")
    expect(results).to_have_count(1)
    results.first.click()
    expect(page.locator("dl.facts")).to_contain_text(DEMO_PHONE)
    page.click("#give-reset-code")
    code = page.locator("#reset-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    page.click("header form button")  # the organiser logs out; the entrant takes the phone

    page.goto("/login")
    page.click("a[href='/reset']")
    expect(page).to_have_url(re.compile(r"/reset$"))
    page.fill("#login", DEMO_PHONE)
    page.fill("#code", code.lower())
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("details.consent-first summary")  # the demo's accounts predate consent: agree once, here
    page.check("#consent")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash.success")).to_be_visible()

    log_in(page, DEMO_PHONE, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account$"))
    page.click("header form button")

    page.goto("/reset")
    page.fill("#login", DEMO_PHONE)
    page.fill("#code", code)
    page.fill("#password", "yet-another-pass")
    page.fill("#confirm", "yet-another-pass")
    page.click("button.primary")
    expect(page.locator("#code-error")).to_be_visible()  # spent
    assert page.hosts <= {"127.0.0.1", "localhost", None}, f"requests left the machine: {page.hosts}"
