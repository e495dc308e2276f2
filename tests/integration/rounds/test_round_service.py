"""create_round / update_round / update_contest: validation, the refusal to change an opened round, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from contest.accounts.models import Role
from contest.attempts.models import Attempt, Status
from contest.attempts.runtime import runtime
from contest.audit.models import AuditEntry
from contest.db import utcnow
from contest.errors import DomainError
from contest.rounds.models import NameStyle, Prediction, Round
from contest.rounds.service import (
    ContestSpec,
    RoundSpec,
    create_contest,
    create_round,
    list_rounds,
    update_contest,
    update_round,
)
from tests.factories import make_tree, make_user
from tests.integration.attempts.conftest import make_bank


@pytest.fixture
def bank(app, db_session):
    questions = make_bank(db_session)  # 12 questions, topic "Chuyển đổi số", all Nhận biết
    db_session.commit()
    with app.app_context():
        yield runtime().bank, questions[0].topic_id


def spec(**overrides) -> RoundSpec:
    opens = utcnow() + timedelta(days=1)
    values = {"title": "Tuần 1", "opens_at": opens, "closes_at": opens + timedelta(days=7), "time_limit_s": 600,
              "question_count": 10, "attempts_allowed": 3}
    return RoundSpec(**{**values, **overrides})


def contest_id(db_session) -> int:
    return create_contest(db_session, title="Tìm hiểu chuyển đổi số", now=utcnow()).id


def problems(db_session, bank, **overrides) -> dict[str, str]:
    with pytest.raises(DomainError) as caught:
        create_round(db_session, bank, contest_id=contest_id(db_session), spec=spec(**overrides), now=utcnow())
    assert caught.value.code == "validation"
    with force_locale("en"):  # the English msgids read best in assertions; Vietnamese is checked elsewhere
        return {name: str(message) for name, message in caught.value.fields.items()}


def test_close_before_open_is_refused(db_session, bank):
    opens = utcnow() + timedelta(days=1)
    assert set(problems(db_session, bank[0], opens_at=opens, closes_at=opens)) == {"closes_at"}
    assert "close after it opens" in problems(db_session, bank[0], opens_at=opens,
                                              closes_at=opens - timedelta(hours=1))["closes_at"]


@pytest.mark.parametrize(("field", "value"), [
    ("time_limit_s", 5), ("time_limit_s", 25 * 3600), ("question_count", 0), ("question_count", 201),
    ("attempts_allowed", 0), ("attempts_allowed", 11), ("grace_s", -1), ("grace_s", 61), ("title", "  "),
    ("title", "x" * 201),
])
def test_limits(db_session, bank, field, value):
    assert field in problems(db_session, bank[0], **{field: value})


def test_short_blueprint_cell_is_named(db_session, bank):
    papers, topic_id = bank
    blueprint = [{"topic_id": topic_id, "difficulty": "NB", "count": 7},
                 {"topic_id": topic_id, "difficulty": "TH", "count": 3}]
    message = problems(db_session, papers, blueprint=blueprint)["blueprint"]
    assert "Chuyển đổi số" in message and "Thông hiểu" in message
    assert "cần 3, có 0" in message and "Nhận biết" not in message  # written when refused, in Vietnamese


def test_whole_bank_too_small(db_session, bank):
    message = problems(db_session, bank[0], question_count=13)["blueprint"]
    assert "12 câu hỏi đang dùng, vòng thi cần 13" in message


def test_blueprint_must_add_up(db_session, bank):
    papers, topic_id = bank
    message = problems(db_session, papers, blueprint=[{"topic_id": topic_id, "difficulty": "NB", "count": 4}])
    assert "add up" in message["blueprint"]


def test_create_drops_empty_cells_and_audits(db_session, bank):
    papers, topic_id = bank
    cid = contest_id(db_session)
    blueprint = [{"topic_id": topic_id, "difficulty": "NB", "count": 10},
                 {"topic_id": topic_id, "difficulty": "TH", "count": 0}]
    round_ = create_round(db_session, papers, contest_id=cid, spec=spec(blueprint=blueprint), now=utcnow(),
                          actor_id=None)
    assert round_.blueprint == [{"topic_id": topic_id, "difficulty": "NB", "count": 10}]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.created"))
    assert entry.target_id == str(round_.id) and entry.details["contest_id"] == cid


def test_update_upcoming_round_records_changes(db_session, bank):
    papers, _topic = bank
    actor = make_user(db_session, email="o@example.org", role=Role.ORGANISER)
    round_ = create_round(db_session, papers, contest_id=contest_id(db_session), spec=spec(), now=utcnow())
    changed = spec(title="Tuần 1 (sửa)", attempts_allowed=5, prediction=Prediction.FULL_MARKS,
                   opens_at=round_.opens_at, closes_at=round_.closes_at)
    update_round(db_session, papers, round_id=round_.id, spec=changed, now=utcnow(), actor_id=actor.id)
    stored = db_session.get(Round, round_.id)
    assert (stored.title, stored.attempts_allowed, stored.prediction) == ("Tuần 1 (sửa)", 5, Prediction.FULL_MARKS)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.updated"))
    assert entry.actor_id == actor.id
    assert entry.details["changes"] == {"title": ["Tuần 1", "Tuần 1 (sửa)"], "attempts_allowed": [3, 5],
                                        "prediction": ["off", "full_marks"]}


def test_update_validates_like_create(db_session, bank):
    papers, _topic = bank
    round_ = create_round(db_session, papers, contest_id=contest_id(db_session), spec=spec(), now=utcnow())
    with pytest.raises(DomainError) as caught:
        update_round(db_session, papers, round_id=round_.id, spec=spec(attempts_allowed=11), now=utcnow())
    assert set(caught.value.fields) == {"attempts_allowed"}
    assert db_session.get(Round, round_.id).attempts_allowed == 3


def test_opened_round_cannot_be_changed(db_session, bank):
    papers, _topic = bank
    now = utcnow()
    round_ = create_round(db_session, papers, contest_id=contest_id(db_session), now=now,
                          spec=spec(opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=1)))
    with pytest.raises(DomainError) as caught:
        update_round(db_session, papers, round_id=round_.id, spec=spec(title="Khác"), now=now)
    with force_locale("en"):
        assert caught.value.code == "conflict" and "already opened" in str(caught.value.message)
    assert db_session.get(Round, round_.id).title == "Tuần 1"
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "round.updated")) is None


def test_round_with_an_attempt_cannot_be_changed(db_session, bank):
    """Belt and braces: a round whose opening moved later but already has attempts stays as it is."""
    papers, _topic = bank
    now = utcnow()
    round_ = create_round(db_session, papers, contest_id=contest_id(db_session), spec=spec(), now=now)
    entrant = make_user(db_session, unit=make_tree(db_session)["s1"])
    db_session.add(Attempt(round_id=round_.id, user_id=entrant.id, number=1, status=Status.SUBMITTED, paper=[],
                           started_at=now, deadline=now, max_score=0))
    db_session.commit()
    with pytest.raises(DomainError) as caught:
        update_round(db_session, papers, round_id=round_.id, spec=spec(), now=now)
    assert caught.value.code == "conflict"


def test_list_rounds_shape_is_unchanged(db_session, bank):
    round_ = create_round(db_session, bank[0], contest_id=contest_id(db_session), spec=spec(), now=utcnow())
    [item] = [item for item in list_rounds(db_session, now=utcnow()) if item["id"] == round_.id]
    assert set(item) == {"id", "contest_id", "contest_title", "title", "opens_at", "closes_at", "status",
                         "time_limit_s", "question_count", "attempts_allowed"}
    assert item["status"] == "upcoming"


def test_contest_levels_must_exist(db_session):
    make_tree(db_session)
    with pytest.raises(DomainError) as caught:
        create_contest(db_session, title="A", board_levels=["Tỉnh", "Xã"], now=utcnow())
    assert "Xã" in str(caught.value.fields["board_levels"])
    contest = create_contest(db_session, title="  A  b ", board_levels=["Tỉnh", "Trường"], now=utcnow())
    assert (contest.title, contest.board_levels) == ("A b", ["Tỉnh", "Trường"])
    update_contest(db_session, contest_id=contest.id, now=utcnow(),
                   spec=ContestSpec(title="B", board_levels=["Huyện"], name_style=NameStyle.INITIALS))
    assert (contest.title, contest.board_levels, contest.name_style) == ("B", ["Huyện"], NameStyle.INITIALS)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.updated"))
    assert entry.details["changes"]["name_style"] == ["full", "initials"]
