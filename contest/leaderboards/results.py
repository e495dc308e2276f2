"""What the public sees of a round, and the organiser's actions on it: freeze, unfreeze, publish, correct.

A round's public boards come from one of three families of the store (see ``store``):
* ``r12`` **live**, kept by every finalised attempt;
* ``r12f`` **frozen**, a copy of the live family taken when an organiser froze the boards (rebuilt from the
  attempts finalised by ``frozen_at`` if the store lost it);
* ``r12v3`` **published** version 3, loaded from its ``published_rows`` (the final ranking: prediction
  tie-break, corrections applied).
The latest published version wins over a freeze, a freeze over live. Organisers always read the live family.
Every other public view of a round (unit rankings, the chart, the contest's board) is cut the same way
(``cutoffs``, ``public_contest``).

Each action is one unit of work with an audit entry (who, when, why) committed with the change it describes.
Published versions are never changed: a correction (a question voided after an appeal) publishes a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from contest.attempts.models import Attempt, Status
from contest.attempts.timing import epoch_ms
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards.cutoffs import FROZEN, LIVE, PUBLISHED
from contest.leaderboards.encoding import layout_for
from contest.leaderboards.final import FinalRanking, compute_final
from contest.leaderboards.models import BoardFreeze, PublishedResult, PublishedRow
from contest.leaderboards.public_contest import contest_cut_changed, contest_round_frozen
from contest.leaderboards.ranking import Ranking, parse_tie_breaks
from contest.leaderboards.recording import Leaderboards, unit_ancestors
from contest.leaderboards.store import Placement, family_of_round
from contest.rounds.models import Round
from question_bank.models import Question

INSERT_CHUNK = 5000


@dataclass(frozen=True)
class BoardView:
    """Which family a reader sees, and the order its keys were encoded with."""

    round_id: int
    state: str  # live | frozen | published
    family: str
    ranking: Ranking
    version: int | None = None
    frozen_at: datetime | None = None


def frozen_family(round_id: int) -> str:
    return f"{family_of_round(round_id)}f"


def published_family(round_id: int, version: int) -> str:
    return f"{family_of_round(round_id)}v{version}"


def live_view(boards: Leaderboards, session: Session, round_id: int) -> BoardView | None:
    info = boards.round_info(session, round_id)
    if info is None:
        return None
    boards.ensure_round(session, round_id)
    return BoardView(round_id, LIVE, family_of_round(round_id), info.ranking)


def public_view(boards: Leaderboards, session: Session, round_id: int) -> BoardView | None:
    """The family the public reads for ``round_id`` (made ready in the store), or None if there is no round."""
    view = boards.views.get(round_id)  # kept two seconds: a freeze or publish reaches other processes that soon
    if view is None:
        view = _resolve(boards, session, round_id)
        if view is None:
            return None
        boards.views.put(round_id, view)
    _ensure(boards, session, view)
    return view


def _resolve(boards: Leaderboards, session: Session, round_id: int) -> BoardView | None:
    info = boards.round_info(session, round_id)
    if info is None:
        return None
    latest = latest_version(session, round_id)
    if latest is not None:
        ranking = Ranking(parse_tie_breaks(latest.tie_breaks or ()), final=True)
        return BoardView(round_id, PUBLISHED, published_family(round_id, latest.version), ranking,
                         version=latest.version)
    frozen = session.get(BoardFreeze, round_id)
    if frozen is not None:
        return BoardView(round_id, FROZEN, frozen_family(round_id), info.ranking, frozen_at=frozen.frozen_at)
    return BoardView(round_id, LIVE, family_of_round(round_id), info.ranking)


def _ensure(boards: Leaderboards, session: Session, view: BoardView) -> None:
    if view.state == LIVE:
        boards.ensure_round(session, view.round_id)
    elif view.state == FROZEN:
        boards._ensure(view.family, lambda: boards.rebuild_round(session, view.round_id, family=view.family,
                                                                 until=view.frozen_at))
    else:
        boards._ensure(view.family, lambda: load_published(boards, session, view.round_id, view.version))


def latest_version(session: Session, round_id: int) -> PublishedResult | None:
    return session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_id)
                          .order_by(PublishedResult.version.desc()).limit(1))


def versions(session: Session, round_id: int) -> list[PublishedResult]:
    return list(session.scalars(select(PublishedResult).where(PublishedResult.round_id == round_id)
                                .order_by(PublishedResult.version.desc())))


def load_published(boards: Leaderboards, session: Session, round_id: int, version: int) -> int:
    """(Re)load a published version's rows into its family; how many."""
    result = session.scalar(select(PublishedResult).where(PublishedResult.round_id == round_id,
                                                          PublishedResult.version == version))
    family = published_family(round_id, version)
    ranking = Ranking(parse_tie_breaks(result.tie_breaks or ()), final=True)
    layout = layout_for(ranking)
    units = unit_ancestors(session)
    rows = session.execute(select(PublishedRow).where(PublishedRow.result_id == result.id)
                           .order_by(PublishedRow.rank).execution_options(yield_per=20_000)).scalars()
    boards.store.clear(family)
    count = boards.store.load(family, (
        Placement(row.user_id, layout.encode(ranking.values_of(row.score, row.duration_ms, epoch_ms(row.finished_at),
                                                               row.prediction_error), row.user_id),
                  units.get(row.unit_id, ()))
        for row in rows))
    boards.store.mark_ready(family)
    return count


# -- organiser actions -----------------------------------------------------------------------------------------


