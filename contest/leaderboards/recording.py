"""Keeping the boards: recording finalised attempts, rebuilding families from the database (the source of truth).

``Leaderboards`` is the attempt services' ``boards`` collaborator and the readers' way to the store. A board
write never fails a submit: the attempt is already committed, and a board that missed it is rebuilt from the
database (``flask boards rebuild``, or by itself when its ready mark is gone).

A rebuild clears the family, reads the database and loads what it read, while entrants go on being recorded:
* no result is lost: ``_finalise`` commits an attempt before recording it and the rebuild reads after its clear,
  so an attempt whose record the clear wiped is in the read (PostgreSQL: each statement sees what was committed
  before it began; SQLite: transactions are immediate, so nobody commits while a rebuild's is open);
* no entrant is placed twice: ``load`` merges each chunk with what was recorded since the clear;
* on a round's families (live, frozen) the better key stays, as when recording: every key there is the best of
  the entrant's attempts by one ranking (the tie-break order cannot change while attempts are finalised, see
  ``settings``; voided questions change published versions only, which nothing records into). The clear wiped
  every older key, so the keys that meet are the read's best and those of attempts recorded since, all of them
  the entrant's, and the better is the best of all;
* a contest's families (live, public) can get worse: under ``sum`` a round scored 0 adds its duration, and under
  either aggregate a round's best is chosen by the round's own tie-break order, which may put a new best below
  the old one in the contest's. So their records replace, computed from the database after the commit, and a
  load cannot tell the newer of two keys: the entry placed meanwhile stays and the rebuild places its entrant
  again from a fresh read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Attempt, Status
from contest.attempts.timing import epoch_ms
from contest.db import release_connection
from contest.leaderboards.cache import TtlCache
from contest.leaderboards.encoding import encode, layout_for
from contest.leaderboards.models import Aggregate, ContestBoard, RankingRule
from contest.leaderboards.ranking import LIVE, Ranking, Result, TieBreak, parse_tie_breaks
from contest.leaderboards.store import BoardStore, Placement, family_of_contest, family_of_round
from contest.rounds.models import Contest, NameStyle, Round
from contest.units.models import Unit

log = logging.getLogger(__name__)
REBUILD_LOCK_S = 600
BREAKER_S = 10.0  # after a failed board write, how long writes are skipped (reconciliation repairs them)
SETTINGS_TTL_S = 30.0  # how long a process keeps a round's settings (``RoundInfo``)


@dataclass(frozen=True)
class RoundInfo:
    round_id: int
    contest_id: int
    ranking: Ranking  # the live ranking of the round
    name_style: NameStyle = NameStyle.FULL
    board_levels: tuple[str, ...] = ()


def ancestors(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in path.strip("/").split("/") if part)


def result_of(user_id: int, attempt_id: int, score: int, duration_ms: int, finished_at) -> Result:
    return Result(entrant_id=user_id, attempt_id=attempt_id, score=score, duration_ms=duration_ms,
                  finished_ms=epoch_ms(finished_at))


def contest_result(per_round: list[Result], aggregate: Aggregate) -> Result:
    """An entrant's contest result from their best result of each round."""
    if aggregate == Aggregate.BEST:
        return LIVE.best(per_round)
    return Result(entrant_id=per_round[0].entrant_id, attempt_id=0, score=sum(r.score for r in per_round),
                  duration_ms=sum(r.duration_ms for r in per_round), finished_ms=max(r.finished_ms for r in per_round))


