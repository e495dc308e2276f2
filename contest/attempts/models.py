from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import bigpk
from contest.extensions import db


class Status(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    EXPIRED = "expired"  # finalised by the server at the deadline


class Attempt(db.Model):
    """One entrant's attempt at a round, with the paper it was given.

    ``paper`` is ``[{"q": question id, "rev": revision id, "opts": [original option keys in the order shown]}]``;
    revisions are immutable, so the paper keeps the exact text and options the entrant saw whatever happens to
    the bank.
    Two database rules make concurrent starts (two tabs, a double tap) safe: ``number`` is unique per entrant
    and round, and at most one attempt per entrant and round is in progress (a partial unique index).
    """

    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("round_id", "user_id", "number"),
        Index("uq_attempts_one_in_progress", "round_id", "user_id", unique=True,
              sqlite_where=text("status = 'in_progress'"), postgresql_where=text("status = 'in_progress'")),
        Index("ix_attempts_status_deadline", "status", "deadline"),
    )

    id: Mapped[bigpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[Status] = mapped_column(
        Enum(Status, native_enum=False, length=16, values_callable=lambda items: [i.value for i in items]),
        default=Status.IN_PROGRESS,
    )
    paper: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime]
    deadline: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    score: Mapped[int | None]
    max_score: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int | None]
    prediction: Mapped[int | None] = mapped_column(BigInteger)
    # The device the attempt belongs to (contest.attempts.devices): the one that started or last resumed it, and
    # how many times another device took it over. Older rows (and clients without an id) have None.
    device_id: Mapped[str | None] = mapped_column(String(64))
    device_changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AttemptDevice(db.Model):
    """A device an attempt was opened on: its start (``took_over`` false) and every take-over by another device,
    with a coarse user agent and the client's address as seen behind the configured proxies (``PROXIES``)."""

    __tablename__ = "attempt_devices"

    id: Mapped[bigpk]
    attempt_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                            ForeignKey("attempts.id"), index=True)
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime]
    took_over: Mapped[bool] = mapped_column(default=False)
    agent: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(45), default="", index=True)


class Answer(db.Model):
    """The latest answer to one slot of an attempt: a later ``seq`` replaces it, an older one never does."""

    __tablename__ = "answers"

    attempt_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                            ForeignKey("attempts.id"), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    choice: Mapped[list] = mapped_column(JSON)  # original option keys
    seq: Mapped[int] = mapped_column(BigInteger)
    # Indexed for the organiser's live view (answers of the last seconds): ~11 ms at 1,000 answers/s on
    # PostgreSQL here, against ~200 ms scanning 1.8 million rows without it.
    answered_at: Mapped[datetime] = mapped_column(index=True)
    via: Mapped[str] = mapped_column(String(8), default="ws")
