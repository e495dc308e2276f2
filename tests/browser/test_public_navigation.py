"""The public finds the boards on a 360 px phone: from ``/`` a round's board and a unit ranking are two taps away
(through the header's "Bảng xếp hạng"), every board link lies on screen without scrolling sideways, and the
countdowns tick once their script runs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.test_attempt import CHROMIUM, CHROMIUM_ARGS, PHONE_VIEWPORT
from tests.server.running import running_server

pytestmark = pytest.mark.browser


@pytest.fixture
def page(tmp_path_factory):
    with running_server(tmp_path_factory) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(base_url=server.url, viewport=PHONE_VIEWPORT, locale="vi-VN").new_page()
        page.set_default_timeout(10_000)
        page.hosts = set()
        page.on("request", lambda request: page.hosts.add(urlsplit(request.url).hostname))
        yield page
        browser.close()


def fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{page.url} is {width} px wide on a {PHONE_VIEWPORT['width']} px phone"


def on_screen(page: Page, selector: str) -> None:
    """Every link matching ``selector`` lies within the phone's width."""
    boxes = [link.bounding_box() for link in page.locator(selector).all()]
    assert boxes, selector
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"] for box in boxes), boxes


def test_two_taps_from_home_to_a_board_and_a_unit_ranking(page: Page, tmp_path):
    page.goto("/")
    fits_the_phone(page)
    expect(page.locator("#current-contests .countdown").first).to_contain_text(re.compile(r"còn .*\d\d:\d\d:\d\d"))
    page.screenshot(path=tmp_path / "home-360.png", full_page=True)
    on_screen(page, "#current-contests .board-link")

    page.click("#nav-boards")  # tap 1: the header's "Bảng xếp hạng"
    expect(page).to_have_url(re.compile(r"/contests$"))
    fits_the_phone(page)
    on_screen(page, "#contest-list .board-link")
    page.locator("#contest-list .board-link").first.click()  # tap 2
    expect(page).to_have_url(re.compile(r"/rounds/\d+/board$"))
    expect(page.locator("#board-table")).to_be_visible()
    fits_the_phone(page)

    page.goto("/")
    page.click("#nav-boards")
    page.locator("#contest-list .units-link").first.click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+/units$"))
    expect(page.locator("#units-table")).to_be_visible()
    fits_the_phone(page)

    page.goto("/")  # the home page's own links: one tap
    page.locator("#current-contests .units-link").first.click()
    expect(page).to_have_url(re.compile(r"/rounds/\d+/units$"))
    assert page.hosts <= {"127.0.0.1", "localhost"}, page.hosts


def test_a_contest_page_fits_a_phone(page: Page, tmp_path):
    page.goto("/contests")
    page.locator("#contest-list .contest-card h2 a").first.click()
    expect(page.locator("#contest-rounds")).to_be_visible()
    fits_the_phone(page)
    on_screen(page, "#contest-rounds .board-link")
    on_screen(page, "#contest-boards a")
    page.screenshot(path=tmp_path / "contest-360.png", full_page=True)
