"""The numbers of the organiser's live view of a round: a handful of counts, each one indexed query.

At 10,000 entrants the view must stay cheap whoever watches it: nothing here reads a row per entrant in Python,
and ``LiveCounts`` keeps each round's numbers for ``ttl_s`` (one second) per process, so any number of
organisers polling every two seconds costs the database one set of counts per round per second per process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contest.access.permissions import entrant_filter, entrants_attempts
from contest.accounts.models import Role, User
from contest.attempts.models import Answer, Attempt, Status
from contest.rounds.models import Round
from contest.units.models import Unit

RATE_WINDOW_S = 10


def round_counts(session: Session, round_: Round, *, now: datetime, connected: int | None,
                 scope: Unit | None = None) -> dict:
    """``{round_id, status, generated_at, connected, entrants, in_progress, submitted, expired, answers_per_s}``,
    with ``scope`` (a unit organiser's unit) counting that subtree's entrants only and adding ``registered``
    (its entrants) and ``participation`` (the share of them who started); ``connected`` is then None: the
    presence count knows processes, not units.

    ``connected`` is the number of logged-in ``/play`` connections (all rounds; from the presence count);
    ``answers_per_s`` is the answers stored in the last ``RATE_WINDOW_S`` seconds divided by that window.
    """
    mine = [Attempt.round_id == round_.id, entrants_attempts(scope)]
    by_status = dict(session.execute(
        select(Attempt.status, func.count()).where(*mine).group_by(Attempt.status)).all())
    entrants = session.scalar(select(func.count(func.distinct(Attempt.user_id))).where(*mine))
    # The range on answered_at comes first (ix_answers_answered_at): only the last seconds' answers are read,
    # each joined to its attempt by primary key to keep this round's.
    recent = session.scalar(
        select(func.count()).select_from(Answer).join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Answer.answered_at >= now - timedelta(seconds=RATE_WINDOW_S), Answer.answered_at <= now, *mine))
    counts = {
        "round_id": round_.id,
        "status": round_.status(now),
        "generated_at": now.isoformat(),
        "connected": connected,
        "entrants": entrants or 0,
        "in_progress": by_status.get(Status.IN_PROGRESS, 0),
        "submitted": by_status.get(Status.SUBMITTED, 0),
        "expired": by_status.get(Status.EXPIRED, 0),
        "answers_per_s": round((recent or 0) / RATE_WINDOW_S, 1),
    }
    if scope is not None:
        registered = session.scalar(select(func.count()).select_from(User).where(
            User.role == Role.ENTRANT, entrant_filter(User.unit_id, scope))) or 0
        counts.update(connected=None, registered=registered,
                      participation=round(counts["entrants"] / registered, 3) if registered else None)
    return counts


@dataclass
class LiveCounts:
    """Per-process memo of ``round_counts`` for ``ttl_s`` seconds per round and unit scope."""

    ttl_s: float = 1.0
    _memo: dict[tuple[int, int | None], tuple[float, dict]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, session: Session, round_: Round, *, now: datetime, presence, scope: Unit | None = None) -> dict:
        key = (round_.id, scope.id if scope is not None else None)
        with self._lock:
            cached = self._memo.get(key)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        connected = presence.total() if scope is None else None
        counts = round_counts(session, round_, now=now, connected=connected, scope=scope)
        with self._lock:
            self._memo[key] = (time.monotonic(), counts)
        return counts

    def clear(self) -> None:
        with self._lock:
            self._memo.clear()
