"""Unit rankings of a round or a whole contest at one level of the tree: entrants, attempts, participation,
average best score and entrants with full marks, from SQL aggregates over each entrant's result, rolled up from
leaf units.

An entrant's result is what represents them on the board of that scope. In a round: their best attempt. In a
contest, as its ``ContestBoard`` aggregate says: ``best`` takes their best round (the highest of their per-round
best scores) and counts them with full marks if they reached full marks in at least one round; ``sum`` adds up
their per-round best scores and counts them with full marks only if they reached full marks in every round they
took. Attempts are every finished attempt in the scope. A round is the one-round case of the same query.

The public's rankings count what the public sees of each round (``cutoffs``): a frozen round's attempts finished by
its freeze, a published round's rows of its latest version (its corrected scores; ``attempts`` as the version
counted them). Organisers' rankings (``public=False``) count every finished attempt; the two are cached apart.

A round the public sees published is ranked by the tree it was published with (``PublishedUnits``: each row's stored
``unit_path``); every other ranking, a contest's included, by today's tree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select, union_all
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Attempt, Status
from contest.errors import DomainError
from contest.i18n import vietnam_day
from contest.leaderboards.cache import TtlCache
from contest.leaderboards.keys.cutoffs import Cut, published_results, state_of, visible_attempts
from contest.leaderboards.models import Aggregate, PublishedResult, PublishedRow
from contest.leaderboards.placements import ancestors
from contest.leaderboards.queries.activity import activity as entrants_over_time
from contest.leaderboards.reads import contest_aggregate, contest_of, not_disqualified, public_cuts
from contest.rounds.models import Contest, Round
from contest.search_text import fold
from contest.units.models import Unit
from contest.units.service import valid_on

SORT_KEYS = ("entrants", "attempts", "participation", "average_score", "full_marks")
PAGE_ROWS = 100  # a page of a unit ranking: a level of 6,000 schools is 61 pages, not one 800 KB table


@dataclass
class _Tally:
    entrants: int = 0
    attempts: int = 0
    best_total: int = 0
    full_marks: int = 0

    def add(self, other: _Tally) -> None:
        self.entrants += other.entrants
        self.attempts += other.attempts
        self.best_total += other.best_total
        self.full_marks += other.full_marks


@dataclass
class UnitRankings:
    """Cached for a few seconds per (round or contest, level, public or organisers); sorting is done on each
    request. Also the round's chart of entrants over time, cached the same way."""

    seconds: float = 5.0
    _cache: TtlCache = field(init=False)

    def __post_init__(self) -> None:
        self._cache = TtlCache(self.seconds, maxsize=1000)

    def rankings(self, session: Session, *, round_id: int | None = None, contest_id: int | None = None,
                 level: str | None, now: datetime, sort: str = "entrants", descending: bool = True,
                 public: bool = True) -> dict:
        """``{round_id | contest_id (and aggregate), level, levels, generated_at, state, version, sort, order, rows:
        [{rank, unit_id, code, name, entrants, attempts, members, participation, average_score, full_marks}]}`` of
        a round or (``contest_id``) a contest, sorted by ``sort`` (ties by unit code). ``state`` and ``version`` are
        those of the round's public board (a contest's: ``frozen`` while one of its rounds is); organisers
        (``public=False``) get the live rankings."""
        if sort not in SORT_KEYS:
            raise DomainError("bad_request", _l("Sort by one of: %(keys)s.", keys=", ".join(SORT_KEYS)))
        if contest_id is not None:
            board_levels = session.scalar(select(Contest.board_levels).where(Contest.id == contest_id))
            if board_levels is None:
                raise DomainError("not_found", _l("There is no such contest."))
            aggregate = contest_aggregate(session, contest_id)
            scope, head = ("contest", contest_id), {"contest_id": contest_id, "aggregate": aggregate.value}
            where = Attempt.round_id.in_(select(Round.id).where(Round.contest_id == contest_id))
        else:
            board_levels = session.scalar(select(Contest.board_levels).join(Round).where(Round.id == round_id))
            if board_levels is None:
                raise DomainError("not_found", _l("There is no such round."))
            aggregate, scope, head = Aggregate.BEST, ("round", round_id), {"round_id": round_id}
            where = Attempt.round_id == round_id
        # A published round's public rankings are those of the tree it was published with (its rows' paths).
        published = self._published(session, round_id) if public and round_id is not None else None
        levels = (published.levels if published is not None else None) or tree_levels(session)
        level = level or (board_levels[0] if board_levels else (levels[0] if levels else None))
        if level not in levels:
            raise DomainError("bad_request", _l("There is no unit level %(level)s.", level=level or ""))
        key = (*scope, aggregate.value, level, public, published.result_id if published is not None else None)
        cached = self._cache.get(key)
        if cached is None:
            # Computed before a freeze, a cached page holds nothing later than the freeze: no need to drop it then.
            cuts = public_cuts(session, round_id=round_id, contest_id=contest_id) if public else {}
            rows = (published.rows(session, level) if published is not None
                    else scope_rows(session, where, level, aggregate, cuts))
            cached = (now.isoformat(), state_of(cuts, round_id), rows)
            self._cache.put(key, cached)
        generated_at, (state, version), rows = cached
        rows = sorted(rows, key=lambda row: row["code"])
        rows.sort(key=lambda row: (row[sort] is None, -(row[sort] or 0) if descending else (row[sort] or 0)))
        return {**head, "level": level, "levels": levels, "generated_at": generated_at, "state": state,
                "version": version, "sort": sort, "order": "desc" if descending else "asc",
                "rows": [{"rank": n, **row} for n, row in enumerate(rows, start=1)]}

    def _published(self, session: Session, round_id: int) -> PublishedUnits | None:
        """The round's latest published version's units, when the public sees it published (cached like a page)."""
        cut = public_cuts(session, round_id=round_id).get(round_id)
        if cut is None or cut.result_id is None:
            return None
        key = ("published", cut.result_id)
        found = self._cache.get(key)
        if found is None:
            found = PublishedUnits.read(session, cut.result_id)
            self._cache.put(key, found)
        return found

    def activity(self, session: Session, round_id: int, *, public: bool = True) -> dict:
        """The round's entrants over time (``activity``) as the public sees it, or (``public=False``) live."""
        key = ("activity", round_id, public)
        cached = self._cache.get(key)
        if cached is None:
            cut = public_cuts(session, round_id=round_id).get(round_id) if public else None
            cached = entrants_over_time(session, round_id, cut)
            self._cache.put(key, cached)
        return cached

    def clear(self) -> None:
        self._cache.clear()


