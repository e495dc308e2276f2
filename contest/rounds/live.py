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

from contest.attempts.models import Answer, Attempt, Status
from contest.rounds.models import Round

RATE_WINDOW_S = 10


def round_counts(session: Session, round_: Round, *, now: datetime, connected: int | None) -> dict:
    """``{round_id, status, generated_at, connected, entrants, in_progress, submitted, expired, answers_per_s}``.

    ``connected`` is the number of logged-in ``/play`` connections (all rounds; from the presence count);
    ``answers_per_s`` is the answers stored in the last ``RATE_WINDOW_S`` seconds divided by that window.
    """
    by_status = dict(session.execute(
        select(Attempt.status, func.count()).where(Attempt.round_id == round_.id).group_by(Attempt.status)).all())
    entrants = session.scalar(select(func.count(func.distinct(Attempt.user_id))).where(Attempt.round_id == round_.id))
    # The range on answered_at comes first (ix_answers_answered_at): only the last seconds' answers are read,
    # each joined to its attempt by primary key to keep this round's.
    recent = session.scalar(
        select(func.count()).select_from(Answer).join(Attempt, Attempt.id == Answer.attempt_id)
        .where(Answer.answered_at >= now - timedelta(seconds=RATE_WINDOW_S), Answer.answered_at <= now,
               Attempt.round_id == round_.id))
    return {
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


@dataclass
class LiveCounts:
    """Per-process memo of ``round_counts`` for ``ttl_s`` seconds per round."""

    ttl_s: float = 1.0
    _memo: dict[int, tuple[float, dict]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, session: Session, round_: Round, *, now: datetime, presence) -> dict:
        with self._lock:
            cached = self._memo.get(round_.id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl_s:
            return cached[1]
        counts = round_counts(session, round_, now=now, connected=presence.total())
        with self._lock:
            self._memo[round_.id] = (time.monotonic(), counts)
        return counts

    def clear(self) -> None:
        with self._lock:
            self._memo.clear()
