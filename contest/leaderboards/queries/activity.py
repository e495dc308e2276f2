"""Entrants over time for a round's public charts: per hour (or per day for a long round), the attempts submitted,
the entrants who submitted for the first time, and the running total of entrants. Hours are counted in SQL;
days are whole days in Vietnam's time.

The public's chart counts what the public sees of the round (``cutoffs``): while it is frozen, the attempts finished
by its freeze; once published, the attempts its latest version counted (each entrant's first ``attempts``: attempt
numbers run 1, 2, … and only the last one can still be open, so these are exactly the ones finalised by then)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from contest.attempts.models import Attempt, Status
from contest.i18n import CONTEST_TIME_ZONE
from contest.leaderboards.keys.cutoffs import Cut
from contest.leaderboards.models import PublishedRow

DAILY_AFTER_HOURS = 72


def _hour(session: Session, column):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("hour", func.timezone("UTC", column)), 'YYYY-MM-DD"T"HH24')
    return func.strftime("%Y-%m-%dT%H", column)


def activity(session: Session, round_id: int, cut: Cut | None = None, where=()) -> dict:
    """``{bucket: "hour"|"day", points: [{at (ISO, Vietnam time), attempts, new_entrants, entrants}]}``, of every
    finished attempt or, with the round's ``cut``, of those the public sees; ``where``: more conditions on
    ``Attempt`` (a unit organiser's entrants)."""
    finished = [Attempt.round_id == round_id, Attempt.status != Status.IN_PROGRESS, Attempt.finished_at.is_not(None),
                *where]
    if cut is not None and cut.result_id is not None:
        finished.append(exists().where(PublishedRow.result_id == cut.result_id, PublishedRow.user_id == Attempt.user_id,
                                       Attempt.number <= PublishedRow.attempts))
    elif cut is not None:
        finished.append(Attempt.finished_at <= cut.frozen_at)
    hour = _hour(session, Attempt.finished_at)
    attempts = dict(session.execute(select(hour, func.count()).where(*finished).group_by(hour)).all())
    first = (select(func.min(Attempt.finished_at).label("first")).where(*finished)
             .group_by(Attempt.user_id).subquery())
    first_hour = _hour(session, first.c.first)
    newcomers = dict(session.execute(select(first_hour, func.count()).group_by(first_hour)).all())
    hours = sorted(set(attempts) | set(newcomers))
    if not hours:
        return {"bucket": "hour", "points": []}
    moments = {h: datetime.strptime(h, "%Y-%m-%dT%H").replace(tzinfo=UTC) for h in hours}
    span_h = (max(moments.values()) - min(moments.values())) / timedelta(hours=1)
    daily = span_h > DAILY_AFTER_HOURS
    buckets: dict[str, list[int]] = {}
    for h in hours:
        local = moments[h].astimezone(CONTEST_TIME_ZONE)
        key = local.strftime("%Y-%m-%d") if daily else local.strftime("%Y-%m-%dT%H:00")
        tally = buckets.setdefault(key, [0, 0])
        tally[0] += attempts.get(h, 0)
        tally[1] += newcomers.get(h, 0)
    points, total = [], 0
    for key in sorted(buckets):
        total += buckets[key][1]
        points.append({"at": key, "attempts": buckets[key][0], "new_entrants": buckets[key][1], "entrants": total})
    return {"bucket": "day" if daily else "hour", "points": points}