class Leaderboards:
    def __init__(self, store: BoardStore, *, settings_ttl: float = SETTINGS_TTL_S) -> None:
        self.store = store
        self.broken_until = 0.0  # monotonic time until which board writes are skipped (the store failed)
        self._rounds = TtlCache(settings_ttl, maxsize=10_000)
        self._units = TtlCache(60.0, maxsize=100_000)
        self.views = TtlCache(2.0, maxsize=10_000)  # round -> what the public sees (results.public_view)

    # -- recording -------------------------------------------------------------------------------------------

    def attempt_finalised(self, session: Session, attempt: Attempt) -> None:
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

    def _record(self, session: Session, attempt: Attempt) -> None:
        if attempt.score is None or attempt.finished_at is None:
            return
        from contest.leaderboards.public_contest import public_placement  # it builds on this module

        info = self.round_info(session, attempt.round_id)
        units = self.units_of(session, attempt.user_id)
        result = result_of(attempt.user_id, attempt.id, attempt.score, attempt.duration_ms, attempt.finished_at)
        writes = [(family_of_round(info.round_id), Placement(attempt.user_id, encode(info.ranking, result), units),
                   False)]
        rows = session.execute(finished_attempts().where(Round.contest_id == info.contest_id,
                                                 Attempt.user_id == attempt.user_id)).all()
        # Read, not cached: an organiser may change it at any time, and another process's cached value would
        # place entrants on the contest's rebuilt board by the old rule.
        aggregate = contest_aggregate(session, info.contest_id)
        placement = self._contest_placement(session, rows, aggregate)
        if placement is not None:
            writes.append((family_of_contest(info.contest_id), placement, True))
        public = public_placement(self, session, attempt, info.contest_id, aggregate)
        if public is not None:
            writes.append((*public, True))
        # Every read is done: a slow or hung Redis is waited for holding no database connection (issue 11: a
        # flood of submits on a hung Redis emptied the pool).
        release_connection(session)
        for family, placed, replace in writes:
            self.store.record(family, placed, replace=replace)

    # -- rebuilding ------------------------------------------------------------------------------------------

    def rebuild_round(self, session: Session, round_id: int, *, family: str | None = None,
                      until: datetime | None = None) -> int:
        """Rebuild every board of the round from its finalised attempts; how many entrants are ranked.
        ``family`` and ``until`` rebuild a frozen copy: attempts finished by ``until`` only."""
        info = self.round_info(session, round_id, fresh=True)
        family = family or family_of_round(round_id)
        self.store.clear(family)  # before reading: a result committed after the read is recorded after the clear
        units = unit_ancestors(session)
        stmt = (select(Attempt.user_id, Attempt.id, Attempt.score, Attempt.duration_ms, Attempt.finished_at,
                       User.unit_id)
                .join(User, User.id == Attempt.user_id)
                .where(Attempt.round_id == round_id, Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None))
                .order_by(Attempt.user_id))
        if until is not None:
            stmt = stmt.where(Attempt.finished_at <= until)
        rows = session.connection().execute(stmt.execution_options(yield_per=20_000))
        count = self.store.load(family, best_placements(rows, info.ranking, units))
        self.store.mark_ready(family)
        return count

    def rebuild_contest(self, session: Session, contest_id: int, *, family: str | None = None,
                        source=None) -> int:
        """Rebuild the contest's board; ``family`` and ``source`` (rows like ``finished_attempts``'s, by entrant)
        rebuild the public one (``public_contest``)."""
        family = family or family_of_contest(contest_id)
        aggregate = contest_aggregate(session, contest_id)
        self.store.clear(family)
        units = unit_ancestors(session)
        source = finished_attempts().where(Round.contest_id == contest_id) if source is None else source
        rows = session.execute(source.execution_options(yield_per=20_000))
        placements = (self._contest_placement(session, list(group), aggregate, units)
                      for _, group in groupby(rows, key=lambda row: row.user_id))
        kept: list[int] = []
        count = self.store.load(family, placements, kept=kept)
        self._place_again(session, family, source, kept, aggregate)
        self.store.mark_ready(family)
        return count

    def _place_again(self, session: Session, family: str, source, entrants: list[int], aggregate: Aggregate) -> None:
        """Place ``entrants`` (recorded while their contest family was rebuilt) from a fresh read of ``source``."""
        rows_of = source.order_by(None).subquery()
        for start in range(0, len(entrants), 500):
            rows = session.execute(select(rows_of).where(rows_of.c.user_id.in_(entrants[start:start + 500]))
                                   .order_by(rows_of.c.user_id))
            for _, group in groupby(rows, key=lambda row: row.user_id):
                self.store.record(family, self._contest_placement(session, list(group), aggregate), replace=True)

    def ensure_round(self, session: Session, round_id: int) -> None:
        """Rebuild the round's boards if they are missing (a restart of the embedded mode, a flushed Redis)."""
        self._ensure(family_of_round(round_id), lambda: self.rebuild_round(session, round_id))

    def ensure_contest(self, session: Session, contest_id: int) -> None:
        self._ensure(family_of_contest(contest_id), lambda: self.rebuild_contest(session, contest_id))

    def _ensure(self, family: str, rebuild) -> None:
        if self.store.is_ready(family) or not self.store.try_lock(family, REBUILD_LOCK_S):
            return  # ready, or being rebuilt by someone else: serve what is there
        try:
            rebuild()
        finally:
            self.store.unlock(family)

    # -- lookups ---------------------------------------------------------------------------------------------

    def round_info(self, session: Session, round_id: int, *, fresh: bool = False) -> RoundInfo | None:
        info = None if fresh else self._rounds.get(round_id)
        if info is None:
            row = session.execute(select(Round.contest_id, RankingRule.tie_breaks, Contest.name_style,
                                         Contest.board_levels)
                                  .join(Contest, Contest.id == Round.contest_id)
                                  .outerjoin(RankingRule, RankingRule.round_id == Round.id)
                                  .where(Round.id == round_id)).first()
            if row is None:
                return None
            ranking = Ranking(parse_tie_breaks(row.tie_breaks or ()))
            info = RoundInfo(round_id, row.contest_id, ranking, NameStyle(row.name_style),
                             tuple(row.board_levels or ()))
            self._rounds.put(round_id, info)
        return info

    def forget(self) -> None:
        """Drop cached settings and unit paths (tests; after an organiser changes them)."""
        self._rounds.clear()
        self._units.clear()
        self.views.clear()

    def units_of(self, session: Session, user_id: int) -> tuple[int, ...]:
        units = self._units.get(user_id)
        if units is None:
            path = session.scalar(select(Unit.path).join(User, User.unit_id == Unit.id).where(User.id == user_id))
            units = ancestors(path) if path else ()
            self._units.put(user_id, units)
        return units

    def _contest_placement(self, session: Session, rows, aggregate: Aggregate,
                           units: dict[int, tuple[int, ...]] | None = None) -> Placement | None:
        if not rows:
            return None
        per_round = [self.round_info(session, round_id).ranking.best(_results(group))
                     for round_id, group in groupby(sorted(rows, key=lambda row: row.round_id),
                                                    key=lambda row: row.round_id)]
        result = contest_result(per_round, aggregate)
        user_id, unit_id = rows[0].user_id, rows[0].unit_id
        if units is None:
            unit_path = self.units_of(session, user_id)
        else:
            unit_path = units.get(unit_id, ())
        return Placement(user_id, encode(LIVE, result), unit_path)