def freeze(session: Session, boards: Leaderboards, *, round_id: int, actor_id: int | None, now: datetime) -> None:
    """Freeze the round's public boards as they are now; organisers keep seeing the live ones."""
    round_ = _round(session, round_id)
    if session.get(BoardFreeze, round_id) is not None:
        raise DomainError("conflict", _l("The boards of this round are already frozen."))
    if latest_version(session, round_id) is not None:
        raise DomainError("conflict", _l("The results of this round are published: there is nothing to freeze."))
    boards.ensure_round(session, round_id)
    session.add(BoardFreeze(round_id=round_id, frozen_at=now, frozen_by_id=actor_id))
    audit(session, actor_id=actor_id, action="board.freeze", now=now, target_type="round", target_id=round_id,
          details={"round": round_.title})
    session.commit()
    family = frozen_family(round_id)
    boards.store.copy(family_of_round(round_id), family)
    boards.store.mark_ready(family)
    contest_round_frozen(session, boards, contest_id=round_.contest_id, round_id=round_id, round_family=family)
    boards.views.clear()


def unfreeze(session: Session, boards: Leaderboards, *, round_id: int, actor_id: int | None, now: datetime) -> None:
    round_ = _round(session, round_id)
    frozen = session.get(BoardFreeze, round_id)
    if frozen is None:
        raise DomainError("conflict", _l("The boards of this round are not frozen."))
    session.delete(frozen)
    audit(session, actor_id=actor_id, action="board.unfreeze", now=now, target_type="round", target_id=round_id,
          details={"round": round_.title, "frozen_at": frozen.frozen_at.isoformat()})
    session.commit()
    boards.store.clear(frozen_family(round_id))
    contest_cut_changed(session, boards, contest_id=round_.contest_id)
    boards.views.clear()


def review(session: Session, round_id: int, questions, *, now: datetime) -> FinalRanking:
    """The final ranking as it would be published now (with the voided questions of the latest version)."""
    round_ = _closed(session, round_id, now)
    latest = latest_version(session, round_id)
    return compute_final(session, round_, questions, voided=latest.voided if latest else ())


def publish(session: Session, boards: Leaderboards, questions, *, round_id: int, actor_id: int | None,
            reason: str, now: datetime, void: tuple[int, ...] = ()) -> PublishedResult:
    """Compute the final ranking and publish it as the next version; ``void`` adds questions voided by a
    correction (they stay voided in every later version). Audited as ``results.publish`` or
    ``results.correct``."""
    round_ = _closed(session, round_id, now)
    reason = (reason or "").strip()
    latest = latest_version(session, round_id)
    if void:
        if latest is None:
            raise DomainError("conflict", _l("Publish the results before correcting them."))
        if not reason:
            raise DomainError("validation", _l("Say why the question is voided (the appeal)."),
                              fields={"reason": _l("Say why the question is voided (the appeal).")})
        _check_questions(session, round_id, void)
    elif latest is not None and not reason:
        raise DomainError("validation", _l("Say why a new version is published."),
                          fields={"reason": _l("Say why a new version is published.")})
    voided = sorted(set(latest.voided if latest else ()) | set(void))
    final = compute_final(session, round_, questions, voided=voided)
    version = (latest.version if latest else 0) + 1
    result = PublishedResult(round_id=round_id, version=version, created_at=now, created_by_id=actor_id,
                             reason=reason, tie_breaks=[str(tb) for tb in final.tie_breaks],
                             target=final.target.value, true_value=final.true_value, voided=voided,
                             entrants=len(final.rows))
    session.add(result)
    session.flush()
    for start in range(0, len(final.rows), INSERT_CHUNK):
        session.execute(insert(PublishedRow), [
            {"result_id": result.id, "rank": row.rank, "user_id": row.user_id, "attempt_id": row.attempt_id,
             "unit_id": row.unit_id, "score": row.score, "max_score": row.max_score, "prediction": row.prediction,
             "prediction_error": row.prediction_error, "duration_ms": row.duration_ms,
             "finished_at": row.finished_at, "attempts": row.attempts}
            for row in final.rows[start:start + INSERT_CHUNK]])
    audit(session, actor_id=actor_id, action="results.correct" if void else "results.publish", now=now,
          target_type="round", target_id=round_id,
          details={"round": round_.title, "version": version, "reason": reason, "voided": voided,
                   "added_voided": sorted(set(void)), "entrants": len(final.rows), "true_value": final.true_value})
    session.commit()
    load_published(boards, session, round_id, version)
    contest_cut_changed(session, boards, contest_id=round_.contest_id)
    boards.views.clear()
    return result


def _round(session: Session, round_id: int) -> Round:
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    return round_


def _closed(session: Session, round_id: int, now: datetime) -> Round:
    round_ = _round(session, round_id)
    if round_.status(now) != "closed":
        raise DomainError("conflict", _l("The final ranking is computed once the round has closed."))
    return round_


def _check_questions(session: Session, round_id: int, question_ids: tuple[int, ...]) -> None:
    known = set(session.scalars(select(Question.id).where(Question.id.in_(question_ids))))
    missing = sorted(set(question_ids) - known)
    if missing:
        raise DomainError("validation", _l("There is no question %(ids)s.", ids=", ".join(map(str, missing))),
                          fields={"questions": _l("There is no question %(ids)s.", ids=", ".join(map(str, missing)))})
    used = session.scalar(select(func.count()).select_from(Attempt)
                          .where(Attempt.round_id == round_id, Attempt.status != Status.IN_PROGRESS))
    if not used:
        raise DomainError("conflict", _l("No attempt of this round has been finalised."))
