"""Deadline arithmetic. The server's clock is the only clock; ``now`` is always passed in. Pure code."""

from __future__ import annotations

from datetime import datetime, timedelta


def deadline_for(started_at: datetime, time_limit_s: int, closes_at: datetime) -> datetime:
    """``started_at + time_limit``, capped by the round's close."""
    return min(started_at + timedelta(seconds=time_limit_s), closes_at)


def accepts_answers(now: datetime, deadline: datetime, grace_s: int) -> bool:
    """Answers are taken until the deadline plus a small grace for answers in transit."""
    return now <= deadline + timedelta(seconds=grace_s)


def duration_ms(started_at: datetime, finished_at: datetime, deadline: datetime) -> int:
    """Time spent on the attempt; a submit that arrives within the grace counts as at the deadline."""
    end = min(finished_at, deadline)
    return max(0, round((end - started_at).total_seconds() * 1000))


def epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)
