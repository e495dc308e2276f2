"""The fair-play tables: each contest's signal thresholds, the review queue, and spent proof-of-work challenges."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from contest.db import utcnow
from contest.extensions import db


class ReviewStatus(enum.StrEnum):
    FLAGGED = "flagged"  # waiting for an organiser
    CLEARED = "cleared"  # looked at: nothing wrong
    CONFIRMED = "confirmed"  # looked at: cheating; the entrant is disqualified


class FairplaySettings(db.Model):
    """A contest's own thresholds (``contest.fairplay.signals.Thresholds``): only those changed from the defaults."""

    __tablename__ = "fairplay_settings"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), primary_key=True)
    thresholds: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class FairplayReview(db.Model):
    """A flagged attempt in the review queue: its strength, the findings behind it (``[{code, weight, params}]``,
    put in words when shown) and the organiser's decision. A later scan updates the findings, never a decision."""

    __tablename__ = "fairplay_reviews"

    attempt_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                            ForeignKey("attempts.id"), primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    strength: Mapped[float] = mapped_column(Float)
    findings: Mapped[list] = mapped_column(JSON)
    status: Mapped[ReviewStatus] = mapped_column(
        Enum(ReviewStatus, native_enum=False, length=16, values_callable=lambda items: [i.value for i in items]),
        default=ReviewStatus.FLAGGED)
    computed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]


class SpentChallenge(db.Model):
    """A proof-of-work challenge already used (``contest.fairplay.door``): kept until it would have expired."""

    __tablename__ = "fairplay_spent_challenges"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
