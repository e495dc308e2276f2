"""The two ranking settings organisers choose (DESIGN.md §2): a round's tie-break order and how a contest's board
adds up its rounds. Each change is one audited unit of work, after which the boards it affects are rebuilt at once.

A contest's aggregate may change at any time: it only decides the contest's board.

A round's tie-break order may change before the round opens and after it has closed, until its results are first
published:
* published versions carry the order they were computed with, and a correction must rank like the version it
  corrects unless someone decides otherwise, so after the first publication the order is fixed;
* while the round is open entrants choose whether to try again under the order in force, and every server process
  encodes the round's board keys with the order it has cached (for up to ``SETTINGS_TTL_S``): keys encoded in two
  orders on one board would be read wrongly. So the order is also fixed from ``SETTLING`` before the round opens
  (older cached copies have expired before the first attempt is recorded) until ``SETTLING`` after the last
  attempt may be finalised (its deadline plus grace, then the sweeper).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy.orm import Session

from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards.boards import REBUILD_LOCK_S, SETTINGS_TTL_S
from contest.leaderboards.keys.ranking import TieBreak, parse_tie_breaks
from contest.leaderboards.models import Aggregate, BoardFreeze, ContestBoard, RankingRule
from contest.leaderboards.reads import latest_version, round_tie_breaks
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.stores.families import family_of_contest, family_of_round, frozen_family, public_family
from contest.rounds.models import Contest, Round

SETTLING = timedelta(seconds=2 * SETTINGS_TTL_S)  # a minute: longer than the sweeper's interval too

TIE_BREAK_NAMES = {
    TieBreak.PREDICTION: _l("Prediction error (final ranking only)"),
    TieBreak.DURATION: _l("Time taken"),
    TieBreak.SUBMITTED: _l("Submission time"),
}
AGGREGATE_NAMES = {Aggregate.BEST: _l("Best round"), Aggregate.SUM: _l("Sum of rounds")}


def tie_break_lock(round_: Round, now: datetime, *, published: bool) -> LazyString | None:
    """Why the round's tie-break order cannot change at ``now`` (a message), or None when it can."""
    if published:
        return _l("The results of this round are published with this tie-break order, so it can no longer change.")
    if now < round_.opens_at - SETTLING:
        return None
    if now < round_.closes_at:
        return _l("The tie-break order cannot change from a minute before the round opens until it closes: "
                  "change it earlier, or after the round has closed.")
    if now < round_.closes_at + timedelta(seconds=round_.grace_s) + SETTLING:
        return _l("The round has just closed and its last attempts are still being finalised: try again in a "
                  "minute.")
    return None


def set_tie_breaks(session: Session, boards: Leaderboards, *, round_id: int, tie_breaks: Iterable[str],
                   actor_id: int | None, now: datetime) -> bool:
    """Set the round's tie-break order (``["duration", "submitted", "prediction"]``; any left out follow in the
    default order; the score always ranks first), audited as ``round.tie_breaks``, then rebuild the round's
    boards (a frozen copy too) and its contest's boards (live and public), whose per-round bests follow the
    order. False if the order was already that."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    locked = tie_break_lock(round_, now, published=latest_version(session, round_id) is not None)
    if locked:
        raise DomainError("conflict", locked)
    order = valid_tie_breaks(tie_breaks)
    before = round_tie_breaks(session, round_id)
    if order == before:
        return False
    rule = session.get(RankingRule, round_id)
    if rule is None:
        rule = RankingRule(round_id=round_id)
        session.add(rule)
    rule.tie_breaks = [str(tb) for tb in order]
    audit(session, actor_id=actor_id, action="round.tie_breaks", now=now, target_type="round", target_id=round_id,
          details={"round": round_.title, "from": [str(tb) for tb in before], "to": rule.tie_breaks})
    session.commit()
    boards.forget_views()
    ranked = _rebuild(boards, family_of_round(round_id), lambda: boards.rebuild_round(session, round_id))
    frozen = session.get(BoardFreeze, round_id)
    if frozen is not None:
        family = frozen_family(round_id)
        _rebuild(boards, family, lambda: boards.rebuild_round(session, round_id, family=family,
                                                              until=frozen.frozen_at))
    if ranked:
        _rebuild_contest(session, boards, round_.contest_id)
    return True


def valid_tie_breaks(names: Iterable[str]) -> tuple[TieBreak, ...]:
    """The complete order from an organiser's choice, or a ``validation`` DomainError on ``tie_breaks``."""
    names = [str(name).strip() for name in names]

    def invalid(message):
        return DomainError("validation", message, fields={"tie_breaks": message})

    if "score" in names:
        raise invalid(_l("The score always ranks first: it is not a tie-break to choose."))
    unknown = [name for name in names if name not in {tb.value for tb in TieBreak}]
    if unknown:
        raise invalid(_l("There is no tie-break named %(names)s.", names=", ".join(unknown)))
    if len(set(names)) != len(names):
        raise invalid(_l("Each tie-break may appear only once."))
    return parse_tie_breaks(names)


def set_aggregate(session: Session, boards: Leaderboards, *, contest_id: int, aggregate: str,
                  actor_id: int | None, now: datetime) -> bool:
    """Set how the contest's board adds up its rounds (``best`` or ``sum``), audited as ``contest.aggregate``,
    then rebuild the contest's boards (live and public). False if it was already that."""
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise DomainError("not_found", _l("There is no such contest."))
    try:
        chosen = Aggregate(aggregate)
    except ValueError:
        message = _l("Choose the best round or the sum of rounds.")
        raise DomainError("validation", message, fields={"aggregate": message}) from None
    row = session.get(ContestBoard, contest_id)
    before = row.aggregate if row is not None else Aggregate.BEST
    if chosen == before:
        return False
    if row is None:
        row = ContestBoard(contest_id=contest_id)
        session.add(row)
    row.aggregate = chosen
    audit(session, actor_id=actor_id, action="contest.aggregate", now=now, target_type="contest",
          target_id=contest_id, details={"title": contest.title, "from": before.value, "to": chosen.value})
    session.commit()
    _rebuild_contest(session, boards, contest_id)
    return True


def _rebuild_contest(session: Session, boards: Leaderboards, contest_id: int) -> None:
    """The contest's live board, and the public one while a round of the contest is frozen or published."""
    _rebuild(boards, family_of_contest(contest_id), lambda: boards.rebuild_contest(session, contest_id))
    family = public_family(contest_id)
    _rebuild(boards, family, lambda: boards.public_contest_changed(session, contest_id))


def _rebuild(boards: Leaderboards, family: str, rebuild: Callable[[], int | None]) -> int | None:
    """Rebuild now, holding the family's rebuild lock when it is free so that readers finding the family
    half-loaded serve it as it is instead of starting a second rebuild."""
    locked = boards.store.try_lock(family, REBUILD_LOCK_S)
    try:
        return rebuild()
    finally:
        if locked:
            boards.store.unlock(family)
