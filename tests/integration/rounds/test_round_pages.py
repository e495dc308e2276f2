"""Organiser pages of contests and rounds: forms, Vietnam time, the blueprint builder, edit refusal, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.rounds.forms import to_vietnam
from contest.rounds.models import Contest, NameStyle, Round
from tests.factories import make_tree
from tests.integration.attempts.conftest import make_bank, make_round
from tests.integration.rounds.conftest import log_in


@pytest.fixture
def signed_in(client, organiser):
    log_in(client, organiser)
    return organiser


@pytest.fixture
def topic_id(db_session):
    questions = make_bank(db_session)
    db_session.commit()
    return questions[0].topic_id


def round_form(**overrides) -> dict:
    values = {"title": "Tuần 2", "opens_at": "2030-01-01T08:00", "closes_at": "2030-01-08T08:00", "time_limit": "10",
              "question_count": "10", "attempts_allowed": "3", "prediction": "off", "review": "after_close",
              "grace_s": "5", "blueprint_mode": "whole"}
    return {**values, **overrides}


def test_create_contest_and_audit(client, db_session, signed_in):
    make_tree(db_session)
    page = client.get("/organiser/contests/new")
    assert page.status_code == 200
    assert 'value="Tỉnh"' in page.text and 'value="Trường"' in page.text  # the tree's level labels
    response = client.post("/organiser/contests/new", data={
        "title": "Ánh sáng soi đường", "description": "Mô tả", "board_levels": ["Tỉnh", "Trường"],
        "name_style": "initials"})
    assert response.status_code == 302
    contest = db_session.scalar(select(Contest).where(Contest.title == "Ánh sáng soi đường"))
    assert contest.board_levels == ["Tỉnh", "Trường"] and contest.name_style == NameStyle.INITIALS
    assert contest.created_by_id == signed_in.id
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.created"))
    assert entry.actor_id == signed_in.id and entry.target_id == str(contest.id)
    assert "Ánh sáng soi đường" in client.get("/organiser/contests").text


def test_contest_title_error_beside_field(client, signed_in):
    page = client.post("/organiser/contests/new", data={"title": "", "name_style": "full"})
    assert page.status_code == 200 and 'class="field-error"' in page.text and "Enter a title." in page.text


def test_edit_contest(client, db_session, signed_in):
    contest = make_round(db_session).contest
    assert client.get(f"/organiser/contests/{contest.id}/edit").status_code == 200
    response = client.post(f"/organiser/contests/{contest.id}/edit", data={"title": "Mới", "name_style": "full"})
    assert response.status_code == 302 and contest.title == "Mới"
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.updated")).actor_id == signed_in.id


def test_create_round_in_vietnam_time(client, db_session, signed_in, topic_id):
    contest = make_round(db_session).contest
    page = client.get(f"/organiser/contests/{contest.id}/rounds/new")
    assert page.status_code == 200 and "Asia/Ho_Chi_Minh" in page.text
    assert f'name="cell-{topic_id}-NB"' in page.text and "/ 12" in page.text  # the builder, with availability
    response = client.post(f"/organiser/contests/{contest.id}/rounds/new", data=round_form(time_limit="7.5"))
    assert response.status_code == 302
    round_ = db_session.scalar(select(Round).where(Round.title == "Tuần 2"))
    assert round_.opens_at == datetime(2030, 1, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam is 01:00 UTC
    assert round_.closes_at == datetime(2030, 1, 8, 1, 0, tzinfo=UTC)
    assert (round_.time_limit_s, round_.attempts_allowed, round_.blueprint) == (450, 3, [])
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.created"))
    assert entry.actor_id == signed_in.id and entry.target_id == str(round_.id)
    listing = client.get(f"/organiser/contests/{contest.id}").text
    assert "01/01/2030 08:00" in listing and "upcoming" in listing


def test_round_form_errors_beside_fields(client, db_session, signed_in, topic_id):
    contest = make_round(db_session).contest
    page = client.post(f"/organiser/contests/{contest.id}/rounds/new", data=round_form(
        closes_at="2029-12-31T08:00", attempts_allowed="12", time_limit="0.1"))
    assert page.status_code == 200
    assert "The round must close after it opens." in page.text
    assert "Entrants may have between 1 and 10 attempts." in page.text
    assert "The time limit must be between 10 seconds and 24 hours." in page.text
    assert db_session.scalar(select(Round).where(Round.title == "Tuần 2")) is None


def test_blueprint_builder_names_the_short_cell(client, db_session, signed_in, topic_id):
    contest = make_round(db_session).contest
    cells = {f"cell-{topic_id}-NB": "7", f"cell-{topic_id}-TH": "3"}
    page = client.post(f"/organiser/contests/{contest.id}/rounds/new",
                       data=round_form(blueprint_mode="cells", **cells))
    assert page.status_code == 200
    assert "Chuyển đổi số, Thông hiểu: needs 3, has 0 (short by 3)" in page.text
    assert 'class="short"' in page.text and 'value="7"' in page.text  # the typed numbers are kept
    ok = client.post(f"/organiser/contests/{contest.id}/rounds/new",
                     data=round_form(blueprint_mode="cells", **{f"cell-{topic_id}-NB": "10"}))
    assert ok.status_code == 302
    round_ = db_session.scalar(select(Round).where(Round.title == "Tuần 2"))
    assert round_.blueprint == [{"topic_id": topic_id, "difficulty": "NB", "count": 10}]


def test_blueprint_cell_must_be_a_number(client, db_session, signed_in, topic_id):
    contest = make_round(db_session).contest
    page = client.post(f"/organiser/contests/{contest.id}/rounds/new",
                       data=round_form(blueprint_mode="cells", **{f"cell-{topic_id}-NB": "-2"}))
    assert page.status_code == 200 and "whole number from 0 to 200" in page.text


def test_edit_upcoming_round(client, db_session, signed_in, topic_id):
    round_ = make_round(db_session, opens_delta=timedelta(days=1), days=3)
    page = client.get(f"/organiser/rounds/{round_.id}/edit")
    assert page.status_code == 200
    assert to_vietnam(round_.opens_at).strftime("%Y-%m-%dT%H:%M") in page.text  # shown in Vietnam time
    response = client.post(f"/organiser/rounds/{round_.id}/edit", data=round_form(question_count="8"))
    assert response.status_code == 302
    assert (round_.title, round_.question_count) == ("Tuần 2", 8)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.updated"))
    assert entry.actor_id == signed_in.id and entry.details["changes"]["question_count"] == [5, 8]


def test_opened_round_is_not_editable(client, db_session, signed_in, topic_id):
    round_ = make_round(db_session)  # opened a minute ago
    response = client.get(f"/organiser/rounds/{round_.id}/edit")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"])
    assert "already opened, so it can no longer be changed" in follow.text
    client.post(f"/organiser/rounds/{round_.id}/edit", data=round_form())
    assert round_.title == "Tuần 1"
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.updated")) is None


def test_entrants_cannot_use_the_pages(client, db_session):
    from tests.factories import make_user

    log_in(client, make_user(db_session, unit=make_tree(db_session)["s1"], commit=True))
    assert client.get("/organiser/contests").status_code == 403


def test_missing_round_is_404(client, signed_in):
    assert client.get("/organiser/rounds/999999/edit").status_code == 404
    assert client.get("/organiser/contests/999999").status_code == 404


def test_round_statuses_on_contest_page(client, db_session, signed_in):
    round_ = make_round(db_session)
    page = client.get(f"/organiser/contests/{round_.contest_id}").text
    assert "open" in page and f"/organiser/rounds/{round_.id}/live" in page
    assert utcnow() < round_.closes_at


def test_by_cell_with_an_empty_table_is_refused(client, db_session, signed_in, topic_id):
    contest = make_round(db_session).contest
    page = client.post(f"/organiser/contests/{contest.id}/rounds/new", data=round_form(blueprint_mode="cells"))
    assert page.status_code == 200 and "at least one cell" in page.text
