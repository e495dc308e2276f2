"""The database reads that recording, rebuilding, the results and the read services share: unit paths, finished
attempts in the columns a placement needs, a round's or contest's ranking settings, published versions and the
cut-offs of what the public sees."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, func, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from contest.accounts.models import User
from contest.attempts.models import Attempt, Status
from contest.errors import DomainError
from contest.leaderboards.keys.cutoffs import Cut, published_results, visible_attempts
from contest.leaderboards.keys.ranking import TieBreak, parse_tie_breaks
from contest.leaderboards.models import (
    Aggregate,
    BoardFreeze,
    ContestBoard,
    Disqualification,
    PublishedResult,
    PublishedRow,
    RankingRule,
)
from contest.leaderboards.placements import ancestors
from contest.rounds.models import Contest, Round
from contest.units.models import Unit


def unit_ancestors(session: Session) -> dict[int, tuple[int, ...]]:
    """Every unit's id -> the ids of it and its ancestors, root first."""
    return {unit_id: ancestors(path) for unit_id, path in session.execute(select(Unit.id, Unit.path))}


def units_of_entrant(session: Session, user_id: int) -> tuple[int, ...]:
    """The ids of the entrant's unit and its ancestors, root first; empty without a unit."""
    path = session.scalar(select(Unit.path).join(User, User.unit_id == Unit.id).where(User.id == user_id))
    return ancestors(path) if path else ()


def not_disqualified(contest_id):
    """A WHERE clause leaving out the attempts whose entrant stands disqualified from the attempt's round or its
    whole contest; ``contest_id``: the attempts' contest (a column joined in, a subquery or a value). Every read
    behind a board, a rebuild, the reconciliation's count and the final ranking uses it, so nothing puts a
    disqualified entrant back. An anti-join on an index: disqualifications are few."""
    return ~exists().where(Disqualification.user_id == Attempt.user_id, Disqualification.lifted_at.is_(None),
                           Disqualification.contest_id == contest_id,
                           or_(Disqualification.round_id.is_(None), Disqualification.round_id == Attempt.round_id))


def contest_of(round_id):
    """The contest id of ``round_id`` (a value, or a column such as ``Attempt.round_id``) as a scalar subquery,
    for ``not_disqualified`` without a join."""
    return select(Round.contest_id).where(Round.id == round_id).correlate_except(Round).scalar_subquery()


def finished_attempts():
    """Every finalised, scored attempt of an entrant not disqualified from it, as ``(user_id, id, score,
    duration_ms, finished_at, round_id, unit_id)``, by entrant: the rows a contest placement adds up
    (``placements.contest_placement``)."""
    return (select(Attempt.user_id, Attempt.id, Attempt.score, Attempt.duration_ms, Attempt.finished_at,
                   Attempt.round_id, User.unit_id)
            .join(User, User.id == Attempt.user_id).join(Round, Round.id == Attempt.round_id)
            .where(Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None),
                   not_disqualified(Round.contest_id))
            .order_by(Attempt.user_id))


def round_attempts(round_id: int):
    """A round's finalised, scored attempts of entrants not disqualified from it, as ``(user_id, id, score,
    duration_ms, finished_at, unit_id)``, by entrant: the rows ``placements.best_placements`` reads."""
    return (select(Attempt.user_id, Attempt.id, Attempt.score, Attempt.duration_ms, Attempt.finished_at,
                   User.unit_id)
            .join(User, User.id == Attempt.user_id)
            .where(Attempt.round_id == round_id, Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None),
                   not_disqualified(contest_of(round_id)))
            .order_by(Attempt.user_id))


def ranked_in_database(session: Session, round_id: int) -> int:
    """Entrants with a finalised, scored attempt in the round and not disqualified from it: those its live board
    must place."""
    return session.scalar(select(func.count(func.distinct(Attempt.user_id)))
                          .where(Attempt.round_id == round_id, Attempt.status != Status.IN_PROGRESS,
                                 Attempt.score.is_not(None), not_disqualified(contest_of(round_id))))


def standing_disqualification(session: Session, user_id: int, *, contest_id: int,
                              round_id: int | None = None) -> Disqualification | None:
    """The disqualification in force that keeps the entrant off ``round_id`` (from it or from the whole contest),
    or with ``round_id`` None from the whole contest; None when there is none."""
    which = Disqualification.round_id.is_(None)
    if round_id is not None:
        which = or_(which, Disqualification.round_id == round_id)
    return session.scalar(select(Disqualification)
                          .where(Disqualification.user_id == user_id, Disqualification.contest_id == contest_id,
                                 Disqualification.lifted_at.is_(None), which)
                          .order_by(Disqualification.round_id.is_not(None), Disqualification.id).limit(1))


