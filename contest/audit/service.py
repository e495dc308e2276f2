"""Writing audit entries. Called by other services inside their own unit of work (no commit here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from contest.audit.models import AuditEntry


def record(session: Session, *, actor_id: int | None, action: str, now: datetime,
           target_type: str | None = None, target_id: object = None, details: dict | None = None) -> None:
    """Add an entry to ``session``; the caller's commit makes it durable with the change it describes."""
    session.add(
        AuditEntry(at=now, actor_id=actor_id, action=action, target_type=target_type,
                   target_id=None if target_id is None else str(target_id), details=details or {})
    )
