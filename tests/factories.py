"""Test data factories: build valid objects with overridable fields, stored in the test's session."""

from __future__ import annotations

import itertools
from datetime import date

from contest.accounts.models import Role, StaffRole, User
from contest.accounts.passwords import hash_password
from contest.db import utcnow
from contest.search_text import fold
from contest.units.models import Unit

_counter = itertools.count(1)
PASSWORD = "correct-horse"


def make_unit(session, *, parent: Unit | None = None, code: str | None = None, name: str | None = None,
              level: str = "Trường", members: int | None = None) -> Unit:
    n = next(_counter)
    unit = Unit(code=code or f"U{n}", name=name or f"Đơn vị {n}", level=level, parent=parent,
                member_count=members)
    unit.search_key = fold(f"{unit.code} {unit.name}")
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.depth = unit.path.count("/") - 2
    session.flush()
    return unit


def make_tree(session) -> dict[str, Unit]:
    """province → two districts → schools: the shape most tests need."""
    province = make_unit(session, code="P1", name="Tỉnh Thử", level="Tỉnh")
    d1 = make_unit(session, parent=province, code="D1", name="Huyện Đại Từ", level="Huyện")
    d2 = make_unit(session, parent=province, code="D2", name="Huyện Phú Lương", level="Huyện")
    s1 = make_unit(session, parent=d1, code="S1", name="THPT Đại Từ", members=100)
    s2 = make_unit(session, parent=d1, code="S2", name="THPT Nguyễn Huệ", members=80)
    s3 = make_unit(session, parent=d2, code="S3", name="THPT Phú Lương", members=60)
    return {"province": province, "d1": d1, "d2": d2, "s1": s1, "s2": s2, "s3": s3}


def make_user(session, *, role: Role = Role.ENTRANT, unit: Unit | None = None, phone: str | None = None,
              email: str | None = None, password: str = PASSWORD, scope: Unit | None = None,
              full_name: str | None = None, staff_role: StaffRole | None = None, commit: bool = False) -> User:
    n = next(_counter)
    if role == Role.ENTRANT and phone is None:
        phone = f"098{n:07d}"
    user = User(role=role, full_name=full_name or f"Người dùng {n}", phone=phone, email=email,
                birth_date=date(2007, 5, 1) if role == Role.ENTRANT else None, unit=unit, scope_unit=scope,
                staff_role=staff_role,
                password_hash=hash_password(password), created_at=utcnow())
    session.add(user)
    session.commit() if commit else session.flush()
    return user


def make_topic(session, name: str | None = None):
    from question_bank.models import Topic

    topic = Topic(name=name or f"Chủ đề {next(_counter)}", created_at=utcnow())
    session.add(topic)
    session.flush()
    return topic


def make_question(session, *, topic=None, text: str | None = None, options: tuple[str, ...] = ("Đúng", "Sai", "Khác"),
                  correct: tuple[str, ...] = ("A",), difficulty=None, kind=None, active: bool = True):
    """A stored question (revision 1) with options keyed A, B, …"""
    from question_bank.formats.model import BankQuestion, Option
    from question_bank.models import Question, QuestionRevision
    from question_bank.storage import question_values, revision_values
    from question_bank.vocabulary import Difficulty, QuestionType

    topic = topic or make_topic(session)
    content = BankQuestion(text=text or f"Câu hỏi số {next(_counter)}?",
                           options=tuple(Option(key, value) for key, value in zip("ABCDEFGH", options, strict=False)),
                           correct=correct, topic=topic.name, difficulty=difficulty or Difficulty.RECOGNITION,
                           type=kind or (QuestionType.MULTIPLE if len(correct) > 1 else QuestionType.SINGLE))
    now = utcnow()
    question = Question(**question_values(content, topic_id=topic.id, now=now, actor_id=None))
    question.active = active
    session.add(question)
    session.flush()
    session.add(QuestionRevision(**revision_values(content, question_id=question.id, number=1, now=now, actor_id=None)))
    session.flush()
    return question
