"""Prize rules (a contest's, a round's), the prize award sets computed from published results (versioned like
them, with a changelog), certificate templates, the certificates issued (each with its verification code) and the
jobs that write a round's certificates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import flag_false, intpk
from contest.extensions import db
from contest.leaderboards.models import ImmutableError, JobStatus


class PrizeRule(db.Model):
    """The prize rules of a contest (``round_id`` None: every round of it) or of one round (overriding the
    contest's). ``rules`` is the JSON of ``prizes.rules.PrizeRules``."""

    __tablename__ = "prize_rules"
    __table_args__ = (UniqueConstraint("contest_id", "round_id"),)

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"))
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PrizeAwardSet(db.Model):
    """One version of a round's prizes, computed from one published results version with the rules then in force.
    Never changed (like the results): a new results version or new rules make a new version, whose
    ``changelog`` lists what changed against the one before."""

    __tablename__ = "prize_award_sets"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    results_version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    changelog: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PrizeAward(db.Model):
    """One prize of an award set: an entrant's (``user_id``) or a unit's (``user_id`` None). ``prize`` is the
    prize's code (``first``, ``best_of``, ``unit_entrants``…), ``unit_id`` the unit it is for (an entrant's unit
    prize: the unit whose best they are; a unit prize: the unit)."""

    __tablename__ = "prize_awards"

    id: Mapped[intpk]
    set_id: Mapped[int] = mapped_column(ForeignKey("prize_award_sets.id"), index=True)
    prize: Mapped[str] = mapped_column(String(24))
    place: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(32), default="")  # a unit prize's measure, as shown


class CertificateTemplate(db.Model):
    """A contest's certificate: its title, text with placeholders, signer, and the logo and signature images
    (PNG files in the instance folder, re-encoded on upload)."""

    __tablename__ = "certificate_templates"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    signer: Mapped[str] = mapped_column(String(200), default="")
    logo: Mapped[str | None] = mapped_column(String(255))
    signature: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Certificate(db.Model):
    """A certificate issued to an entrant for a round's published results version: ``stated`` is what it says
    (name, unit, round, score, rank, prize, date), kept so that ``/verify/<code>`` shows exactly that."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "round_id", "results_version", "prize_version"),)

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    results_version: Mapped[int] = mapped_column(Integer)
    prize_version: Mapped[int] = mapped_column(Integer, default=0)  # 0: no prize set then
    kind: Mapped[str] = mapped_column(String(16))  # participation | prize
    stated: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class CertificateJob(db.Model):
    """Every certificate of a round's latest results, written to one zip (a folder per unit, a PDF per entrant)
    away from the request; progress in the database, like the export jobs."""

    __tablename__ = "certificate_jobs"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    only_prizes: Mapped[flag_false]
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
        return f"round-{self.round_id}-certificates.zip"


def _immutable(mapper, connection, target) -> None:
    raise ImmutableError(f"{type(target).__name__} rows are immutable: compute a new version instead")


for _model in (PrizeAwardSet, PrizeAward):
    event.listen(_model, "before_update", _immutable)
    event.listen(_model, "before_delete", _immutable)