@dataclass(frozen=True)
class RankingPage:
    """One page of a ranking's rows (each keeps its rank in the whole ranking)."""

    rows: list[dict]
    page: int
    pages: int
    total: int  # rows matching ``text``
    text: str


def ranking_page(rows: list[dict], *, page: int = 1, per_page: int = PAGE_ROWS, text: str = "") -> RankingPage:
    """Page ``page`` of ``rows`` (a page past the end is the last one); ``text`` keeps the units whose name or
    code holds every word of it, accents and case ignored (a school finding itself among thousands)."""
    rows = matching(rows, text)
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return RankingPage(rows[(page - 1) * per_page:page * per_page], page, pages, len(rows), text)


def matching(rows: list[dict], text: str) -> list[dict]:
    """The rows whose unit's name or code holds every word of ``text`` (accents and case ignored); all when empty."""
    words = fold(text).split()
    if not words:
        return rows
    return [row for row in rows if all(word in fold(f"{row['name']} {row['code']}") for word in words)]


def unit_rows(session: Session, round_id: int, level: str) -> list[dict]:
    """One row per unit at ``level`` for one round, units without entrants included."""
    return scope_rows(session, Attempt.round_id == round_id, level, Aggregate.BEST)


def scope_rows(session: Session, where, level: str, aggregate: Aggregate,
               cuts: dict[int, Cut] | None = None) -> list[dict]:
    """One row per unit at ``level`` over the finished attempts matching ``where`` (one round, or the rounds of a
    contest), each entrant represented as ``aggregate`` says (see the module's docstring); ``cuts`` (the rounds
    of the scope the public does not see live) count as the public sees them."""
    per_round = _per_round(where, cuts or {})
    full = case((per_round.c.best >= per_round.c.full, 1), else_=0)
    combine, all_or_any = (func.sum, func.min) if aggregate == Aggregate.SUM else (func.max, func.max)
    best = (select(per_round.c.user_id, combine(per_round.c.best).label("best"),
                   func.sum(per_round.c.tries).label("tries"), all_or_any(full).label("full_marks"))
            .group_by(per_round.c.user_id).subquery())
    per_leaf = session.execute(
        select(User.unit_id, func.count(), func.sum(best.c.tries), func.sum(best.c.best), func.sum(best.c.full_marks))
        .join(best, best.c.user_id == User.id).group_by(User.unit_id))
    units = session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.path, Unit.member_count)).all()
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    path_of = {unit.id: unit.path for unit in units}
    for unit_id, entrants, tries, best_total, full in per_leaf:
        leaf = _Tally(entrants, int(tries or 0), int(best_total or 0), int(full or 0))
        for ancestor in ancestors(path_of.get(unit_id, "")):
            tallies[ancestor].add(leaf)
    members = _members(units)
    rows = []
    for unit in units:
        if unit.level != level:
            continue
        rows.append(_unit_row(unit.id, unit.code, unit.name, tallies.get(unit.id, _Tally()), members.get(unit.id)))
    return rows


