from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.db import intpk
from contest.extensions import db


class Unit(db.Model):
    """A node of the unit tree. ``path`` is the chain of ancestor ids ('/1/4/9/'), for subtree queries."""

    __tablename__ = "units"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(240), default="")  # folded code + name
    level: Mapped[str] = mapped_column(String(64))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    member_count: Mapped[int | None]
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitMerge(db.Model):
    """One unit merged into another from ``effective_on`` (Vietnam's 2025 reform merged provinces and communes):
    the merged unit ended that day, its entrants (``members``) and its child units (``children``) went to
    ``into``. A record of what happened, for the audit page and whoever asks later where a unit went."""

    __tablename__ = "unit_merges"

    id: Mapped[intpk]
    merged_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    into_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    effective_on: Mapped[date]
    members: Mapped[int] = mapped_column(Integer, default=0)
    children: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
