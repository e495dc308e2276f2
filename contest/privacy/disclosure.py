"""Who may see entrants' phone, citizen ID and birth date, and the audit entry every view or export of them writes.

Public boards never read these columns (``leaderboards.queries.names``); organiser pages and exports show them only
where a role needs them: the prize contacts export, for contest-level staff who reach and verify winners.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.audit import service as audit
from contest.rounds.models import Round

ACTION = "personal_data.disclosed"


def may_see_personal_data(user: User) -> bool:
    """Admins and organisers not limited to a unit subtree: the contest-level staff who award prizes. A unit
    organiser (one school, one district) manages participation and sees names and results, not contacts."""
    return user.is_admin or (user.is_organiser and user.scope_unit_id is None)


def record_disclosure(session: Session, *, actor_id: int | None, what: str, round_: Round, rows: int, now: datetime,
                      details: dict | None = None) -> None:
    """An audit entry: who (``actor_id``) saw or exported personal data, what (``what``, e.g. ``export.contacts``),
    of which contest and round, how many entrants' rows. No commit: the caller's unit of work makes it durable."""
    audit.record(session, actor_id=actor_id, action=ACTION, now=now, target_type="round", target_id=round_.id,
                 details={"what": what, "contest_id": round_.contest_id, "round_id": round_.id, "rows": rows,
                          **(details or {})})
