"""Topics, questions and their revisions.

A question's identity (topic, difficulty, type, active flag) lives on ``Question``; what an entrant reads
lives on ``QuestionRevision``, which is never changed once written: editing adds a revision and attempts
keep the id of the revision they were given. ``RoundItemStat`` stores a round's item statistics, computed once
the round has closed (or on an organiser's request), so pages read them instead of scanning attempts.
``BankImage`` holds the pictures revisions show, by the SHA-256 of their stored bytes (``image_check``): a
revision names its images by ``<sha256>.<ext>``, so an image is written once and never changes either.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
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
    # When an entrant was first shown the key (see key_rule): rounds opening later leave the question out.
    key_shown_at: Mapped[datetime | None]

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
    options: Mapped[list] = mapped_column(JSON)  # [{"key": "A", "text": "…", "image"?: "<sha256>.png"}, …]
    correct: Mapped[list] = mapped_column(JSON)  # ["B"] or ["A", "C"]
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    image: Mapped[str | None] = mapped_column(String(80))  # the stem's picture: "<sha256>.<ext>" of a BankImage
    image_alt: Mapped[str] = mapped_column(String(300), default="")  # its text alternative; "" when the stem says it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<QuestionRevision {self.question_id}.{self.number}>"


class BankImage(db.Model):
    """A checked, normalised picture (``image_check``). Stored in the database rather than on disk: every process of
    a cluster serves it, an import writes its images and questions in one transaction (all or nothing), and a
    picture is at most ``MAX_SIDE`` pixels long, a few hundred KB."""

    __tablename__ = "bank_images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<BankImage {self.sha256[:12]} {self.width}×{self.height}>"


class RoundItemStat(db.Model):
    """A question's statistics in one round, over every revision of it the round's papers showed (see
    ``item_stats``). A round's rows are replaced together and share ``computed_at``; undefined values are NULL."""

    __tablename__ = "round_item_stats"
    __table_args__ = (UniqueConstraint("round_id", "question_id"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("bank_questions.id", ondelete="CASCADE"), index=True)
    n: Mapped[int] = mapped_column(Integer)  # finalised attempts given the question
    facility: Mapped[float | None] = mapped_column(Float)
    upper_lower_d: Mapped[float | None] = mapped_column(Float)
    point_biserial: Mapped[float | None] = mapped_column(Float)
    option_shares: Mapped[dict] = mapped_column(JSON)  # {"A": 0.25, …}, every key shown
    no_answer_share: Mapped[float | None] = mapped_column(Float)
    correct_keys: Mapped[list] = mapped_column(JSON)  # union over the revisions shown
    computed_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<RoundItemStat r{self.round_id} q{self.question_id}>"