def round_settings(session: Session, round_id: int):
    """``(contest_id, tie_breaks, name_style, board_levels)`` of the round, or None if there is no round."""
    return session.execute(select(Round.contest_id, RankingRule.tie_breaks, Contest.name_style, Contest.board_levels)
                           .join(Contest, Contest.id == Round.contest_id)
                           .outerjoin(RankingRule, RankingRule.round_id == Round.id)
                           .where(Round.id == round_id)).first()


def round_tie_breaks(session: Session, round_id: int) -> tuple[TieBreak, ...]:
    """The round's tie-break order as configured now (its ``RankingRule``, else the default)."""
    return parse_tie_breaks(session.scalar(select(RankingRule.tie_breaks).where(RankingRule.round_id == round_id))
                            or ())


def contest_aggregate(session: Session, contest_id: int) -> Aggregate:
    """How the contest's board adds up its rounds (its ``ContestBoard``, else ``best``)."""
    return session.scalar(select(ContestBoard.aggregate).where(ContestBoard.contest_id == contest_id)) \
        or Aggregate.BEST


def round_or_error(session: Session, round_id: int) -> Round:
    """The round, or a ``not_found`` DomainError."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    return round_


def freeze_of(session: Session, round_id: int) -> BoardFreeze | None:
    """The round's freeze, if its public boards are frozen."""
    return session.get(BoardFreeze, round_id)


def latest_version(session: Session, round_id: int) -> PublishedResult | None:
    """The round's latest published version, or None before the first publication."""
    return session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_id)
                          .order_by(PublishedResult.version.desc()).limit(1))


def versions(session: Session, round_id: int) -> list[PublishedResult]:
    """Every published version of the round, the latest first."""
    return list(session.scalars(select(PublishedResult).where(PublishedResult.round_id == round_id)
                                .order_by(PublishedResult.version.desc())))


def publishers(session: Session, published: list[PublishedResult]) -> dict[int, str]:
    """Who published each version: staff id -> full name (the results page shows names, not ids)."""
    ids = {result.created_by_id for result in published if result.created_by_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def public_cuts(session: Session, *, round_id: int | None = None, contest_id: int | None = None) -> dict[int, Cut]:
    """The cut rounds of one round or of a contest's rounds (round id -> ``Cut``); live rounds are left out.
    One small query: rounds by id or by their indexed contest, freezes by primary key, versions by round."""
    by_contest = contest_id is not None
    rows = session.execute(_cuts_statement(by_contest), {"key": contest_id if by_contest else round_id})
    return {rid: Cut(rid, frozen_at, result_id, version)
            for rid, frozen_at, result_id, version in rows if frozen_at is not None or result_id is not None}


@cache
def _cuts_statement(by_contest: bool):
    # Built once: every submit of a contest with a cut round asks this, and building it (the alias and its
    # adaptation) was most of the query's cost, 17 % of a process in the 10,000-entrant submit rush (py-spy).
    later = aliased(PublishedResult)
    latest = select(func.max(later.version)).where(later.round_id == Round.id).scalar_subquery()
    key = bindparam("key")
    return (select(Round.id, BoardFreeze.frozen_at, PublishedResult.id, PublishedResult.version)
            .outerjoin(BoardFreeze, BoardFreeze.round_id == Round.id)
            .outerjoin(PublishedResult, and_(PublishedResult.round_id == Round.id, PublishedResult.version == latest))
            .where(Round.contest_id == key if by_contest else Round.id == key))


def public_rows(contest_id: int, cuts: dict[int, Cut], user_id: int | None = None):
    """The rows the public contest board adds up, in the columns of ``finished_attempts`` and ordered by entrant:
    the visible attempts, and the published rows standing for published rounds."""
    attempts = finished_attempts().order_by(None).where(Round.contest_id == contest_id, *visible_attempts(cuts))
    if user_id is not None:
        attempts = attempts.where(Attempt.user_id == user_id)
    published = published_results(cuts)
    if not published:
        return attempts.order_by(Attempt.user_id)
    rows = (select(PublishedRow.user_id, PublishedRow.attempt_id.label("id"), PublishedRow.score,
                   PublishedRow.duration_ms, PublishedRow.finished_at, PublishedResult.round_id, User.unit_id)
            .join(PublishedResult, PublishedResult.id == PublishedRow.result_id)
            .join(User, User.id == PublishedRow.user_id)
            .where(PublishedRow.result_id.in_(published)))
    if user_id is not None:
        rows = rows.where(PublishedRow.user_id == user_id)
    both = union_all(attempts, rows).subquery()
    return select(both).order_by(both.c.user_id)
