from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.db import intpk, utcnow
from contest.extensions import db


def _enum(cls):
    return Enum(cls, native_enum=False, length=16, values_callable=lambda items: [i.value for i in items])


class NameStyle(enum.StrEnum):
    FULL = "full"
    INITIALS = "initials"


class Prediction(enum.StrEnum):
    OFF = "off"
    FULL_MARKS = "full_marks"  # guess how many entrants answer everything correctly
    ENTRANTS = "entrants"  # guess how many entrants take part


class Review(enum.StrEnum):
    AFTER_CLOSE = "after_close"
    AFTER_SUBMIT = "after_submit"
    NEVER = "never"


class Contest(db.Model):
    __tablename__ = "contests"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    board_levels: Mapped[list] = mapped_column(JSON, default=list)  # unit level labels shown on boards
    name_style: Mapped[NameStyle] = mapped_column(_enum(NameStyle), default=NameStyle.FULL)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    rounds: Mapped[list[Round]] = relationship(back_populates="contest", order_by="Round.opens_at")


class Round(db.Model):
    """A timed round ("tuần thi"). ``blueprint`` is ``[{"topic_id", "difficulty", "count"}]`` or empty
    (then ``question_count`` questions are drawn from the whole active bank); ``pool_tags``, when not empty,
    limits the pool to questions carrying one of them, so weekly rounds need not share questions."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("attempts_allowed BETWEEN 1 AND 10", name="attempts_allowed"),
        CheckConstraint("time_limit_s > 0", name="time_limit"),
        CheckConstraint("question_count > 0", name="question_count"),
    )

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    time_limit_s: Mapped[int] = mapped_column(Integer)
    question_count: Mapped[int] = mapped_column(Integer)
    blueprint: Mapped[list] = mapped_column(JSON, default=list)
    pool_tags: Mapped[list] = mapped_column(JSON, default=list)  # draw only questions with one of these tags
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    prediction: Mapped[Prediction] = mapped_column(_enum(Prediction), default=Prediction.OFF)
    review: Mapped[Review] = mapped_column(_enum(Review), default=Review.AFTER_CLOSE)
    grace_s: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # While set the round is paused: no start, no answer, no submit, and the sweeper finalises none of its
    # attempts; on resume the deadlines of its attempts in progress move by the pause (``attempts.in_flight``).
    paused_at: Mapped[datetime | None]

    contest: Mapped[Contest] = relationship(back_populates="rounds")

    def status(self, now: datetime) -> str:
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class AdjustmentKind(enum.StrEnum):
    PAUSE = "pause"
    RESUME = "resume"  # ``seconds``: how long the round was paused
    EXTEND = "extend"  # ``details``: the close before and after
    EXTRA_TIME = "extra_time"  # ``seconds`` more for the attempts of ``user_id`` or of ``unit_id``'s subtree
    EXTRA_ATTEMPT = "extra_attempt"  # ``attempts`` more for ``user_id`` or ``unit_id``'s subtree


class RoundAdjustment(db.Model):
    """One change to a round in flight, as its results page lists it: a pause, a resume, a later close, extra
    time or an extra attempt for one entrant (``user_id``) or a unit's subtree (``unit_id``). The extra time and
    attempts an entrant is owed are added up from these rows."""

    __tablename__ = "round_adjustments"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    seconds: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OrganiserContest(db.Model):
    """An organiser limited to chosen contests has one row per contest. An organiser with no row manages
    every contest (the default, as before contest scopes existed); admins always manage every contest."""

    __tablename__ = "organiser_contests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)


class ContestHome(db.Model):
    """What the contest's public home page shows beside its rounds: rules and prizes (Markdown, rendered through
    the sanitiser: ``contest.markup``) and a banner image, stored here so every process serves the same bytes.
    ``banner_hash`` (sha256 of the bytes) versions the banner's URL, so it can be cached for a year."""

    __tablename__ = "contest_homes"

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    rules: Mapped[str] = mapped_column(Text, default="")
    prizes: Mapped[str] = mapped_column(Text, default="")
    banner: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    banner_type: Mapped[str | None] = mapped_column(String(32))
    banner_hash: Mapped[str | None] = mapped_column(String(64))
    banner_width: Mapped[int | None] = mapped_column(Integer)
    banner_height: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NewsPost(db.Model):
    """A news post on a contest's home page (Markdown body). The public sees it from ``published_at`` on."""

    __tablename__ = "contest_news"

    id: Mapped[intpk]
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
