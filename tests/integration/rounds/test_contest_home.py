"""A contest's home content: organisers who manage the contest edit rules, prizes, the banner and news (audited,
scoped to their contests in the service); the public sees them, sanitised, on the contest's page and on ``/``."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from contest.accounts.models import Role, StaffRole
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from contest.rounds import content
from contest.rounds.models import ContestHome, NewsPost
from contest.rounds.service import set_organiser_contests
from tests.factories import make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.rounds.conftest import log_in


def png(width: int = 800, height: int = 200, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, kind)
    return out.getvalue()


@pytest.fixture
def contests(db_session):
    a = make_round(db_session, opens_delta=timedelta(hours=-1), days=2)
    b = make_round(db_session, opens_delta=timedelta(days=1), days=3)
    a.contest.title, b.contest.title = "Cuộc thi A", "Cuộc thi B"
    db_session.commit()
    return a.contest, b.contest


def audit_actions(db_session) -> list[str]:
    return list(db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_rules_and_prizes_are_shown_sanitised(client, db_session, organiser, contests):
    contest = contests[0]
    log_in(client, organiser)
    assert client.get(f"/organiser/contests/{contest.id}/home").status_code == 200
    reply = client.post(f"/organiser/contests/{contest.id}/home", data={
        "rules": "## Thể lệ\n\n**Mỗi tuần** một vòng. <script>alert(1)</script> [x](javascript:alert(2))",
        "prizes": "- Giải nhất: <a href=\"https://e.org\" onclick=\"steal()\">01 giải</a>"})
    assert reply.status_code == 302
    assert audit_actions(db_session)[-1] == "contest.home_texts"
    page = client.get(f"/contests/{contest.id}").text
    assert "<strong>Mỗi tuần</strong>" in page and "Giải nhất" in page
    rules = page[page.index('id="contest-rules"'):page.index('id="contest-prizes"')]
    assert "<script" not in rules and "javascript:" not in page.split("<body", 1)[1] and "onclick" not in page


def test_a_contest_organiser_cannot_edit_another_contest(client, db_session, organiser, contests):
    a, b = contests
    set_organiser_contests(db_session, user_id=organiser.id, contest_ids=[a.id], now=utcnow())
    log_in(client, organiser)
    assert client.get(f"/organiser/contests/{b.id}/home").status_code == 403
    assert client.post(f"/organiser/contests/{b.id}/home", data={"rules": "x", "prizes": ""}).status_code == 403
    assert client.post(f"/organiser/contests/{b.id}/news/new", data={
        "title": "t", "body": "", "published_at": "2026-01-01T08:00"}).status_code == 403
    assert client.post(f"/organiser/contests/{b.id}/home/banner",
                       data={"banner": (io.BytesIO(png()), "b.png")}).status_code == 403
    # The service checks it too, whoever calls it.
    with pytest.raises(DomainError) as refused:
        content.save_texts(db_session, organiser, contest_id=b.id, rules="x", prizes="", now=utcnow())
    assert refused.value.code == "forbidden"
    db_session.rollback()
    assert db_session.get(ContestHome, b.id) is None
    assert client.get(f"/organiser/contests/{a.id}/home").status_code == 200


def test_entrants_and_bank_editors_cannot_edit(client, db_session, contests):
    bank = make_user(db_session, role=Role.ORGANISER, email="bank@example.org", staff_role=StaffRole.BANK)
    entrant = make_user(db_session, commit=True)
    for user in (bank, entrant):
        with pytest.raises(DomainError):
            content.set_banner(db_session, user, contest_id=contests[0].id, data=png(), now=utcnow())
        log_in(client, user)
        assert client.get(f"/organiser/contests/{contests[0].id}/home").status_code == 403


def test_banner_is_checked_stored_and_served_with_cache_headers(client, db_session, organiser, contests,
                                                               monkeypatch):
    contest = contests[0]
    log_in(client, organiser)
    url = f"/organiser/contests/{contest.id}/home/banner"
    fake = client.post(url, data={"banner": (io.BytesIO(b"<svg onload=alert(1)>" * 10), "banner.png")})
    assert fake.status_code == 400 and "not an image we can read" in fake.text
    huge = client.post(url, data={"banner": (io.BytesIO(png(5000, 100)), "wide.png")})
    assert huge.status_code == 400 and "4000" in huge.text
    with monkeypatch.context() as patch:  # a small cap: the test client spools a 2 MB body to a file it leaks
        patch.setattr(content, "BANNER_MAX_BYTES", 10_000)
        noise = io.BytesIO()
        Image.frombytes("RGB", (100, 100), os.urandom(30_000)).save(noise, "PNG")  # ~30 KB: noise does not shrink
        big = client.post(url, data={"banner": (io.BytesIO(noise.getvalue()), "big.png")})
    assert big.status_code == 400 and "too large" in big.text
    assert client.get(f"/contests/{contest.id}/banner").status_code == 404
    data = png(kind="JPEG")
    assert client.post(url, data={"banner": (io.BytesIO(data), "b.jpg")}).status_code == 302
    home = db_session.get(ContestHome, contest.id)
    db_session.refresh(home)
    assert (home.banner_type, home.banner_width, home.banner_height) == ("image/jpeg", 800, 200)
    page = client.get(f"/contests/{contest.id}").text
    src = f"/contests/{contest.id}/banner?v={home.banner_hash[:16]}"
    assert src in page and src in client.get("/").text
    served = client.get(src)
    assert served.status_code == 200 and served.data == data and served.mimetype == "image/jpeg"
    assert "immutable" in served.headers["Cache-Control"] and "max-age=31536000" in served.headers["Cache-Control"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(src, headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    assert "immutable" not in client.get(f"/contests/{contest.id}/banner?v=stale").headers["Cache-Control"]
    assert [a for a in audit_actions(db_session) if a.startswith("contest.banner")] == ["contest.banner_set"]
    assert client.post(f"{url}/delete").status_code == 302
    assert client.get(src).status_code == 404
    assert audit_actions(db_session)[-1] == "contest.banner_removed"


def test_news_is_added_edited_deleted_and_published_from_its_date(client, db_session, organiser, contests):
    contest = contests[0]
    log_in(client, organiser)
    new = f"/organiser/contests/{contest.id}/news/new"
    assert client.get(new).status_code == 200
    assert "Enter a title." in client.post(new, data={"title": "", "body": "", "published_at": "2026-01-01T08:00"}).text
    assert client.post(new, data={"title": "Khai mạc", "body": "Chào **mừng** <img src=x onerror=alert(1)>",
                                  "published_at": "2026-01-01T08:00"}).status_code == 302
    later = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(new, data={"title": "Sắp có", "body": "bí mật", "published_at": later}).status_code == 302
    posts = {post.title: post for post in db_session.scalars(select(NewsPost))}
    page = client.get(f"/contests/{contest.id}").text
    assert "Khai mạc" in page and "Chào <strong>mừng</strong>" in page and "onerror" not in page
    assert "Sắp có" not in page and "bí mật" not in page
    assert f"#news-{posts['Khai mạc'].id}" in client.get("/").text
    organiser_list = client.get(f"/organiser/contests/{contest.id}/home").text
    assert "Sắp có" in organiser_list and "not yet published" in organiser_list
    edit = f"/organiser/contests/{contest.id}/news/{posts['Khai mạc'].id}"
    assert "Khai mạc" in client.get(edit).text
    assert client.post(edit, data={"title": "Khai mạc cuộc thi", "body": "x",
                                   "published_at": "2026-01-01T08:00"}).status_code == 302
    assert "Khai mạc cuộc thi" in client.get(f"/contests/{contest.id}").text
    other = contests[1]
    assert client.get(f"/organiser/contests/{other.id}/news/{posts['Khai mạc'].id}").status_code == 404
    assert client.post(f"{edit}/delete").status_code == 302
    assert "Khai mạc" not in client.get(f"/contests/{contest.id}").text
    assert [a for a in audit_actions(db_session) if a.startswith("contest.news")] == [
        "contest.news_added", "contest.news_added", "contest.news_edited", "contest.news_deleted"]
