"""Ranking settings that belong to rounds and contests, kept here until they move onto ``Round``/``Contest``."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Enum, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

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
