"""Ranking settings that belong to rounds and contests (kept here until they move onto ``Round``/``Contest``),
frozen boards, published, versioned results, disqualifications and export jobs."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import intpk
from contest.extensions import db


class Aggregate(enum.StrEnum):
    BEST = "best"  # an entrant's best round result represents them
    SUM = "sum"  # scores and durations of each round's best added up


class RankingRule(db.Model):
    """A round's tie-break order (``["duration", "submitted", "prediction"]``, …); no row: the default order."""

    __tablename__ = "ranking_rules"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    tie_breaks: Mapped[list] = mapped_column(JSON, default=list)


class ContestBoard(db.Model):
    """How a contest's board adds up its rounds; no row: ``best``."""

    __tablename__ = "contest_boards"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), primary_key=True)
    aggregate: Mapped[Aggregate] = mapped_column(
        Enum(Aggregate, native_enum=False, length=8, values_callable=lambda items: [i.value for i in items]),
        default=Aggregate.BEST,
    )


class BoardFreeze(db.Model):
    """A round whose public boards are frozen: the public sees the boards as they were at ``frozen_at`` (a copy
    of the live family), organisers the live ones. No row: not frozen."""

    __tablename__ = "board_freezes"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    frozen_at: Mapped[datetime]
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PublishedResult(db.Model):
    """One published version of a round's final ranking. Versions are never changed or deleted (see
    ``_immutable``): a correction publishes a new version, and the latest one is what the public sees."""

    __tablename__ = "published_results"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    tie_breaks: Mapped[list] = mapped_column(JSON, default=list)  # the order the ranks were computed with
    target: Mapped[str] = mapped_column(String(16), default="off")  # the round's prediction setting
    true_value: Mapped[int | None] = mapped_column(BigInteger)  # the prediction target's true value
    voided: Mapped[list] = mapped_column(JSON, default=list)  # question ids counted correct for everyone
    entrants: Mapped[int] = mapped_column(Integer, default=0)


class PublishedRow(db.Model):
    """One entrant's line of a published version: their best attempt under the final ranking, and their unit's
    path in the tree of that day (``unit_path``)."""

    __tablename__ = "published_rows"

    result_id: Mapped[int] = mapped_column(ForeignKey("published_results.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(BigInteger)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    # The entrant's unit as the tree stood at publication, root first: ``[[id, code, name, level], ...]`` (empty
    # without a unit). The published board, its unit rankings and its exports read it, so a later move, rename or
    # merge leaves a published version as it was.
    unit_path: Mapped[list | None] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    prediction: Mapped[int | None] = mapped_column(BigInteger)
    prediction_error: Mapped[int | None] = mapped_column(BigInteger)
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    finished_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)


class Disqualification(db.Model):
    """An entrant excluded from one round (``round_id``) or from every round of a contest (``round_id`` None),
    with why. Every read behind the boards and the final ranking leaves their attempts out while it stands
    (``reads.not_disqualified``). A reinstatement lifts it (``lifted_*``) and keeps the row; disqualifying again
    adds a new one."""

    __tablename__ = "disqualifications"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="")


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(db.Model):
    """One export of a round. ``rows_total`` is known once the job has counted (None before); ``path`` is the
    file's name in the exports folder once it is written; ``error`` says why a failed job failed."""

    __tablename__ = "export_jobs"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    what: Mapped[str] = mapped_column(String(8))
    fmt: Mapped[str] = mapped_column(String(8))
    version: Mapped[int | None] = mapped_column(Integer)
    # The prize contacts of ranks 1..places only (data minimisation: the prize places, not everyone); None: all.
    places: Mapped[int | None] = mapped_column(Integer)
    # The language of the file's headers and words: the organiser's when they started it (``lang=en``: English).
    lang: Mapped[str] = mapped_column(String(8), default="vi", server_default="vi")
    status: Mapped[JobStatus] = mapped_column(
        Enum(JobStatus, native_enum=False, length=8, values_callable=lambda items: [i.value for i in items]),
        default=JobStatus.QUEUED,
    )
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]

    @property
    def download_name(self) -> str:
        suffix = f"-v{self.version}" if self.what in ("ranking", "contacts") and self.version else ""
        return f"round-{self.round_id}-{self.what}{suffix}.{self.fmt}"


class ImmutableError(RuntimeError):
    pass


def _immutable(mapper, connection, target) -> None:
    raise ImmutableError(f"{type(target).__name__} rows are immutable: publish a new version instead")


for _model in (PublishedResult, PublishedRow):
    event.listen(_model, "before_update", _immutable)
    event.listen(_model, "before_delete", _immutable)
