"""Curating the bank through its services: revisions, deactivation, search, topics, the drawing pool."""

from __future__ import annotations

import random

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from question_bank import service
from question_bank.drawing import draw_paper
from question_bank.formats.model import RawQuestion
from question_bank.models import QuestionRevision
from question_bank.pool import load_pool
from question_bank.vocabulary import Difficulty, QuestionType
from tests.factories import make_question, make_topic


def raw(text="Chuyển đổi số là gì?", options=("Quá trình thay đổi", "Một phần mềm"), correct="A", **fields):
    return RawQuestion(row=0, text=text, options=tuple(zip("ABCDEFGH", options, strict=False)), correct=correct,
                       difficulty=fields.pop("difficulty", "TH"), **fields)


def test_create_then_edit_content_makes_a_new_revision_and_keeps_the_old(db_session):
    topic = make_topic(db_session, name="Chuyển đổi số")
    question = service.create_question(db_session, raw(), topic_id=topic.id, now=utcnow(), actor_id=None)
    first_revision = db_session.scalar(select(QuestionRevision.id).where(QuestionRevision.question_id == question.id))

    service.edit_question(db_session, question.id, raw(options=("Quá trình thay đổi toàn diện", "Một phần mềm")),
                          topic_id=topic.id, now=utcnow(), actor_id=None)
    _, content, revisions = service.get_question(db_session, question.id)
    assert [r.number for r in revisions] == [2, 1]
    assert revisions[1].id == first_revision and revisions[1].options[0]["text"] == "Quá trình thay đổi"
    assert content.options[0].text == "Quá trình thay đổi toàn diện" and question.revision == 2


def test_changing_only_topic_or_difficulty_adds_no_revision(db_session):
    first, second = make_topic(db_session), make_topic(db_session)
    question = service.create_question(db_session, raw(), topic_id=first.id, now=utcnow(), actor_id=None)
    service.edit_question(db_session, question.id, raw(difficulty="VDC"), topic_id=second.id, now=utcnow(),
                          actor_id=None)
    assert (question.revision, question.topic_id, question.difficulty) == (1, second.id, Difficulty.HIGH_APPLICATION)
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "bank.question.edited")).one()
    assert entry.details == {"revision": 1, "new_revision": False, "changed": ["topic", "difficulty"]}


def test_invalid_questions_and_duplicates_are_refused_per_field(db_session):
    topic = make_topic(db_session)
    with pytest.raises(DomainError) as refused:
        service.create_question(db_session, raw(text="", options=("x",), correct="C"), topic_id=topic.id,
                                now=utcnow(), actor_id=None)
    assert set(refused.value.fields) == {"text", "option_b", "correct"}
    service.create_question(db_session, raw(), topic_id=topic.id, now=utcnow(), actor_id=None)
    with pytest.raises(DomainError) as duplicate:
        service.create_question(db_session, raw(text="chuyển đổi số là gì"), topic_id=topic.id, now=utcnow(),
                                actor_id=None)
    with force_locale("en"):
        assert "already has this text" in str(duplicate.value.fields["text"])


def test_deactivated_questions_leave_the_pool(db_session):
    question = make_question(db_session)
    service.set_active(db_session, question.id, False, now=utcnow(), actor_id=None)
    assert question.active is False
    assert load_pool(db_session).everything == ()
    assert db_session.scalar(select(AuditEntry.action)) == "bank.question.deactivated"


def test_search_is_accent_insensitive_and_filters(db_session):
    digital = make_topic(db_session, name="Chuyển đổi số")
    history = make_topic(db_session, name="Lịch sử")
    wanted = make_question(db_session, topic=digital, text="Mục tiêu chuyển đổi số của tỉnh là gì?")
    make_question(db_session, topic=history, text="Đoàn TNCS Hồ Chí Minh thành lập năm nào?",
                  difficulty=Difficulty.APPLICATION)
    make_question(db_session, topic=digital, text="Chuyển đổi số cũ", active=False)

    found = service.search_questions(db_session, service.SearchQuery(text="chuyen doi so"))
    assert [item.question.id for item in found.items] == [wanted.id]
    assert service.search_questions(db_session, service.SearchQuery(text="ĐOÀN tncs")).total == 1
    assert service.search_questions(db_session, service.SearchQuery(active=None, topic_id=digital.id)).total == 2
    assert service.search_questions(db_session, service.SearchQuery(difficulty=Difficulty.APPLICATION)).total == 1
    assert service.search_questions(db_session, service.SearchQuery(text="50%_")).total == 0


def test_pagination(db_session):
    topic = make_topic(db_session)
    for _ in range(7):
        make_question(db_session, topic=topic)
    page = service.search_questions(db_session, service.SearchQuery(page=3, per_page=3))
    assert (page.total, page.pages, page.page, len(page.items)) == (7, 3, 3, 1)
    assert service.search_questions(db_session, service.SearchQuery(page=99, per_page=3)).page == 3


def test_topics_are_unique_and_renamable(db_session):
    topic = service.save_topic(db_session, " Kỹ năng số ", now=utcnow(), actor_id=None)
    assert topic.name == "Kỹ năng số"
    with pytest.raises(DomainError):
        service.save_topic(db_session, "Kỹ năng số", now=utcnow(), actor_id=None)
    service.save_topic(db_session, "Kỹ năng số cơ bản", now=utcnow(), actor_id=None, topic_id=topic.id)
    assert [(t.name, n) for t, n in service.list_topics(db_session)] == [("Kỹ năng số cơ bản", 0)]


def test_pool_cells_and_a_draw_from_the_database(db_session):
    topic = make_topic(db_session)
    for _ in range(4):
        make_question(db_session, topic=topic, difficulty=Difficulty.COMPREHENSION)
    make_question(db_session, topic=topic, options=("Đúng", "Sai"), kind=QuestionType.TRUE_FALSE)
    make_question(db_session, topic=topic, correct=("A", "B"))
    pool = load_pool(db_session)
    assert {cell: len(members) for cell, members in pool.cells.items()} == {(topic.id, "TH"): 4, (topic.id, "NB"): 2}
    paper = draw_paper(pool, {(topic.id, "TH"): 2, (topic.id, "NB"): 2}, random.Random(5))
    assert len(paper) == 4
    by_id = {q.question_id: q for q in pool.everything}
    assert any(by_id[q.question_id].multiple for q in pool.everything)
    true_false = [q for q in paper if not by_id[q.question_id].shuffle_options]
    assert all(q.option_order == ("A", "B") for q in true_false)
