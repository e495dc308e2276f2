"""Final ranking, freeze, publish and corrections (audited, versions immutable), what the public sees against what
organisers see, and the public pages. The organiser exports are in ``test_export_jobs``."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import Role
from contest.attempts import service
from contest.attempts.models import Attempt
from contest.attempts.payloads import AnswerPayload
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.leaderboards.models import ImmutableError, PublishedResult, PublishedRow
from contest.rounds.models import Contest, OrganiserContest, Prediction
from question_bank.models import QuestionRevision
from tests.factories import PASSWORD, make_tree, make_user
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.leaderboards.conftest import make_attempt
from tests.integration.leaderboards.test_boards_api import league, names


def take(session, rt, user, round_, *, right: int, prediction: int | None = None) -> Attempt:
    """A real attempt through the services: the first ``right`` questions answered correctly, the rest wrongly."""
    view = service.start_attempt(session, rt, user_id=user.id, round_id=round_.id, now=utcnow(),
                                 rng=random.Random(user.id))
    attempt = session.get(Attempt, view["id"])
    for slot, item in enumerate(attempt.paper):
        correct = set(session.get(QuestionRevision, item["rev"]).correct)
        keys = sorted(correct) if slot < right else [next(k for k in item["opts"] if k not in correct)]
        labels = sorted("ABCDEFGH"[item["opts"].index(key)] for key in keys)
        service.record_answer(session, rt, user_id=user.id, now=utcnow(),
                              answer=AnswerPayload(attempt.id, slot, tuple(labels), slot + 1))
    service.submit_attempt(session, rt, user_id=user.id, attempt_id=attempt.id, prediction=prediction, now=utcnow())
    return session.get(Attempt, attempt.id)


@pytest.fixture
def closed_round(db_session, boards, rt):
    """Four entrants took a five-question round with a full-marks prediction, and the round has closed."""
    tree = make_tree(db_session)
    make_bank(db_session)
    round_ = make_round(db_session, questions=5, attempts=1)
    round_.prediction = Prediction.FULL_MARKS
    db_session.commit()
    people = {}
    for name, school, right, guess in [("An", "s1", 5, 1), ("Bình", "s2", 5, 2), ("Cường", "s3", 4, 2),
                                       ("Dung", "s1", 3, None)]:
        user = make_user(db_session, unit=tree[school], full_name=name)
        people[name] = take(db_session, rt, user, round_, right=right, prediction=guess)
    round_.closes_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    boards.forget()
    return tree, round_, people


def organiser_client(client, db_session, *, contest: Contest | None = None):
    user = make_user(db_session, role=Role.ORGANISER, email="org@example.vn", commit=True)
    if contest is not None:
        db_session.add(OrganiserContest(user_id=user.id, contest_id=contest.id))
        db_session.commit()
    assert client.post("/api/session", json={"login": "org@example.vn", "password": PASSWORD}).json["ok"]
    return user


def audit_of(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_publish_then_correct_makes_immutable_audited_versions(client, db_session, closed_round):
    tree, round_, people = closed_round
    organiser = organiser_client(client, db_session)
    page = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'id="final-review" data-true-value="2" data-entrants="4"' in page

    assert client.post(f"/organiser/rounds/{round_.id}/publish", data={"reason": ""}).status_code == 302
    first = db_session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_.id))
    assert (first.version, first.true_value, first.entrants, first.voided) == (1, 2, 4, [])
    rows = {row.user_id: row for row in db_session.scalars(select(PublishedRow)
                                                          .where(PublishedRow.result_id == first.id))}
    # An (guess 1) and Bình (guess 2) both have full marks; the true value is 2, so Bình's guess wins the tie.
    assert rows[people["Bình"].user_id].rank == 1 and rows[people["Bình"].user_id].prediction_error == 0
    assert rows[people["An"].user_id].rank == 2 and rows[people["Dung"].user_id].prediction_error is None
    entry = audit_of(db_session, "results.publish")[-1]
    assert entry.actor_id == organiser.id and entry.details["version"] == 1 and entry.target_id == str(round_.id)
    public = client.get(f"/api/rounds/{round_.id}/leaderboard").json
    assert public["state"] == "published" and public["version"] == 1
    assert names(client.get(f"/api/rounds/{round_.id}/leaderboard")) == ["Bình", "An", "Cường", "Dung"]

    # An appeal: the last question of Cường's paper (answered wrongly) is voided.
    voided = people["Cường"].paper[-1]["q"]
    response = client.post(f"/organiser/rounds/{round_.id}/correct",
                           data={"questions": str(voided), "reason": "Appeal 17: two right options"})
    assert response.status_code == 302
    second = db_session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_.id,
                                                             PublishedResult.version == 2))
    assert second.voided == [voided] and second.reason == "Appeal 17: two right options"
    fixed = {row.user_id: row for row in db_session.scalars(select(PublishedRow)
                                                           .where(PublishedRow.result_id == second.id))}
    assert fixed[people["Cường"].user_id].score == 5
    assert second.true_value == 3  # An, Bình and now Cường have full marks; Dung cannot reach them
    correction = audit_of(db_session, "results.correct")[-1]
    assert correction.actor_id == organiser.id and correction.details["reason"] == "Appeal 17: two right options"
    assert correction.details["added_voided"] == [voided] and correction.details["version"] == 2
    # Version 1 is as it was, and cannot be changed.
    again = {row.user_id: row.score for row in db_session.scalars(select(PublishedRow)
                                                                 .where(PublishedRow.result_id == first.id))}
    assert again[people["Cường"].user_id] == 4
    assert client.get(f"/api/rounds/{round_.id}/leaderboard").json["version"] == 2
    row = db_session.scalar(select(PublishedRow).where(PublishedRow.result_id == first.id).limit(1))
    row.score = 99
    with pytest.raises(ImmutableError):
        db_session.flush()
    db_session.rollback()
    with pytest.raises(ImmutableError):
        db_session.delete(db_session.get(PublishedResult, first.id))
        db_session.flush()
    db_session.rollback()
    # The stored attempts are untouched: corrections live in the published versions.
    assert db_session.get(Attempt, people["Cường"].id).score == 4


def test_publishing_needs_a_closed_round_and_corrections_need_a_reason(client, db_session, closed_round):
    _, round_, people = closed_round
    organiser_client(client, db_session)
    voided = people["Cường"].paper[-1]["q"]
    client.post(f"/organiser/rounds/{round_.id}/correct", data={"questions": str(voided), "reason": "x"})
    assert db_session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_.id)) is None
    client.post(f"/organiser/rounds/{round_.id}/publish", data={})
    client.post(f"/organiser/rounds/{round_.id}/correct", data={"questions": str(voided), "reason": " "})
    client.post(f"/organiser/rounds/{round_.id}/publish", data={"reason": ""})  # a second version needs a reason
    assert [v for v in db_session.scalars(select(PublishedResult.version)
                                          .where(PublishedResult.round_id == round_.id))] == [1]
    round_.closes_at = utcnow() + timedelta(days=1)
    db_session.commit()
    page = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    assert 'id="final-later"' in page and 'id="final-review"' not in page


def test_frozen_boards_for_the_public_live_ones_for_organisers(client, db_session, boards, rt):
    tree, round_, people = league(db_session)
    organiser_client(client, db_session)
    assert names(client.get(f"/api/rounds/{round_.id}/leaderboard"))[0] == "Phạm Dung"
    assert client.post(f"/organiser/rounds/{round_.id}/freeze").status_code == 302
    assert audit_of(db_session, "board.freeze")[-1].target_id == str(round_.id)

    late = make_attempt(db_session, round_, people["Hoàng Em"], score=5, duration_ms=1, number=2)
    db_session.commit()
    boards.attempt_finalised(db_session, late)
    public = client.get(f"/api/rounds/{round_.id}/leaderboard").json
    assert public["state"] == "frozen" and public["rows"][0]["name"] == "Phạm Dung"
    organiser_page = client.get(f"/organiser/rounds/{round_.id}/results").get_data(as_text=True)
    live_table = organiser_page.split('id="live-board"')[1].split("</table>")[0]
    assert live_table.index("Hoàng Em") < live_table.index("Phạm Dung")
    board_page = client.get(f"/rounds/{round_.id}/board").get_data(as_text=True)
    assert 'data-state="frozen"' in board_page

    # The store lost the frozen copy (a restart of the embedded mode): it is rebuilt as of the freeze.
    boards.store.clear(f"r{round_.id}f")
    boards.forget_views()
    assert names(client.get(f"/api/rounds/{round_.id}/leaderboard"))[0] == "Phạm Dung"

    assert client.post(f"/organiser/rounds/{round_.id}/unfreeze").status_code == 302
    assert audit_of(db_session, "board.unfreeze")
    public = client.get(f"/api/rounds/{round_.id}/leaderboard").json
    assert public["state"] == "live" and public["rows"][0]["name"] == "Hoàng Em"


def test_organisers_outside_the_contest_are_refused(client, db_session, closed_round):
    _, round_, _ = closed_round
    other = Contest(title="Khác", created_at=utcnow())
    db_session.add(other)
    db_session.commit()
    organiser_client(client, db_session, contest=other)
    assert client.get(f"/organiser/rounds/{round_.id}/results").status_code == 403
    assert client.post(f"/organiser/rounds/{round_.id}/publish", data={}).status_code == 403


def test_public_pages_and_the_entrants_rank(client, db_session, boards, rt):
    tree, round_, people = league(db_session)
    round_.contest.board_levels = ["Huyện", "Trường"]
    db_session.commit()
    contest_page = client.get(f"/contests/{round_.contest_id}").get_data(as_text=True)
    assert f'href="/rounds/{round_.id}/board"' in contest_page and round_.title in contest_page
    board = client.get(f"/rounds/{round_.id}/board").get_data(as_text=True)
    assert "Phạm Dung" in board and 'id="board-rows"' in board and "socket.io.min.js" in board
    assert "098" not in board  # no phone numbers
    assert "cdn" not in board.lower().replace("\\u1ecd", "")
    district = client.get(f"/rounds/{round_.id}/board?unit={tree['d1'].id}").get_data(as_text=True)
    assert "Lê Cường" in district and "Phạm Dung" not in district.split('id="board-rows"')[1]
    found = client.get(f"/rounds/{round_.id}/board?q=bình").get_data(as_text=True)
    results = found.split('id="search-results"')[1].split("</section>")[0]
    assert "Trần Thị Bình" in results and "Nguyễn Văn An" not in results
    assert client.get(f"/rounds/{round_.id}/board?page=x").status_code == 400
    assert client.get("/rounds/999999/board").status_code == 404

    units = client.get(f"/rounds/{round_.id}/units?level=Trường").get_data(as_text=True)
    assert 'id="units-chart"' in units and 'id="activity-chart"' in units and "chart.umd" not in units
    bars = re.findall(r'<th scope="row">([^<]+)</th><td><span class="bar-value">([^<]+)</span><meter min="0" '
                      r'max="(\d+)" value="([\d.]+)"', units.split('id="units-chart"')[1].split("</section>")[0])
    assert bars and all(0 <= float(value) <= float(top) for _, _, top, value in bars), bars
    assert "THPT Đại Từ" in units and 'data-bucket="hour"' in units
    assert client.get(f"/rounds/{round_.id}/units?sort=bogus").status_code == 400

    make_bank(db_session)
    me = make_user(db_session, unit=tree["s2"], phone="0933333333", full_name="Vũ Giang")
    db_session.commit()
    assert client.post("/api/session", json={"login": "0933333333", "password": PASSWORD}).json["ok"]
    mine = take(db_session, rt, me, round_, right=0)
    page = client.get(f"/attempts/{mine.id}/result").get_data(as_text=True)
    assert 'id="my-rank"' in page and "6" in page.split('id="my-rank"')[1].split("</p>")[0]


def test_initials_contests_are_not_searchable_by_name(client, db_session, boards):
    _, round_, _ = league(db_session)
    round_.contest.name_style = "initials"
    db_session.commit()
    page = client.get(f"/rounds/{round_.id}/board?q=Bình").get_data(as_text=True)
    assert "Trần Thị Bình" not in page and "T. T. B." in page