@dataclass(frozen=True)
class PublishedUnits:
    """A published version's tally per unit of the tree it was published with: each row counts for every unit of
    its stored path (``PublishedRow.unit_path``), named, coded and levelled as they were then."""

    result_id: int
    levels: list[str]
    labels: dict[int, tuple[str, str, str]]  # unit id -> (code, name, level) at publication
    tallies: dict[int, _Tally]
    published_on: date

    @classmethod
    def read(cls, session: Session, result_id: int) -> PublishedUnits:
        full = case((PublishedRow.score >= PublishedRow.max_score, 1), else_=0)
        per_unit = session.execute(
            select(PublishedRow.unit_id, func.count(), func.sum(PublishedRow.attempts), func.sum(PublishedRow.score),
                   func.sum(full))
            .where(PublishedRow.result_id == result_id, PublishedRow.unit_id.is_not(None))
            .group_by(PublishedRow.unit_id)).all()
        # Every row of a unit has the same path: one row per unit (its best ranked) says it.
        first = (select(PublishedRow.unit_id, func.min(PublishedRow.rank).label("rank"))
                 .where(PublishedRow.result_id == result_id).group_by(PublishedRow.unit_id).subquery())
        paths = dict(session.execute(
            select(PublishedRow.unit_id, PublishedRow.unit_path)
            .join(first, and_(PublishedRow.unit_id == first.c.unit_id, PublishedRow.rank == first.c.rank))
            .where(PublishedRow.result_id == result_id)).all())
        labels: dict[int, tuple[str, str, str]] = {}
        depth: dict[str, int] = {}
        tallies: dict[int, _Tally] = defaultdict(_Tally)
        for unit_id, entrants, tries, best_total, full_marks in per_unit:
            leaf = _Tally(entrants, int(tries or 0), int(best_total or 0), int(full_marks or 0))
            for position, (ancestor, code, name, level) in enumerate(paths.get(unit_id) or ()):
                labels[ancestor] = (code, name, level)
                depth[level] = min(depth.get(level, position), position)
                tallies[ancestor].add(leaf)
        created_at = session.scalar(select(PublishedResult.created_at).where(PublishedResult.id == result_id))
        return cls(result_id, sorted(depth, key=lambda level: (depth[level], level)), labels, dict(tallies),
                   vietnam_day(created_at))

    def rows(self, session: Session, level: str) -> list[dict]:
        """One row per unit at ``level`` as ``scope_rows`` gives them; the units of today's tree at that level no
        row names and valid on the publication day are listed with nothing, and member counts are today's (the
        version keeps its entrants' units, not the whole tree)."""
        units = session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.path, Unit.member_count,
                                       valid_on(self.published_on).label("valid"))).all()
        members = _members(units)
        listed = {unit_id: label for unit_id, label in self.labels.items() if label[2] == level}
        listed.update({unit.id: (unit.code, unit.name, unit.level) for unit in units
                       if unit.level == level and unit.valid and unit.id not in self.labels})
        rows = []
        for unit_id, (code, name, _level) in listed.items():
            tally = self.tallies.get(unit_id, _Tally())
            rows.append(_unit_row(unit_id, code, name, tally, members.get(unit_id)))
        return rows


