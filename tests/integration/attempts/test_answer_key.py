"""The answer key on each surface that can show it: the review page, the answers export, the bank export, the
round form's warnings, round pools by tag, and questions whose key was shown (used, then re-admitted)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.accounts.models import Role, StaffRole
from contest.attempts import history
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.leaderboards.exports.jobs import run_export, start_export
from contest.leaderboards.models import ExportJob
from contest.rounds.models import Review
from question_bank.models import Question, QuestionRevision
from question_bank.pool import round_pool
from tests.factories import make_user
from tests.integration.attempts.conftest import make_round, take_attempt
from tests.integration.rounds.conftest import log_in


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


def close(session, round_) -> None:
    round_.opens_at, round_.closes_at = utcnow() - timedelta(days=2), utcnow() - timedelta(minutes=5)
    session.commit()


def tag(session, questions, name: str) -> None:
    for question in questions:
        revision = session.scalar(select(QuestionRevision).where(QuestionRevision.question_id == question.id))
        revision.tags = [*revision.tags, name]
    session.commit()


def test_a_closed_round_keeps_keys_an_upcoming_round_can_draw(client, db_session, rt, world):
    """The reported attack: a closed round's review showed the key of questions the next round draws."""
    alice, week1 = world["alice"], world["round"]
    attempt_id = take_attempt(db_session, rt, alice, week1, right=1)
    close(db_session, week1)
    week2 = make_round(db_session, opens_delta=timedelta(days=1), days=3)  # the whole bank again
    log_in(client, alice)
    page = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "correct answer" not in page and "stays secret while another round can still draw it" in page
    review = history.attempt_review(db_session, rt, user_id=alice.id, attempt_id=attempt_id, now=utcnow())
    assert all(q.key_hidden and q.explanation == "" for q in review)
    assert db_session.scalar(select(Question.id).where(Question.key_shown_at.is_not(None))) is None

    week2.pool_tags = ["tuan-2"]  # week 2 gets questions of its own
    db_session.commit()
    page = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "correct answer" in page and "stays secret" not in page
    shown = set(db_session.scalars(select(Question.id).where(Question.key_shown_at.is_not(None))))
    assert shown == {item["q"] for item in db_session.get(history.Attempt, attempt_id).paper}


def test_after_submit_shows_the_rounds_own_keys_but_not_shared_ones(db_session, rt, world):
    alice, practice = world["alice"], world["round"]
    practice.review = Review.AFTER_SUBMIT
    db_session.commit()
    attempt_id = take_attempt(db_session, rt, alice, practice, right=1)
    review = history.attempt_review(db_session, rt, user_id=alice.id, attempt_id=attempt_id, now=utcnow())
    assert not any(q.key_hidden for q in review)  # the organiser chose to show this round's answers
    contest_round = make_round(db_session)  # an open round drawing the same bank
    take_attempt(db_session, rt, world["bob"], contest_round, right=1)
    review = history.attempt_review(db_session, rt, user_id=alice.id, attempt_id=attempt_id, now=utcnow())
    assert all(q.key_hidden for q in review)  # the practice round must not hand out the contest round's key


def test_a_round_draws_only_its_tags_and_not_keys_shown_before_it_opened(db_session, rt, world):
    questions = db_session.scalars(select(Question).order_by(Question.id)).all()
    tag(db_session, questions[:6], "tuan-1")
    round_ = world["round"]
    round_.pool_tags = ["tuan-1"]
    db_session.commit()
    assert {q.question_id for q in round_pool(db_session, round_).everything} == {q.id for q in questions[:6]}
    questions[0].key_shown_at = round_.opens_at - timedelta(hours=1)
    questions[1].key_shown_at = round_.opens_at + timedelta(hours=1)  # shown by this round itself: still drawn
    db_session.commit()
    assert {q.question_id for q in round_pool(db_session, round_).everything} == {q.id for q in questions[1:6]}


