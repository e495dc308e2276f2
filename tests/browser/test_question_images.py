"""A question's picture shows during an attempt, in Debian's headless Chromium on a 360 px phone, against the real
server: the picture is loaded from /media (its natural width is known), at its size, without widening the page."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import create_engine, text

from contest.db import utcnow
from question_bank.image_check import check_image
from tests.server.running import DEMO_PASSWORD, DEMO_PHONE, running_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 360, "height": 740}


def portrait():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 40, 40)).save(buffer, "JPEG")
    return check_image(buffer.getvalue())


def give_every_question(database_url: str, image) -> None:
    """The demo bank's revisions all show ``image`` above their text, and option A a copy of it (before any paper
    is drawn: the server caches revisions once it has read them)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO bank_images (sha256, mime, width, height, bytes, data, created_at) "
                                    "VALUES (:sha, :mime, :w, :h, :n, :data, :now)"),
                               {"sha": image.sha256, "mime": image.mime, "w": image.width, "h": image.height,
                                "n": len(image.data), "data": image.data, "now": utcnow()})
            connection.execute(text("UPDATE bank_question_revisions SET image = :name, image_alt = 'Chân dung'"),
                               {"name": image.name})
    finally:
        engine.dispose()


def test_a_question_shows_its_picture_during_an_attempt(tmp_path_factory, tmp_path):
    with running_server(tmp_path_factory, entrants=2) as server, sync_playwright() as playwright:
        image = portrait()
        give_every_question(server.database_url, image)
        demo = requests.get(f"{server.url}/api/rounds", params={"status": "open"}, timeout=10).json()[-1]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(base_url=server.url, viewport=PHONE, locale="vi-VN").new_page()
            page.set_default_timeout(15_000)
            # Logged in through the API: the context keeps the session cookie for the pages.
            assert page.request.post("/api/session", data={"login": DEMO_PHONE, "password": DEMO_PASSWORD}).ok
            page.goto(f"/rounds/{demo['id']}/play")
            expect(page.locator("#start")).to_be_enabled()
            page.click("#start")
            expect(page.locator("#paper")).to_be_visible()

            shown = page.locator("#q-0 img.question-image")
            expect(shown).to_be_visible()
            expect(shown).to_have_attribute("src", f"/media/{image.name}")
            expect(shown).to_have_attribute("alt", "Chân dung")
            expect(shown).to_have_attribute("loading", "lazy")
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shown.element_handle())
            natural, drawn = shown.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
            assert natural == image.width == 800
            assert 0 < drawn <= PHONE["width"]  # brought down to the phone's width, never wider
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            # The next question's picture waits until it is shown (one question at a time).
            assert page.locator("#q-1 img.question-image").evaluate("img => img.loading") == "lazy"
            page.screenshot(path=tmp_path / "question-image-360.png", full_page=True)
        finally:
            browser.close()