def _unit_row(unit_id: int, code: str, name: str, tally: _Tally, count: int | None) -> dict:
    return {
        "unit_id": unit_id, "code": code, "name": name, "entrants": tally.entrants,
        "attempts": tally.attempts, "members": count,
        "participation": round(tally.entrants / count, 4) if count else None,
        "average_score": round(tally.best_total / tally.entrants, 2) if tally.entrants else None,
        "full_marks": tally.full_marks,
    }


def _per_round(where, cuts: dict[int, Cut]):
    """Each entrant's best score, attempts and maximum per round of the scope: from the visible attempts, and from
    the published rows of published rounds."""
    attempts = (select(Attempt.user_id, Attempt.round_id, func.max(Attempt.score).label("best"),
                       func.count().label("tries"), func.max(Attempt.max_score).label("full"))
                .where(where, Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None),
                       not_disqualified(contest_of(Attempt.round_id)), *visible_attempts(cuts))
                .group_by(Attempt.user_id, Attempt.round_id))
    published = published_results(cuts)
    if not published:
        return attempts.subquery()
    rows = (select(PublishedRow.user_id, PublishedResult.round_id, PublishedRow.score.label("best"),
                   PublishedRow.attempts.label("tries"), PublishedRow.max_score.label("full"))
            .join(PublishedResult, PublishedResult.id == PublishedRow.result_id)
            .where(PublishedRow.result_id.in_(published)))
    return union_all(attempts, rows).subquery()


def _members(units) -> dict[int, int | None]:
    """A unit's member count, or when it has none the sum of its children's (recursively)."""
    children: dict[int, list[int]] = defaultdict(list)
    own = {}
    for unit in units:
        own[unit.id] = unit.member_count
        chain = ancestors(unit.path)
        if len(chain) > 1:
            children[chain[-2]].append(unit.id)
    result: dict[int, int | None] = {}

    def count(unit_id: int) -> int | None:
        if unit_id not in result:
            if own[unit_id] is not None:
                result[unit_id] = own[unit_id]
            else:
                parts = [c for c in (count(child) for child in children[unit_id]) if c is not None]
                result[unit_id] = sum(parts) if parts else None
        return result[unit_id]

    depth = {unit.id: len(ancestors(unit.path)) for unit in units}
    for unit_id in sorted(own, key=lambda uid: -depth[uid]):  # deepest first: the recursion stays shallow
        count(unit_id)
    return result


def tree_levels(session: Session) -> list[str]:
    """The tree's level labels, from the top down."""
    rows = session.execute(select(Unit.level, func.min(Unit.depth)).group_by(Unit.level)).all()
    return [level for level, _ in sorted(rows, key=lambda row: (row[1], row[0]))]
