"""The boards of one app: the store, the settings a reader or a writer needs (cached), which family a reader sees
now, and rebuilding families from the database (the source of truth).

A rebuild clears the family, reads the database and loads what it read, while entrants go on being recorded
(``recording``):
* no result is lost: an attempt is committed before it is recorded and the rebuild reads after its clear, so an
  attempt whose record the clear wiped is in the read (PostgreSQL: each statement sees what was committed before
  it began; SQLite: transactions are immediate, so nobody commits while a rebuild's is open);
* no entrant is placed twice: ``load`` merges each chunk with what was recorded since the clear;
* on a round's families (live, frozen) the better key stays, as when recording: every key there is the best of
  the entrant's attempts by one ranking (the tie-break order cannot change while attempts are finalised, see
  ``results.settings``; voided questions change published versions only, which nothing records into). The clear
  wiped every older key, so the keys that meet are the read's best and those of attempts recorded since, all of
  them the entrant's, and the better is the best of all;
* a contest's families (live, public) can get worse: under ``sum`` a round scored 0 adds its duration, and under
  either aggregate a round's best is chosen by the round's own tie-break order, which may put a new best below
  the old one in the contest's. So their records replace, computed from the database after the commit, and a
  load cannot tell the newer of two keys: the entry placed meanwhile stays and the rebuild places its entrant
  again from a fresh read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.attempts.models import Attempt
from contest.attempts.timing import epoch_ms
from contest.leaderboards import reads
from contest.leaderboards.cache import TtlCache
from contest.leaderboards.keys.cutoffs import FROZEN, LIVE, Cut
from contest.leaderboards.keys.encoding import layout_for
from contest.leaderboards.keys.ranking import Ranking, parse_tie_breaks
from contest.leaderboards.models import Aggregate, PublishedResult, PublishedRow
from contest.leaderboards.placements import best_placements, contest_placement
from contest.leaderboards.stores import families
from contest.leaderboards.stores.families import BoardView, ContestView
from contest.leaderboards.stores.interface import BoardStore, Placement
from contest.rounds.models import NameStyle, Round

REBUILD_LOCK_S = 600
SETTINGS_TTL_S = 30.0  # how long a process keeps a round's settings (``RoundInfo``)
VIEW_TTL_S = 2.0  # how long a process keeps which family the public sees: a freeze or publish reaches others that soon


@dataclass(frozen=True)
class RoundInfo:
    round_id: int
    contest_id: int
    ranking: Ranking  # the live ranking of the round
    name_style: NameStyle = NameStyle.FULL
    board_levels: tuple[str, ...] = ()


class Boards:
    """The store and what reading and rebuilding it needs; ``recording.Leaderboards`` adds recording."""

    def __init__(self, store: BoardStore, *, settings_ttl: float = SETTINGS_TTL_S) -> None:
        self.store = store
        self._rounds = TtlCache(settings_ttl, maxsize=10_000)
        self._units = TtlCache(60.0, maxsize=100_000)
        self._views = TtlCache(VIEW_TTL_S, maxsize=10_000)  # round or contest -> what the public sees

    # -- lookups ---------------------------------------------------------------------------------------------

    def round_info(self, session: Session, round_id: int, *, fresh: bool = False) -> RoundInfo | None:
        """The round's settings as the boards need them, cached ``SETTINGS_TTL_S`` (``fresh``: read now); None if
        there is no round."""
        info = None if fresh else self._rounds.get(round_id)
        if info is None:
            row = reads.round_settings(session, round_id)
            if row is None:
                return None
            ranking = Ranking(parse_tie_breaks(row.tie_breaks or ()))
            info = RoundInfo(round_id, row.contest_id, ranking, NameStyle(row.name_style),
                             tuple(row.board_levels or ()))
            self._rounds.put(round_id, info)
        return info

    def units_of(self, session: Session, user_id: int) -> tuple[int, ...]:
        """The ids of the entrant's unit and its ancestors, cached a minute."""
        units = self._units.get(user_id)
        if units is None:
            units = reads.units_of_entrant(session, user_id)
            self._units.put(user_id, units)
        return units

    def forget(self) -> None:
        """Drop cached settings, unit paths and views (tests; after an organiser changes them)."""
        self._rounds.clear()
        self._units.clear()
        self._views.clear()

    def forget_views(self) -> None:
        """Drop the cached public views (after a freeze, an unfreeze, a publication, a new tie-break order)."""
        self._views.clear()

    def contest_placement(self, session: Session, rows: list, aggregate: Aggregate,
                          units: dict[int, tuple[int, ...]] | None = None) -> Placement | None:
        """One entrant's placement on a contest board from their ``rows`` (``reads.finished_attempts``' columns);
        ``units``: every unit's ancestors when known (a rebuild), else the entrant's are looked up."""
        if not rows:
            return None
        unit_path = self.units_of(session, rows[0].user_id) if units is None else units.get(rows[0].unit_id, ())
        return contest_placement(rows, aggregate, lambda round_id: self.round_info(session, round_id).ranking,
                                 unit_path)

    # -- which family a reader sees --------------------------------------------------------------------------

    def live_round_view(self, session: Session, round_id: int) -> BoardView | None:
        """The round's live family (organisers), made ready; None if there is no round."""
        info = self.round_info(session, round_id)
        if info is None:
            return None
        self.ensure_round(session, round_id)
        return families.live_round_view(round_id, info.ranking)

    def public_round_view(self, session: Session, round_id: int) -> BoardView | None:
        """The family the public reads for ``round_id`` (made ready in the store), or None if there is no round;
        kept ``VIEW_TTL_S`` per process."""
        view = self._views.get(round_id)
        if view is None:
            info = self.round_info(session, round_id)
            if info is None:
                return None
            latest = reads.latest_version(session, round_id)
            frozen = reads.freeze_of(session, round_id) if latest is None else None
            view = families.public_round_view(
                round_id, info.ranking,
                published=None if latest is None else (latest.version, final_ranking(latest)),
                frozen_at=frozen.frozen_at if frozen is not None else None)
            self._views.put(round_id, view)
        if view.state == LIVE:
            self.ensure_round(session, round_id)
        elif view.state == FROZEN:
            self.ensure(view.family, lambda: self.rebuild_round(session, round_id, family=view.family,
                                                                until=view.frozen_at))
        else:
            self.ensure(view.family, lambda: self.load_published(session, round_id, view.version))
        return view

    def live_contest_view(self, session: Session, contest_id: int) -> ContestView:
        """The contest's live family (organisers), made ready."""
        self.ensure_contest(session, contest_id)
        return families.live_contest_view(contest_id)

    def public_contest_view(self, session: Session, contest_id: int) -> ContestView:
        """The family the public reads for the contest (made ready in the store); kept ``VIEW_TTL_S`` per process,
        like a round's."""
        key = ("contest", contest_id)
        view = self._views.get(key)
        if view is None:
            view = families.public_contest_view(contest_id, reads.public_cuts(session, contest_id=contest_id))
            self._views.put(key, view)
        if view.family == families.family_of_contest(contest_id):
            self.ensure_contest(session, contest_id)
        elif not self.store.is_ready(view.family):
            cuts = reads.public_cuts(session, contest_id=contest_id)  # the view may be stale: rebuild as of now
            if not cuts:
                view = families.public_contest_view(contest_id, cuts)
                self._views.put(key, view)
                self.ensure_contest(session, contest_id)
            else:
                self.ensure(view.family, lambda: self.rebuild_public_contest(session, contest_id, cuts))
        return view

    # -- rebuilding ------------------------------------------------------------------------------------------

    def ensure(self, family: str, rebuild: Callable[[], object]) -> None:
        """Run ``rebuild`` unless the family is ready or someone else is rebuilding it (then serve what is there)."""
        if self.store.is_ready(family) or not self.store.try_lock(family, REBUILD_LOCK_S):
            return
        try:
            rebuild()
        finally:
            self.store.unlock(family)

    def ensure_round(self, session: Session, round_id: int) -> None:
        """Rebuild the round's boards if they are missing (a restart of the embedded mode, a flushed Redis)."""
        self.ensure(families.family_of_round(round_id), lambda: self.rebuild_round(session, round_id))

    def ensure_contest(self, session: Session, contest_id: int) -> None:
        """Rebuild the contest's live board if it is missing."""
        self.ensure(families.family_of_contest(contest_id), lambda: self.rebuild_contest(session, contest_id))

    def rebuild_round(self, session: Session, round_id: int, *, family: str | None = None,
                      until: datetime | None = None) -> int:
        """Rebuild every board of the round from its finalised attempts; how many entrants are ranked.
        ``family`` and ``until`` rebuild a frozen copy: attempts finished by ``until`` only."""
        info = self.round_info(session, round_id, fresh=True)
        family = family or families.family_of_round(round_id)
        self.store.clear(family)  # before reading: a result committed after the read is recorded after the clear
        units = reads.unit_ancestors(session)
        stmt = reads.round_attempts(round_id)
        if until is not None:
            stmt = stmt.where(Attempt.finished_at <= until)
        rows = session.connection().execute(stmt.execution_options(yield_per=20_000))
        count = self.store.load(family, best_placements(rows, info.ranking, units))
        self.store.mark_ready(family)
        return count

    def rebuild_contest(self, session: Session, contest_id: int, *, family: str | None = None,
                        source=None) -> int:
        """Rebuild the contest's board; ``family`` and ``source`` (rows like ``reads.finished_attempts``', by
        entrant) rebuild the public one (``rebuild_public_contest``)."""
        family = family or families.family_of_contest(contest_id)
        aggregate = reads.contest_aggregate(session, contest_id)
        self.store.clear(family)
        units = reads.unit_ancestors(session)
        source = reads.finished_attempts().where(Round.contest_id == contest_id) if source is None else source
        rows = session.execute(source.execution_options(yield_per=20_000))
        placements = (self.contest_placement(session, list(group), aggregate, units)
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
                self.store.record(family, self.contest_placement(session, list(group), aggregate), replace=True)

    def rebuild_public_contest(self, session: Session, contest_id: int, cuts: dict[int, Cut]) -> int:
        """Rebuild the contest's public family from what the public sees of its rounds (``cuts``)."""
        return self.rebuild_contest(session, contest_id, family=families.public_family(contest_id),
                                    source=reads.public_rows(contest_id, cuts))

    def public_contest_changed(self, session: Session, contest_id: int) -> None:
        """After an unfreeze, a publication or a new ranking setting (committed): the public contest board rebuilt
        from the database, or dropped when every round of the contest is live again."""
        cuts = reads.public_cuts(session, contest_id=contest_id)
        if cuts:
            self.rebuild_public_contest(session, contest_id, cuts)
        else:
            self.store.clear(families.public_family(contest_id))

    def tree_changed(self, session: Session) -> None:
        """After the unit tree changed (a unit moved or merged): the boards that place entrants by today's tree are
        dropped, each rebuilt by its next reader: those of every round not yet published (live, frozen) and of
        every contest (live, public). Published versions keep the tree they were published with; the live boards
        of published rounds are left as they are (organisers only read them, and each scan of a family costs a
        Redis pass)."""
        self.forget()
        published = select(PublishedResult.round_id)
        for round_id in session.scalars(select(Round.id).where(Round.id.not_in(published))):
            self.store.clear(families.family_of_round(round_id))
            self.store.clear(families.frozen_family(round_id))
        for contest_id in session.scalars(select(Round.contest_id).distinct()):
            self.store.clear(families.family_of_contest(contest_id))
            self.store.clear(families.public_family(contest_id))

    def load_published(self, session: Session, round_id: int, version: int) -> int:
        """(Re)load a published version's rows into its family; how many. Each row is placed on the boards of the
        units in its stored path (the tree of its publication), whatever the tree is now."""
        result = session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_id,
                                                              PublishedResult.version == version))
        family = families.published_family(round_id, version)
        ranking = final_ranking(result)
        layout = layout_for(ranking)
        units = reads.unit_ancestors(session)
        rows = session.execute(select(PublishedRow).where(PublishedRow.result_id == result.id)
                               .order_by(PublishedRow.rank).execution_options(yield_per=20_000)).scalars()
        self.store.clear(family)
        count = self.store.load(family, (
            Placement(row.user_id, layout.encode(ranking.values_of(row.score, row.duration_ms,
                                                                   epoch_ms(row.finished_at), row.prediction_error),
                                                 row.user_id),
                      published_units(row, units))
            for row in rows))
        self.store.mark_ready(family)
        return count


def published_units(row: PublishedRow, units: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    """The ids of a published row's unit and its ancestors as the tree stood at publication (today's tree only for
    a row that has no stored path)."""
    if row.unit_path is None:
        return units.get(row.unit_id, ())
    return tuple(entry[0] for entry in row.unit_path)


def final_ranking(result: PublishedResult) -> Ranking:
    """The ranking a published version was computed with (its tie-breaks, the prediction error included)."""
    return Ranking(parse_tie_breaks(result.tie_breaks or ()), final=True)