def test_the_round_form_saves_tags_and_warns(client, db_session, world):
    admin = make_user(db_session, role=Role.ADMIN, commit=True)
    log_in(client, admin)
    questions = db_session.scalars(select(Question).order_by(Question.id)).all()
    tag(db_session, questions[:5], "tuần 2")
    tag(db_session, questions[5:], "tuần 1")
    world["round"].pool_tags = ["tuần 1"]
    opens = (utcnow() + timedelta(days=2) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    closes = (utcnow() + timedelta(days=3) + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")
    form = {"title": "Tuần 2", "opens_at": opens, "closes_at": closes, "time_limit": "10", "question_count": "5",
            "attempts_allowed": "2", "prediction": "off", "review": "after_submit", "grace_s": "5",
            "blueprint_mode": "whole", "pool_tags": " tuần 2 , ,tuần 2"}
    response = client.post(f"/organiser/contests/{world['round'].contest_id}/rounds/new", data=form,
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Round Tuần 2 saved." in page
    assert "can use them in the next ones" in page  # answers after submit with two attempts
    assert "can draw the same questions as" not in page  # its own tag: nothing shared with the open round
    saved = db_session.scalar(select(history.Round).where(history.Round.title == "Tuần 2"))
    assert saved.pool_tags == ["tuần 2"]

    form.update(title="Tuần 3", pool_tags="", attempts_allowed="1")
    page = client.post(f"/organiser/contests/{world['round'].contest_id}/rounds/new", data=form,
                       follow_redirects=True).get_data(as_text=True)
    assert "can draw the same questions as Tuần 1, Tuần 2" in page and "next ones" not in page

    form.update(title="Tuần 4", pool_tags="không có", question_count="1")
    page = client.post(f"/organiser/contests/{world['round'].contest_id}/rounds/new",
                       data=form).get_data(as_text=True)
    assert "needs 1, has 0" in page or "has 0 questions" in page  # no question carries the tag


def test_a_used_question_is_readmitted_by_an_organiser(client, db_session, world):
    question = db_session.scalars(select(Question).order_by(Question.id)).first()
    question.key_shown_at = utcnow() - timedelta(days=1)
    upcoming = make_round(db_session, opens_delta=timedelta(days=1), days=3)
    db_session.commit()
    assert question.id not in {q.question_id for q in round_pool(db_session, upcoming).everything}
    organiser = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, commit=True)
    log_in(client, organiser)
    assert "Re-admit to new rounds" in client.get(f"/organiser/bank/{question.id}").get_data(as_text=True)
    response = client.post(f"/organiser/bank/{question.id}/readmit", follow_redirects=True)
    assert "can be drawn again" in response.get_data(as_text=True)
    assert db_session.get(Question, question.id).key_shown_at is None
    assert question.id in {q.question_id for q in round_pool(db_session, upcoming).everything}
    assert db_session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "question.readmitted")) \
        == organiser.id
    again = client.post(f"/organiser/bank/{question.id}/readmit", follow_redirects=True).get_data(as_text=True)
    assert "has not been shown" in again


def test_the_bank_export_leaves_out_what_a_live_round_can_draw(client, db_session, world):
    questions = db_session.scalars(select(Question).order_by(Question.id)).all()
    tag(db_session, questions[:3], "tuan-1")
    world["round"].pool_tags = ["tuan-1"]  # the open round draws three questions
    db_session.commit()
    organiser = make_user(db_session, role=Role.ORGANISER, staff_role=StaffRole.BANK, commit=True)
    log_in(client, organiser)
    response = client.get("/organiser/bank/export?format=csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == len(questions) - 3 and response.headers["X-Withheld-Questions"] == "3"
    texts = {db_session.scalar(select(QuestionRevision.text).where(QuestionRevision.question_id == q.id))
             for q in questions[:3]}
    assert not texts & {row["cau_hoi"] for row in rows}
    log_in(client, make_user(db_session, role=Role.ADMIN, commit=True))
    response = client.get("/organiser/bank/export?format=csv")
    assert len(list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))) == len(questions)
    details = db_session.scalars(select(AuditEntry.details).where(AuditEntry.action == "bank.exported")
                                 .order_by(AuditEntry.id)).all()
    assert [(d["withheld"], d["every_key"]) for d in details] == [(3, False), (0, True)]


@pytest.mark.parametrize("role, keys", [(Role.ORGANISER, False), (Role.ADMIN, True)])
def test_the_answers_export_mid_round_has_no_key_but_for_an_admin(db_session, rt, world, tmp_path, role, keys):
    take_attempt(db_session, rt, world["alice"], world["round"], right=2)
    actor = make_user(db_session, role=role, commit=True)
    now = utcnow()
    job = start_export(db_session, round_id=world["round"].id, what="answers", fmt="csv", version=None,
                       actor_id=actor.id, now=now, directory=tmp_path)
    run_export(db_session, job.id, questions=rt.questions, directory=tmp_path, clock=lambda: now)
    text = (tmp_path / db_session.get(ExportJob, job.id).path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all(bool(r["Đáp án đúng"]) is keys and bool(r["Đúng (1/0)"]) is keys for r in rows)
    assert all(r["Đã chọn"] for r in rows[:2])  # what the entrant chose is there either way
    assert db_session.scalar(select(AuditEntry.details).where(AuditEntry.action == "export.started"))["job_id"] \
        == job.id
