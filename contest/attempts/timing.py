"""Deadline arithmetic. The server's clock is the only clock; ``now`` is always passed in. Pure code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


def deadline_for(started_at: datetime, time_limit_s: int, closes_at: datetime) -> datetime:
    """``started_at + time_limit``, capped by the round's close."""
    return min(started_at + timedelta(seconds=time_limit_s), closes_at)


def accepts_answers(now: datetime, deadline: datetime, grace_s: int) -> bool:
    """Answers are taken until the deadline plus a small grace for answers in transit."""
    return now <= deadline + timedelta(seconds=grace_s)


def duration_ms(started_at: datetime, finished_at: datetime, deadline: datetime,
                pauses: Sequence[Pause] = ()) -> int:
    """Time spent on the attempt; a submit that arrives within the grace counts as at the deadline. The round's
    pauses are not counted: the entrant's clock was stopped (a tie-break by time must not rank them behind an
    entrant who started after the pause)."""
    end = min(finished_at, deadline)
    # the pauses it ran into, as adjusted_deadline counts them (no attempt starts during a pause)
    stopped = sum((min(p.end, end) - p.start for p in pauses if started_at <= p.start < end), timedelta())
    return max(0, round((end - started_at - stopped).total_seconds() * 1000))


def epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


@dataclass(frozen=True)
class Pause:
    """A pause of a round, from ``start`` (the organiser paused it) to ``end`` (resumed)."""

    start: datetime
    end: datetime


def adjusted_deadline(started_at: datetime, time_limit_s: int, closes_at: datetime, *, grace_s: int,
                      extra_s: int = 0, pauses: Sequence[Pause] = ()) -> datetime:
    """An attempt's deadline after its round's changes in flight: ``started_at + time_limit`` capped by the round's
    (possibly extended) close, plus the entrant's extra time, then moved by the length of every pause that began
    while the attempt was still taking answers (at or after its start, before its deadline plus grace as moved so
    far). With no extra time and no pause it is ``deadline_for``."""
    deadline = deadline_for(started_at, time_limit_s, closes_at) + timedelta(seconds=extra_s)
    for pause in sorted(pauses, key=lambda p: p.start):
        if started_at <= pause.start and accepts_answers(pause.start, deadline, grace_s):
            deadline += pause.end - pause.start
        # a pause before the start, or after the attempt's time was over, did not take any of its time
    return deadline
