"""A contest's own boards over HTTP: its leaderboard of people and its unit rankings, each entrant represented as
the contest's aggregate says (best round, or the sum of per-round bests), on a small hand-made contest of two
rounds; validation errors; the public pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.attempts.models import Status
from contest.db import utcnow
from contest.leaderboards.models import Aggregate, ContestBoard
from contest.rounds.models import NameStyle, Round
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import make_round
from tests.integration.leaderboards.conftest import make_attempt

# name, school, [(round, score, duration_ms)] in the order taken; every round is out of 5.
RESULTS = [
    ("Nguyễn Văn An", "s1", [(1, 3, 10_000), (1, 5, 40_000), (2, 3, 15_000)]),
    ("Trần Thị Bình", "s1", [(1, 4, 25_000), (2, 5, 30_000)]),
    ("Lê Cường", "s2", [(2, 5, 20_000)]),
    ("Phạm Dung", "s3", [(1, 2, 5_000)]),
]


def two_rounds(session, aggregate: Aggregate | None):
    tree = make_tree(session)
    first = make_round(session)
    second = Round(contest=first.contest, title="Tuần 2", opens_at=first.opens_at, closes_at=first.closes_at,
                   time_limit_s=600, question_count=5, created_at=utcnow())
    session.add(second)
    session.flush()
    if aggregate is not None:
        session.add(ContestBoard(contest_id=first.contest_id, aggregate=aggregate))
    rounds, people = {1: first, 2: second}, {}
    base = utcnow() - timedelta(hours=1)
    for n, (name, school, taken) in enumerate(RESULTS):
        people[name] = user = make_user(session, unit=tree[school], full_name=name)
        for k, (which, score, duration) in enumerate(taken):
            number = 1 + sum(1 for w, _, _ in taken[:k] if w == which)
            make_attempt(session, rounds[which], user, score=score, duration_ms=duration, number=number,
                         finished_at=base + timedelta(seconds=10 * n + k))
    # An attempt still in progress counts nowhere.
    make_attempt(session, second, people["Phạm Dung"], score=0, duration_ms=1000, status=Status.IN_PROGRESS)
    session.commit()
    return tree, first.contest, people


def rows_by_code(client, contest_id: int, level: str) -> dict[str, dict]:
    page = client.get(f"/api/contests/{contest_id}/units?level={level}").json
    assert page["ok"] and page["level"] == level
    return {row["code"]: {key: row[key] for key in ("entrants", "attempts", "members", "participation",
                                                    "average_score", "full_marks")} for row in page["rows"]}


def test_contest_board_of_the_best_round(client, db_session, boards):
    tree, contest, people = two_rounds(db_session, None)  # no ContestBoard row: best
    page = client.get(f"/api/contests/{contest.id}/leaderboard").json
    assert page["ok"] and page["contest_id"] == contest.id and page["aggregate"] == "best"
    assert page["total"] == 4 and page["state"] == "live" and page["level"] is None
    # Three with 5 points in their best round: the quickest first.
    assert [(r["rank"], r["name"], r["score"], r["duration_ms"]) for r in page["rows"]] == [
        (1, "Lê Cường", 5, 20_000), (2, "Trần Thị Bình", 5, 30_000), (3, "Nguyễn Văn An", 5, 40_000),
        (4, "Phạm Dung", 2, 5_000)]
    assert all(set(row) == {"rank", "name", "unit", "score", "duration_ms"} for row in page["rows"])
    d1 = client.get(f"/api/contests/{contest.id}/leaderboard?unit={tree['d1'].id}&offset=1&limit=1").json
    assert d1["level"] == "Huyện" and d1["total"] == 3 and [r["name"] for r in d1["rows"]] == ["Trần Thị Bình"]

    schools = rows_by_code(client, contest.id, "Trường")
    assert schools == {
        "S1": {"entrants": 2, "attempts": 5, "members": 100, "participation": 0.02, "average_score": 5.0,
               "full_marks": 2},
        "S2": {"entrants": 1, "attempts": 1, "members": 80, "participation": 0.0125, "average_score": 5.0,
               "full_marks": 1},
        "S3": {"entrants": 1, "attempts": 1, "members": 60, "participation": 0.0167, "average_score": 2.0,
               "full_marks": 0},
    }
    districts = rows_by_code(client, contest.id, "Huyện")
    assert districts["D1"] == {"entrants": 3, "attempts": 6, "members": 180, "participation": round(3 / 180, 4),
                               "average_score": 5.0, "full_marks": 3}
    province = client.get(f"/api/contests/{contest.id}/units").json  # the top level by default
    assert province["level"] == "Tỉnh" and province["aggregate"] == "best"
    assert province["rows"][0] | {"rank": 0} == {
        "rank": 0, "unit_id": tree["province"].id, "code": "P1", "name": "Tỉnh Thử", "entrants": 4, "attempts": 7,
        "members": 240, "participation": round(4 / 240, 4), "average_score": 4.25, "full_marks": 3}
    by_average = client.get(f"/api/contests/{contest.id}/units?level=Trường&sort=average_score&order=asc").json
    assert [row["code"] for row in by_average["rows"]] == ["S3", "S1", "S2"]  # ties by code


def test_contest_board_of_summed_rounds(client, db_session, boards):
    tree, contest, people = two_rounds(db_session, Aggregate.SUM)
    page = client.get(f"/api/contests/{contest.id}/leaderboard").json
    assert page["aggregate"] == "sum"
    assert [(r["name"], r["score"], r["duration_ms"]) for r in page["rows"]] == [
        ("Trần Thị Bình", 9, 55_000), ("Nguyễn Văn An", 8, 55_000), ("Lê Cường", 5, 20_000),
        ("Phạm Dung", 2, 5_000)]
    # Full marks in every round taken: only Cường, who took one round and got 5 of 5.
    schools = rows_by_code(client, contest.id, "Trường")
    assert schools["S1"] == {"entrants": 2, "attempts": 5, "members": 100, "participation": 0.02,
                             "average_score": 8.5, "full_marks": 0}
    assert schools["S2"]["full_marks"] == 1 and schools["S2"]["average_score"] == 5.0
    assert schools["S3"]["average_score"] == 2.0
    province = rows_by_code(client, contest.id, "Tỉnh")["P1"]
    assert province["average_score"] == 6.0 and province["full_marks"] == 1 and province["attempts"] == 7
    # The per-round rankings are unchanged by the contest's aggregate.
    round_id = contest.rounds[0].id
    assert {row["code"]: row["average_score"]
            for row in client.get(f"/api/rounds/{round_id}/units?level=Trường").json["rows"]} == {
        "S1": 4.5, "S2": None, "S3": 2.0}


def test_me_cache_headers_and_names_as_the_contest_says(client, db_session, boards):
    tree, contest, people = two_rounds(db_session, Aggregate.SUM)
    url = f"/api/contests/{contest.id}/leaderboard"
    first = client.get(url)
    assert "me" not in first.json and "public" in first.headers["Cache-Control"]
    assert first.headers["ETag"].startswith('W/"') and "max-age=2" in first.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    units = client.get(f"/api/contests/{contest.id}/units")
    assert client.get(f"/api/contests/{contest.id}/units",
                      headers={"If-None-Match": units.headers["ETag"]}).status_code == 304

    an = people["Nguyễn Văn An"]
    assert client.post("/api/session", json={"login": an.phone, "password": PASSWORD}).json["ok"]
    mine = client.get(url + "?level=Trường")
    assert "private" in mine.headers["Cache-Control"]
    assert mine.json["unit_id"] == tree["s1"].id and mine.json["total"] == 2
    assert mine.json["me"] == {"rank": 2, "name": "Nguyễn Văn An", "unit": "THPT Đại Từ", "score": 8,
                               "duration_ms": 55_000}
    body = client.get(url).get_data(as_text=True)
    assert not [p.phone for p in people.values() if p.phone in body]

    contest.name_style = NameStyle.INITIALS
    db_session.commit()
    boards.forget()
    assert [r["name"] for r in client.get(url + "?limit=2").json["rows"]] == ["T. T. B.", "N. V. A."]


def test_bad_contest_queries_are_refused_clearly(client, db_session, boards):
    tree, contest, _ = two_rounds(db_session, None)
    client.set_cookie("lang", "en")
    base = f"/api/contests/{contest.id}"
    for path, words in [("/leaderboard?limit=0", "limit"), ("/leaderboard?limit=500", "limit"),
                        ("/leaderboard?offset=-1", "offset"), ("/leaderboard?unit=abc", "unit"),
                        ("/leaderboard?level=Huyện", "level"),
                        (f"/leaderboard?level=Tỉnh&unit={tree['s1'].id}", "level"),
                        ("/units?sort=luck", "Sort"), ("/units?order=up", "order"), ("/units?level=Xã", "level")]:
        response = client.get(base + path)
        assert response.status_code == 400, path
        assert response.json["error"]["code"] == "bad_request" and words in response.json["error"]["message"], path
    assert client.get(base + "/leaderboard?unit=999999").json["error"]["code"] == "not_found"
    for path in ("/api/contests/999999/leaderboard", "/api/contests/999999/units"):
        response = client.get(path)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_public_contest_pages(client, db_session, boards, lang):
    tree, contest, people = two_rounds(db_session, Aggregate.SUM)
    client.set_cookie("lang", lang)
    page = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert f"/contests/{contest.id}/board" in page and f"/contests/{contest.id}/units" in page
    assert ("Bảng xếp hạng cuộc thi" if lang == "vi" else "Contest leaderboard") in page
    board = client.get(f"/contests/{contest.id}/board")
    assert board.status_code == 200
    html = board.get_data(as_text=True)
    assert html.index("Trần Thị Bình") < html.index("Nguyễn Văn An") < html.index("Lê Cường")
    assert not [p.phone for p in people.values() if p.phone in html] and "2007" not in html
    assert "js/board.js" not in html  # no live updates for a contest's board
    school = client.get(f"/contests/{contest.id}/board?unit={tree['s3'].id}").get_data(as_text=True)
    assert "Phạm Dung" in school and "Trần Thị Bình" not in school
    units = client.get(f"/contests/{contest.id}/units?level=Trường&sort=entrants")
    assert units.status_code == 200
    html = units.get_data(as_text=True)
    assert "THPT Đại Từ" in html and "units-chart" in html and "activity-chart" not in html
    assert f"/contests/{contest.id}/units?level=Tr" in html
    assert client.get(f"/contests/{contest.id}/units?sort=luck").status_code == 400
    assert client.get("/contests/999999/board").status_code == 404
    assert client.get("/contests/999999/units").status_code == 404
    round_id = contest.rounds[0].id
    assert client.get(f"/rounds/{round_id}/board").status_code == 200  # the round pages still render
    assert "activity-chart" in client.get(f"/rounds/{round_id}/units").get_data(as_text=True)
