"""Boards repair themselves: Redis is a cache of the database, so a board that missed writes (Redis hung or
partitioned while entrants submitted) is found by counting and rebuilt, without anyone running a command.

The cluster's leader calls ``reconcile_live_rounds`` every ``BOARD_RECONCILE_S`` seconds (``reconcile_once``, the
leader job the package registers). A round's live board
should place exactly the entrants with a finalised attempt in the database; when the counts differ, the round's
board is rebuilt at once and its contest's boards (live and public) are cleared, which makes their next read
rebuild them. Counting cannot see a lost improvement of an entrant already placed; such a write is lost only
while Redis fails, and ``Leaderboards.attempt_finalised`` marks nothing then, so a lost improvement waits for the
next rebuild (``flask boards rebuild``) — the count catches every entrant missing altogether.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.db import utcnow
from contest.extensions import db
from contest.leaderboards.boards import REBUILD_LOCK_S
from contest.leaderboards.reads import ranked_in_database
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.runtime import leaderboards
from contest.leaderboards.stores.families import family_of_contest, family_of_round, public_family
from contest.rounds.models import Round

log = logging.getLogger(__name__)
RECENTLY_CLOSED = timedelta(hours=1)  # late finalisations (the sweeper) still land on a round closed this recently


def reconcile_live_rounds(session: Session, boards: Leaderboards, now: datetime) -> list[int]:
    """Rebuild the boards of rounds open now (or closed within the hour) that place a different number of
    entrants than the database ranks; the ids of the rounds rebuilt. A board being rebuilt by someone else, or a
    store that cannot be read right now, is left for the next call."""
    rounds = session.execute(select(Round.id, Round.contest_id)
                             .where(Round.opens_at <= now, Round.closes_at > now - RECENTLY_CLOSED)).all()
    rebuilt = []
    for round_id, contest_id in rounds:
        family = family_of_round(round_id)
        try:
            if not boards.store.is_ready(family):
                continue  # never built: its first read builds it
            placed = boards.store.count(family, None)
        except Exception:
            log.warning("boards: cannot read round %s's board now; reconciling later", round_id, exc_info=True)
            return rebuilt
        expected = ranked_in_database(session, round_id)
        if placed == expected or not boards.store.try_lock(family, REBUILD_LOCK_S):
            continue
        try:
            log.warning("boards: round %s places %d entrants, the database ranks %d: rebuilding", round_id, placed,
                        expected)
            boards.rebuild_round(session, round_id)
            boards.store.clear(family_of_contest(contest_id))
            boards.store.clear(public_family(contest_id))
            rebuilt.append(round_id)
        finally:
            boards.store.unlock(family)
    return rebuilt


def reconcile_once(app: Flask) -> list[int]:
    """The leader job: ``reconcile_live_rounds`` on the app's boards, in an app context of its own."""
    with app.app_context():
        try:
            return reconcile_live_rounds(db.session, leaderboards(app), utcnow())
        finally:
            db.session.remove()
