"""One path from a finalised attempt to every board it belongs on: the round's live family, the contest's live
family and, while one of the contest's rounds is cut, the contest's public family (``stores.families``).

``Leaderboards`` is the attempt services' ``boards`` collaborator and the readers' way to the store (``Boards``).
A board write never fails a submit: the attempt is already committed, and a board that missed it is rebuilt from
the database (``flask boards rebuild``, the leader's reconciliation, or by itself when its ready mark is gone).
Recording while a family is rebuilt is safe; ``boards`` says why.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.attempts.closed import Closed
from contest.attempts.models import Attempt
from contest.db import release_connection
from contest.leaderboards import reads
from contest.leaderboards.boards import SETTINGS_TTL_S, Boards
from contest.leaderboards.keys.encoding import encode
from contest.leaderboards.models import Aggregate
from contest.leaderboards.placements import best_placements, result_of
from contest.leaderboards.stores.families import family_of_contest, family_of_round, frozen_family, public_family
from contest.leaderboards.stores.interface import BoardStore, Placement
from contest.rounds.models import Round

log = logging.getLogger(__name__)
BREAKER_S = 10.0  # after a failed board write, how long writes are skipped (reconciliation repairs them)


class Leaderboards(Boards):
    """The app's boards, recording each finalised attempt on every board it belongs on."""

    def __init__(self, store: BoardStore, *, settings_ttl: float = SETTINGS_TTL_S) -> None:
        super().__init__(store, settings_ttl=settings_ttl)
        self.broken_until = 0.0  # monotonic time until which board writes are skipped (the store failed)

    def attempt_finalised(self, session: Session, attempt: Closed | Attempt) -> None:
        """Place the entrant's finalised attempt on the round's and the contest's boards (the better stays).

        A store that failed less than ``BREAKER_S`` ago is not tried: each try against a hung Redis costs a
        socket time-out, which the submit would wait out; the boards' reconciliation (``reconcile``) places the
        attempts skipped meanwhile."""
        if time.monotonic() < self.broken_until:
            return
        try:
            self._record(session, attempt)
        except Exception:
            self.broken_until = time.monotonic() + BREAKER_S
            log.exception("leaderboards: could not record attempt %s; skipping board writes for %.0f s (the "
                          "boards are reconciled with the database)", attempt.id, BREAKER_S)

    def _record(self, session: Session, attempt: Closed | Attempt) -> None:
        if attempt.score is None or attempt.finished_at is None:
            return
        info = self.round_info(session, attempt.round_id)
        units = self.units_of(session, attempt.user_id)
        result = result_of(attempt.user_id, attempt.id, attempt.score, attempt.duration_ms, attempt.finished_at)
        rows = session.execute(reads.finished_attempts().where(Round.contest_id == info.contest_id,
                                                               Attempt.user_id == attempt.user_id)).all()
        if not any(row.id == attempt.id for row in rows):
            return  # the read leaves out a disqualified entrant's attempts: they stay off every board
        writes = [(family_of_round(info.round_id), Placement(attempt.user_id, encode(info.ranking, result), units),
                   False)]
        # Read, not cached: an organiser may change it at any time, and another process's cached value would
        # place entrants on the contest's rebuilt board by the old rule.
        aggregate = reads.contest_aggregate(session, info.contest_id)
        placement = self.contest_placement(session, rows, aggregate)
        if placement is not None:
            writes.append((family_of_contest(info.contest_id), placement, True))
        public = self._public_placement(session, attempt, info.contest_id, aggregate)
        if public is not None:
            writes.append((public_family(info.contest_id), public, True))
        # Every read is done: a slow or hung Redis is waited for holding no database connection (a flood of
        # submits on a hung Redis emptied the pool).
        release_connection(session)
        for family, placed, replace in writes:
            self.store.record(family, placed, replace=replace)

    def place_entrant_again(self, session: Session, user_id: int, *, contest_id: int) -> None:
        """After the entrant was disqualified or reinstated (committed): place them on every board of the contest
        from the database again, or take them off where the database ranks nothing of theirs now — each round's
        live family (and its frozen copy), the contest's live family and, while a round is cut, its public one.
        A published version is a new publication's business (``results.disqualify``)."""
        units = reads.unit_ancestors(session)
        rounds = list(session.scalars(select(Round.id).where(Round.contest_id == contest_id)))
        writes: list[tuple[str, Placement | None]] = []
        for round_id in rounds:
            info = self.round_info(session, round_id, fresh=True)
            stmt = reads.round_attempts(round_id).where(Attempt.user_id == user_id)
            writes.append((family_of_round(round_id), next(best_placements(session.execute(stmt), info.ranking,
                                                                           units), None)))
            frozen = reads.freeze_of(session, round_id)
            if frozen is not None:
                until = stmt.where(Attempt.finished_at <= frozen.frozen_at)
                writes.append((frozen_family(round_id), next(best_placements(session.execute(until), info.ranking,
                                                                             units), None)))
        aggregate = reads.contest_aggregate(session, contest_id)
        rows = session.execute(reads.finished_attempts().where(Round.contest_id == contest_id,
                                                               Attempt.user_id == user_id)).all()
        writes.append((family_of_contest(contest_id), self.contest_placement(session, rows, aggregate, units)))
        cuts = reads.public_cuts(session, contest_id=contest_id)
        if cuts:
            rows = session.execute(reads.public_rows(contest_id, cuts, user_id)).all()
            writes.append((public_family(contest_id), self.contest_placement(session, rows, aggregate, units)))
        release_connection(session)
        for family, placement in writes:
            if placement is None:
                self.store.remove(family, user_id)
            else:
                self.store.record(family, placement, replace=True)
        self.forget_views()

    def _public_placement(self, session: Session, attempt: Closed | Attempt, contest_id: int,
                          aggregate: Aggregate) -> Placement | None:
        """Where to place the entrant again on the public contest board, if there is one and the public sees the
        attempt. The cut-offs are read, not cached: an attempt recorded by the live board before a freeze's copy
        is in the copy, and one recorded after it is placed here by the freeze's rules."""
        cuts = reads.public_cuts(session, contest_id=contest_id)
        if not cuts:
            return None
        cut = cuts.get(attempt.round_id)
        if cut is not None and not cut.shows(attempt.finished_at):
            return None  # the rush after a freeze costs one small query per attempt, nothing more
        rows = session.execute(reads.public_rows(contest_id, cuts, attempt.user_id)).all()
        return self.contest_placement(session, rows, aggregate)
