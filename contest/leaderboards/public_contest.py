"""The contest board the public sees while one of the contest's rounds is not live (``cutoffs``).

The live family ``c3`` adds up every finalised attempt of contest 3; organisers read it, and so does the public
while every round is live. Once a round is frozen or published the public reads ``c3p``: the same sum over what
the public sees of each round (a frozen round's attempts finished by its ``frozen_at``, a published round's rows of
its latest version, the other rounds live). ``c3p`` is kept the way a round's frozen family is:
* on a freeze it is copied from what the public saw a moment before (the live family when no round was cut yet;
  otherwise it is already kept);
* each finalised attempt places its entrant again, unless the public does not see that attempt;
* on an unfreeze or a publication it is rebuilt from the database, or dropped once every round is live again;
* when the store lost it (a restart of the embedded mode, a flushed Redis) the next reader rebuilds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Attempt, Status
from contest.leaderboards.cutoffs import LIVE, Cut, public_cuts, published_results, state_of, visible_attempts
from contest.leaderboards.models import Aggregate, PublishedResult, PublishedRow
from contest.leaderboards.recording import (
    Leaderboards,
    best_placements,
    contest_aggregate,
    finished_attempts,
    unit_ancestors,
)
from contest.leaderboards.store import Placement, family_of_contest
from contest.rounds.models import Round


@dataclass(frozen=True)
class ContestView:
    """Which family a reader of a contest's board sees: ``live``, or ``frozen`` while a round is frozen."""

    contest_id: int
    state: str
    family: str


def public_family(contest_id: int) -> str:
    return f"{family_of_contest(contest_id)}p"


def live_contest_view(boards: Leaderboards, session: Session, contest_id: int) -> ContestView:
    boards.ensure_contest(session, contest_id)
    return ContestView(contest_id, LIVE, family_of_contest(contest_id))


def public_contest_view(boards: Leaderboards, session: Session, contest_id: int) -> ContestView:
    """The family the public reads for the contest (made ready in the store); kept two seconds per process, like
    a round's ``public_view``."""
    key = ("contest", contest_id)
    view = boards.views.get(key)
    if view is None:
        view = _view(contest_id, public_cuts(session, contest_id=contest_id))
        boards.views.put(key, view)
    if view.family == family_of_contest(contest_id):
        boards.ensure_contest(session, contest_id)
    elif not boards.store.is_ready(view.family):
        cuts = public_cuts(session, contest_id=contest_id)  # the view may be two seconds old: rebuild as of now
        if not cuts:
            view = _view(contest_id, cuts)
            boards.views.put(key, view)
            boards.ensure_contest(session, contest_id)
        else:
            boards._ensure(view.family, lambda: rebuild_public(boards, session, contest_id, cuts))
    return view


def _view(contest_id: int, cuts: dict[int, Cut]) -> ContestView:
    if not cuts:
        return ContestView(contest_id, LIVE, family_of_contest(contest_id))
    return ContestView(contest_id, state_of(cuts)[0], public_family(contest_id))


def public_rows(contest_id: int, cuts: dict[int, Cut], user_id: int | None = None):
    """The rows the public contest board adds up, in the columns of ``recording.finished_attempts`` and ordered by
    entrant: the visible attempts, and the published rows standing for published rounds."""
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


def rebuild_public(boards: Leaderboards, session: Session, contest_id: int, cuts: dict[int, Cut]) -> int:
    return boards.rebuild_contest(session, contest_id, family=public_family(contest_id),
                                  source=public_rows(contest_id, cuts))


def public_placement(boards: Leaderboards, session: Session, attempt: Attempt, contest_id: int,
                     aggregate: Aggregate) -> tuple[str, Placement] | None:
    """Where to place the entrant of a just finalised ``attempt`` again on the public contest board (its family
    and placement, the caller records it), if there is one and the public sees the attempt. The cut-offs are
    read, not cached: an attempt recorded by the live board before a freeze's copy is in the copy, and one
    recorded after it is placed here by the freeze's rules."""
    cuts = public_cuts(session, contest_id=contest_id)
    if not cuts:
        return None
    cut = cuts.get(attempt.round_id)
    if cut is not None and not cut.shows(attempt.finished_at):
        return None  # the rush after a freeze costs one small query per attempt, nothing more
    rows = session.execute(public_rows(contest_id, cuts, attempt.user_id)).all()
    placement = boards._contest_placement(session, rows, aggregate)
    return None if placement is None else (public_family(contest_id), placement)


def contest_round_frozen(session: Session, boards: Leaderboards, *, contest_id: int, round_id: int,
                         round_family: str) -> None:
    """After ``round_id`` was frozen (committed) and its board copied to ``round_family``: the public contest board
    is what the public saw until now. A result finished after the freeze but recorded on the live boards between
    the freeze's commit and a copy would be in that copy: its entrant is placed again on both copies by their
    results until the freeze (an entrant with none is taken off)."""
    cuts = public_cuts(session, contest_id=contest_id)
    family = public_family(contest_id)
    if not any(rid != round_id for rid in cuts):  # else already the public family, kept by ``record_public``
        boards.ensure_contest(session, contest_id)
        boards.store.copy(family_of_contest(contest_id), family)
        boards.store.mark_ready(family)
    frozen_at = cuts[round_id].frozen_at
    late = list(session.scalars(select(Attempt.user_id).distinct()
                                .where(Attempt.round_id == round_id, Attempt.finished_at > frozen_at)))
    if not late:
        return
    aggregate, units = contest_aggregate(session, contest_id), unit_ancestors(session)
    for user_id in late:
        rows = session.execute(public_rows(contest_id, cuts, user_id)).all()
        placement = boards._contest_placement(session, rows, aggregate, units)
        if placement is None:
            boards.store.remove(family, user_id)
        else:
            boards.store.record(family, placement, replace=True)
    info = boards.round_info(session, round_id)
    rows = session.execute(select(Attempt.user_id, Attempt.id, Attempt.score, Attempt.duration_ms,
                                  Attempt.finished_at, User.unit_id)
                           .join(User, User.id == Attempt.user_id)
                           .where(Attempt.round_id == round_id, Attempt.user_id.in_(late),
                                  Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None),
                                  Attempt.finished_at <= frozen_at)
                           .order_by(Attempt.user_id))
    placed = {placement.entrant_id: placement for placement in best_placements(rows, info.ranking, units)}
    for user_id in late:
        if user_id in placed:
            boards.store.record(round_family, placed[user_id], replace=True)
        else:
            boards.store.remove(round_family, user_id)


def contest_cut_changed(session: Session, boards: Leaderboards, *, contest_id: int) -> None:
    """After an unfreeze or a publication (committed): the public contest board rebuilt from the database, or
    dropped when every round of the contest is live again."""
    cuts = public_cuts(session, contest_id=contest_id)
    if cuts:
        rebuild_public(boards, session, contest_id, cuts)
    else:
        boards.store.clear(public_family(contest_id))
