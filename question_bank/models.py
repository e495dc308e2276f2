"""Topics, questions and their revisions.

A question's identity (topic, difficulty, type, active flag) lives on ``Question``; what an entrant reads
lives on ``QuestionRevision``, which is never changed once written: editing adds a revision and attempts
keep the id of the revision they were given.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.db import flag_true, intpk, utcnow
from contest.extensions import db
from question_bank.vocabulary import Difficulty, QuestionType


def _enum(kind: type[enum.Enum], length: int) -> Enum:
    return Enum(kind, native_enum=False, length=length, values_callable=lambda members: [m.value for m in members])


class Topic(db.Model):
    __tablename__ = "bank_topics"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Topic {self.id} {self.name}>"


class Question(db.Model):
    __tablename__ = "bank_questions"

    id: Mapped[intpk]
    topic_id: Mapped[int] = mapped_column(ForeignKey("bank_topics.id"), index=True)
    difficulty: Mapped[Difficulty] = mapped_column(_enum(Difficulty, 8), index=True)
    type: Mapped[QuestionType] = mapped_column(_enum(QuestionType, 16))
    active: Mapped[flag_true] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # number of the current revision
    search_key: Mapped[str] = mapped_column(Text, default="")  # folded text and options, for search
    content_key: Mapped[str] = mapped_column(String(40), index=True)  # duplicate detection (import_plan)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    topic: Mapped[Topic] = relationship()

    def __repr__(self) -> str:
        return f"<Question {self.id} r{self.revision}>"


class QuestionRevision(db.Model):
    __tablename__ = "bank_question_revisions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[intpk]
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)  # [{"key": "A", "text": "…"}, …]
    correct: Mapped[list] = mapped_column(JSON)  # ["B"] or ["A", "C"]
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<QuestionRevision {self.question_id}.{self.number}>"
