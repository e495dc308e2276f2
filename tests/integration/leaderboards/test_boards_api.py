"""Boards kept from the database and read over HTTP: recording on finalise, rebuild, unit filters, the asking
entrant's rank, names as the contest says, ETags; on the in-process store and, with ``REDIS_URL``, on Redis."""

from __future__ import annotations

from datetime import timedelta

from socketio.packet import EVENT

from contest.attempts.models import Status
from contest.db import utcnow
from contest.extensions import socketio
from contest.leaderboards.models import Aggregate, ContestBoard, RankingRule
from contest.leaderboards.stores.families import family_of_contest, family_of_round
from contest.rounds.models import NameStyle, Round
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import correct_labels, make_bank, make_round
from tests.integration.leaderboards.conftest import make_attempt


def league(session):
    """Five entrants in three schools of two districts, with results that tie on score."""
    tree = make_tree(session)
    round_ = make_round(session)
    base = utcnow() - timedelta(hours=1)
    people = {}
    for name, school, score, duration, offset in [
        ("Nguyễn Văn An", "s1", 5, 40_000, 3), ("Trần Thị Bình", "s1", 5, 30_000, 9), ("Lê Cường", "s2", 4, 10_000, 1),
        ("Phạm Dung", "s3", 5, 30_000, 2), ("Hoàng Em", "s3", 2, 5_000, 0),
    ]:
        user = make_user(session, unit=tree[school], full_name=name)
        make_attempt(session, round_, user, score=score, duration_ms=duration,
                     finished_at=base + timedelta(seconds=offset))
        people[name] = user
    session.commit()
    return tree, round_, people


def names(response) -> list[str]:
    return [row["name"] for row in response.json["rows"]]


def test_board_rebuilds_itself_from_the_database_and_filters_by_unit(client, db_session, boards):
    tree, round_, people = league(db_session)
    response = client.get(f"/api/rounds/{round_.id}/leaderboard")
    assert response.status_code == 200 and response.json["ok"]
    assert names(response) == ["Phạm Dung", "Trần Thị Bình", "Nguyễn Văn An", "Lê Cường", "Hoàng Em"]
    assert response.json["total"] == 5 and response.json["level"] is None
    first = response.json["rows"][0]
    assert first == {"rank": 1, "name": "Phạm Dung", "unit": "THPT Phú Lương", "score": 5, "duration_ms": 30_000}
    body = response.get_data(as_text=True)
    assert not [p.phone for p in people.values() if p.phone in body]  # no phone number on a public board
    assert "Phạm Dung" in body and "\\u" not in body  # UTF-8 as it is: a third fewer bytes than escapes
    assert all(set(row) == {"rank", "name", "unit", "score", "duration_ms"} for row in response.json["rows"])

    d1 = client.get(f"/api/rounds/{round_.id}/leaderboard?unit={tree['d1'].id}&offset=1&limit=2").json
    assert d1["level"] == "Huyện" and d1["total"] == 3
    assert [(row["rank"], row["name"]) for row in d1["rows"]] == [(2, "Nguyễn Văn An"), (3, "Lê Cường")]
    school = client.get(f"/api/rounds/{round_.id}/leaderboard?level=Trường&unit={tree['s3'].id}").json
    assert [row["name"] for row in school["rows"]] == ["Phạm Dung", "Hoàng Em"]


def test_finalising_an_attempt_places_it_and_the_entrant_sees_their_rank(client, db_session, boards, rt):
    tree, round_, people = league(db_session)
    round_.attempts_allowed = 2
    make_bank(db_session)
    make_user(db_session, unit=tree["s2"], phone="0933333333", full_name="Vũ Giang")
    db_session.commit()
    assert client.get(f"/api/rounds/{round_.id}/leaderboard").json["total"] == 5  # built, then kept live
    assert client.post("/api/session", json={"login": "0933333333", "password": PASSWORD}).json["ok"]
    me = client.get(f"/api/rounds/{round_.id}/leaderboard").json["me"]
    assert me is None
    attempt = client.post(f"/api/rounds/{round_.id}/attempts", json={}).json["attempt"]
    for slot, labels in enumerate(correct_labels(db_session, attempt["id"])):
        assert client.put(f"/api/attempts/{attempt['id']}/answers/{slot}",
                          json={"choice": labels, "seq": slot + 1}).json["ok"]
    assert client.post(f"/api/attempts/{attempt['id']}/submit", json={}).json["result"]["score"] == 5
    board = client.get(f"/api/rounds/{round_.id}/leaderboard").json
    assert board["total"] == 6 and board["rows"][0]["name"] == "Vũ Giang"  # full marks in a few ms
    assert board["me"] == {"rank": 1, "name": "Vũ Giang", "unit": "THPT Nguyễn Huệ", "score": 5,
                           "duration_ms": board["rows"][0]["duration_ms"]}
    # A worse second attempt leaves the board as it is.
    second = client.post(f"/api/rounds/{round_.id}/attempts", json={}).json["attempt"]
    assert client.post(f"/api/attempts/{second['id']}/submit", json={}).json["result"]["score"] == 0
    again = client.get(f"/api/rounds/{round_.id}/leaderboard").json
    assert again["me"]["rank"] == 1 and again["me"]["score"] == 5
    # The entrant's own district board, from the level alone.
    mine = client.get(f"/api/rounds/{round_.id}/leaderboard?level=Huyện").json
    assert mine["unit_id"] == tree["d1"].id and mine["me"]["rank"] == 1 and mine["total"] == 4


