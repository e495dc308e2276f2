"""An entrant registers and logs in through the real pages, in Debian's headless Chromium on a phone-sized screen."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.server.running import running_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE_VIEWPORT = {"width": 360, "height": 740}
NAME, PHONE, PASSWORD = "Nguyễn Thị Thử", "0911222333", "mat-khau-thu-1"


@pytest.fixture
def page(tmp_path_factory):
    with running_server(tmp_path_factory) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.hosts = set()
        page.on("request", lambda request: page.hosts.add(urlsplit(request.url).hostname))
        yield page
        browser.close()


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"the page is {width} px wide on a {PHONE_VIEWPORT['width']} px phone"


def test_register_log_out_and_log_in_again(page: Page, tmp_path):
    page.goto("/register")
    page.fill("#full_name", NAME)
    page.fill("#birth_date", "2007-05-01")
    page.fill("#phone", PHONE)
    page.fill("#unit_id-picker-q", "dai tu")
    page.locator("#unit_id-picker-list [role=option]", has_text="THPT Đại Từ").click()
    expect(page.locator("#unit_id-picker-status")).to_contain_text("THPT Đại Từ")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("#consent")
    _no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "register-360.png", full_page=True)
    page.click("button.primary")

    # The demo has open rounds: a new entrant lands on them (the one open round, or the list), not the account.
    expect(page).to_have_url(re.compile(r"/rounds(/\d+/play)?$"))
    page.goto("/account")
    expect(page.locator("h1")).to_have_text(NAME)
    expect(page.locator("dl.facts")).to_contain_text("THPT Đại Từ")
    _no_horizontal_scroll(page)
    page.screenshot(path=tmp_path / "account-360.png", full_page=True)

    page.click("header form button")  # log out
    expect(page.locator('header a[href="/login"]')).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login"))

    page.goto("/login")
    page.fill("#login", PHONE)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("h1")).to_have_text(NAME)

    assert page.hosts <= {"127.0.0.1", "localhost", None}, f"requests left the machine: {page.hosts}"
