"""Public navigation: ``/`` lists the current contests with their open and upcoming rounds (countdowns that read as
plain times without JavaScript) and links to every board; the header's "Leaderboards" is there for everyone;
``/contests`` is a paged, searchable list; unit rankings come a page at a time, even with 6,000 schools."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import String, cast, insert, literal, update

from contest.accounts.models import Role
from contest.db import utcnow
from contest.leaderboards.queries.units import PAGE_ROWS, ranking_page
from contest.leaderboards.runtime import extension
from contest.rounds.models import Contest, Round
from contest.rounds.queries import CONTESTS_PAGE
from contest.search_text import fold
from contest.units.models import Unit
from tests.factories import make_unit, make_user
from tests.integration.rounds.conftest import log_in


def add_round(session, contest: Contest, title: str, opens: timedelta, closes: timedelta) -> Round:
    now = utcnow()
    round_ = Round(contest=contest, title=title, opens_at=now + opens, closes_at=now + closes, time_limit_s=600,
                   question_count=5, created_at=now)
    session.add(round_)
    session.commit()
    return round_


@pytest.fixture
def season(app, db_session):
    extension(app).units.clear()  # unit rankings are cached by round id, and ids come again after a rollback
    now = utcnow()
    running = Contest(title="Tìm hiểu lịch sử Đảng", created_at=now, board_levels=["Trường"])
    old = Contest(title="Cuộc thi năm ngoái", created_at=now - timedelta(days=400))
    db_session.add_all([running, old])
    make_unit(db_session, code="S1", name="THPT Đại Từ")
    rounds = {
        "closed": add_round(db_session, running, "Tuần 1", timedelta(days=-8), timedelta(days=-1)),
        "open": add_round(db_session, running, "Tuần 2", timedelta(hours=-2), timedelta(days=2)),
        "upcoming": add_round(db_session, running, "Tuần 3", timedelta(days=5), timedelta(days=12)),
        "old": add_round(db_session, old, "Vòng cũ", timedelta(days=-400), timedelta(days=-390)),
    }
    return running, old, rounds


def test_home_shows_current_contests_their_rounds_and_board_links(client, season):
    running, old, rounds = season
    page = client.get("/").text
    assert "Tìm hiểu lịch sử Đảng" in page and "Cuộc thi năm ngoái" not in page
    for key in ("open", "closed"):
        assert f'href="/rounds/{rounds[key].id}/board"' in page and f'href="/rounds/{rounds[key].id}/units"' in page
    assert f"/rounds/{rounds['upcoming'].id}/board" not in page and "Tuần 3" in page
    assert f'href="/contests/{running.id}/board"' in page and f'href="/contests/{running.id}/units"' in page
    # The countdown to the open round's close: a <time> with the moment, readable as it is without JavaScript.
    closes = rounds["open"].closes_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert re.search(rf'<time datetime="{closes}" data-countdown[^>]*>\d\d:\d\d \d\d/\d\d/\d{{4}}</time>', page)
    assert "js/countdown.js" in page


def test_the_header_links_to_the_leaderboards_for_everyone(client, db_session, season):
    link = re.compile(r'<a href="/contests" id="nav-boards">Bảng xếp hạng</a>')
    assert link.search(client.get("/").text)
    for role in (Role.ENTRANT, Role.ORGANISER):
        user = make_user(db_session, role=role, email=f"{role.value}@example.org" if role != Role.ENTRANT else None,
                         commit=True)
        log_in(client, user)
        assert link.search(client.get("/").text) and link.search(client.get("/contests").text)


def test_the_contest_list_is_paged_and_searchable(client, db_session, season):
    now = utcnow()
    db_session.add_all([Contest(title=f"Cuộc thi số {n}", created_at=now - timedelta(hours=n)) for n in range(30)])
    db_session.commit()
    first = client.get("/contests").text
    assert first.count('class="card contest-card"') == CONTESTS_PAGE
    assert 'href="/contests?page=2"' in first
    second = client.get("/contests?page=2").text
    assert second.count('class="card contest-card"') == 32 - CONTESTS_PAGE and 'rel="prev"' in second
    found = client.get("/contests?q=lich su dang").text  # accents and case ignored
    assert found.count('class="card contest-card"') == 1 and "Tìm hiểu lịch sử Đảng" in found
    assert client.get("/contests?page=x").status_code == 400


def test_the_contest_home_lists_rounds_with_their_board_links(client, season):
    running, _, rounds = season
    page = client.get(f"/contests/{running.id}").text
    assert 'id="contest-rounds"' in page and "<table" not in page.split('id="contest-rounds"')[1].split("</ul>")[0]
    assert f'href="/rounds/{rounds["open"].id}/board"' in page


def test_a_ranking_page_is_a_page_of_rows_and_a_search(client):
    rows = [{"rank": n, "code": f"S{n}", "name": f"Trường số {n}"} for n in range(1, 251)]
    page = ranking_page(rows, page=3, per_page=100)
    assert (page.page, page.pages, page.total, [r["rank"] for r in page.rows][:2]) == (3, 3, 250, [201, 202])
    assert ranking_page(rows, page=99, per_page=100).page == 3
    found = ranking_page(rows, text="trường SO 25", per_page=100)  # every word, accents and case ignored
    assert [r["rank"] for r in found.rows] == [25, 125, 225, *range(250, 251)]


def test_six_thousand_schools_render_one_page_at_a_time(client, db_session, season):
    running, _, rounds = season
    district = make_unit(db_session, code="D1", name="Huyện Đại Từ", level="Huyện")
    db_session.execute(insert(Unit), [
        {"code": f"T{n:05d}", "name": f"Trường số {n}", "search_key": fold(f"T{n:05d} Trường số {n}"),
         "level": "Trường", "parent_id": district.id, "path": "", "depth": 1} for n in range(6000)])
    db_session.execute(update(Unit).where(Unit.parent_id == district.id)
                       .values(path=literal(district.path) + cast(Unit.id, String) + "/"))
    db_session.commit()
    url = f"/rounds/{rounds['open'].id}/units?level=Trường"
    page = client.get(url)
    assert page.status_code == 200
    body = page.text.split('id="units-table"')[1].split("</table>")[0]
    assert body.count("<tr>") - 1 == PAGE_ROWS  # the header row, then one page
    assert len(page.data) < 120_000
    assert 'rel="next"' in page.text and "page=2" in page.text
    second = client.get(f"{url}&page=2").text
    ranks = re.findall(r"<tr><td>(\d+)</td>", second.split('id="units-table"')[1])
    assert ranks[0] == str(PAGE_ROWS + 1) and len(ranks) == PAGE_ROWS
    last = client.get(f"{url}&page=61").text
    assert 'rel="next"' not in last and "Trường số" in last
    found = client.get(f"{url}&q=truong so 4321").text
    assert "Trường số 4321" in found and found.split('id="units-table"')[1].count("<tr><td>") == 1
    contest_page = client.get(f"/contests/{running.id}/units?level=Trường").text
    assert contest_page.split('id="units-table"')[1].split("</table>")[0].count("<tr><td>") == PAGE_ROWS


def test_the_units_api_gives_a_slice_and_a_search(client, db_session, season):
    _, _, rounds = season
    for n in range(5):
        make_unit(db_session, code=f"X{n}", name=f"THCS Số {n}")
    db_session.commit()
    url = f"/api/rounds/{rounds['open'].id}/units?level=Trường&sort=entrants"
    everything = client.get(url).json
    assert everything["total"] == len(everything["rows"]) == 6
    part = client.get(f"{url}&offset=2&limit=2").json
    assert part["total"] == 6 and [row["rank"] for row in part["rows"]] == [3, 4]
    found = client.get(f"{url}&q=thcs so 3").json
    assert found["total"] == 1 and found["rows"][0]["name"] == "THCS Số 3"
    assert client.get(f"{url}&limit=5000").status_code == 400