def test_etag_and_cache_headers(client, db_session, boards):
    _, round_, people = league(db_session)
    url = f"/api/rounds/{round_.id}/leaderboard"
    first = client.get(url)
    assert first.headers["ETag"].startswith('W/"') and "max-age=2" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    make_attempt(db_session, round_, people["Hoàng Em"], score=5, duration_ms=1, number=2)
    db_session.commit()
    boards.rebuild_round(db_session, round_.id)
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["rows"][0]["name"] == "Hoàng Em"


def test_names_as_the_contest_says_and_tie_breaks_as_the_round_says(client, db_session, boards):
    _, round_, _ = league(db_session)
    round_.contest.name_style = NameStyle.INITIALS
    db_session.add(RankingRule(round_id=round_.id, tie_breaks=["submitted"]))
    db_session.commit()
    # Among the three with 5 points, the earliest submission now wins: Dung (2 s), An (3 s), Bình (9 s).
    assert names(client.get(f"/api/rounds/{round_.id}/leaderboard")) == ["P. D.", "N. V. A.", "T. T. B.", "L. C.",
                                                                         "H. E."]


def test_bad_queries_are_refused_clearly(client, db_session, boards):
    tree, round_, _ = league(db_session)
    client.set_cookie("lang", "en")  # the messages name the query parameters; English reads best here
    base = f"/api/rounds/{round_.id}/leaderboard"
    for query, words in [("?limit=0", "limit"), ("?limit=500", "limit"), ("?offset=-1", "offset"),
                         ("?unit=abc", "unit"), ("?level=Huyện", "level"),
                         (f"?level=Tỉnh&unit={tree['s1'].id}", "level")]:
        response = client.get(base + query)
        assert response.status_code == 400, query
        assert response.json["error"]["code"] == "bad_request" and words in response.json["error"]["message"]
    assert client.get("/api/rounds/999999/leaderboard").json["error"]["code"] == "not_found"
    assert client.get(base + "?unit=999999").json["error"]["code"] == "not_found"
    assert client.get(f"/api/rounds/{round_.id}/units?sort=luck").json["error"]["code"] == "bad_request"
    assert client.get(f"/api/rounds/{round_.id}/units?level=Xã").json["error"]["code"] == "bad_request"


def test_unit_rankings_at_each_level(client, db_session, boards):
    tree, round_, people = league(db_session)
    make_attempt(db_session, round_, people["Lê Cường"], score=1, duration_ms=1000, number=2)
    make_attempt(db_session, round_, people["Hoàng Em"], score=0, duration_ms=1000, number=2,
                 status=Status.IN_PROGRESS)
    db_session.commit()
    schools = client.get(f"/api/rounds/{round_.id}/units?level=Trường").json
    assert schools["levels"] == ["Tỉnh", "Huyện", "Trường"]
    by_code = {row["code"]: row for row in schools["rows"]}
    assert by_code["S1"] | {"rank": 0} == {"rank": 0, "unit_id": tree["s1"].id, "code": "S1", "name": "THPT Đại Từ",
                                           "entrants": 2, "attempts": 2, "members": 100, "participation": 0.02,
                                           "average_score": 5.0, "full_marks": 2}
    assert by_code["S2"]["attempts"] == 2 and by_code["S2"]["average_score"] == 4.0
    assert [row["code"] for row in schools["rows"]] == ["S1", "S3", "S2"]  # by entrants, ties by code
    by_average = client.get(f"/api/rounds/{round_.id}/units?level=Trường&sort=average_score&order=asc").json
    assert [row["code"] for row in by_average["rows"]] == ["S3", "S2", "S1"]
    districts = client.get(f"/api/rounds/{round_.id}/units?level=Huyện").json["rows"]
    d1 = next(row for row in districts if row["code"] == "D1")
    assert d1["members"] == 180 and d1["entrants"] == 3 and d1["participation"] == round(3 / 180, 4)
    province = client.get(f"/api/rounds/{round_.id}/units").json  # the top level by default
    assert province["level"] == "Tỉnh"
    assert province["rows"][0]["entrants"] == 5 and province["rows"][0]["members"] == 240


def test_rebuild_command_and_contest_boards(app, db_session, boards):
    _, round_, people = league(db_session)
    second = Round(contest=round_.contest, title="Tuần 2", opens_at=round_.opens_at, closes_at=round_.closes_at,
                   time_limit_s=600, question_count=5, created_at=utcnow())
    db_session.add(second)
    db_session.flush()
    make_attempt(db_session, second, people["Hoàng Em"], score=5, duration_ms=1000)
    make_attempt(db_session, second, people["Lê Cường"], score=5, duration_ms=2000)
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["boards", "rebuild"])
    assert result.exit_code == 0, result.output
    assert f"round {round_.id}: 5 entrants ranked" in result.output and f"round {second.id}: 2" in result.output
    store, contest = boards.store, family_of_contest(round_.contest_id)
    assert boards.store.is_ready(family_of_round(round_.id))
    best = [r.entrant_id for r in store.top(contest, None, 0, 10)]
    assert best[:2] == [people["Hoàng Em"].id, people["Lê Cường"].id]
    db_session.add(ContestBoard(contest_id=round_.contest_id, aggregate=Aggregate.SUM))
    db_session.commit()
    boards.rebuild_contest(db_session, round_.contest_id)
    summed = [r.entrant_id for r in store.top(contest, None, 0, 10)]
    assert summed[0] == people["Lê Cường"].id  # 4 + 5 points
    assert app.test_cli_runner().invoke(args=["boards", "rebuild", "999999"]).exit_code != 0


def test_socketio_packets_carry_utf8_not_escapes(app):

    packet = socketio.server.packet_class(EVENT, namespace="/board", data=["board", {"name": "Nguyễn Văn An"}])
    assert packet.encode() == '2/board,["board",{"name":"Nguyễn Văn An"}]'