def best_placements(rows, ranking: Ranking, units: dict[int, tuple[int, ...]]) -> Iterator[Placement]:
    """Rows ``(user, attempt, score, duration, finished_at, unit)`` ordered by user -> each user's best placement.
    The hot loop of a rebuild (a million rows): bare tuples compared like ``Ranking.key`` within one entrant."""
    layout = layout_for(ranking)
    values_of = ranking.values_of
    current = best = best_unit = None
    for user_id, attempt_id, score, duration_ms, finished_at, unit_id in rows:
        key = (*values_of(score, duration_ms, epoch_ms(finished_at)), attempt_id)
        if user_id != current:
            if current is not None:
                yield Placement(current, layout.encode(best[:-1], current), units.get(best_unit, ()))
            current, best, best_unit = user_id, key, unit_id
        elif key < best:
            best, best_unit = key, unit_id
    if current is not None:
        yield Placement(current, layout.encode(best[:-1], current), units.get(best_unit, ()))


def unit_ancestors(session: Session) -> dict[int, tuple[int, ...]]:
    """Every unit's id -> the ids of it and its ancestors, root first."""
    return {unit_id: ancestors(path) for unit_id, path in session.execute(select(Unit.id, Unit.path))}


def finished_attempts():
    return (select(Attempt.user_id, Attempt.id, Attempt.score, Attempt.duration_ms, Attempt.finished_at,
                   Attempt.round_id, User.unit_id)
            .join(User, User.id == Attempt.user_id).join(Round, Round.id == Attempt.round_id)
            .where(Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None))
            .order_by(Attempt.user_id))


def _results(rows: Iterable) -> list[Result]:
    return [result_of(row.user_id, row.id, row.score, row.duration_ms, row.finished_at) for row in rows]


def round_tie_breaks(session: Session, round_id: int) -> tuple[TieBreak, ...]:
    """The round's tie-break order as configured now (its ``RankingRule``, else the default)."""
    return parse_tie_breaks(session.scalar(select(RankingRule.tie_breaks).where(RankingRule.round_id == round_id))
                            or ())


def contest_aggregate(session: Session, contest_id: int) -> Aggregate:
    return session.scalar(select(ContestBoard.aggregate).where(ContestBoard.contest_id == contest_id)) \
        or Aggregate.BEST
