"""The final ranking of a closed round, to review and to publish as a version; a correction (a question voided
after an appeal) publishes a new version, since published versions are never changed. The public then reads the
latest version's family (``stores.families``). Each publication is one unit of work with an audit entry (who, when,
why) committed with the rows it publishes.

What follows from a new version in packages above this one (the prizes, recomputed from it) registers with
``on_published``; each such hook runs after the version is committed and the boards reloaded, in its own unit of
work, so a failing hook never takes a publication back (it is logged and the next publication runs it again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from contest.attempts.models import Attempt, Status
from contest.audit.service import record as audit
from contest.errors import DomainError
from contest.leaderboards import reads
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.results.final import FinalRanking, compute_final
from contest.rounds.models import Round
from contest.units.service import stored_paths
from question_bank.models import Question

INSERT_CHUNK = 5000
log = logging.getLogger(__name__)
# name -> hook(session, result, actor_id=..., now=...): what runs after each publication (``on_published``).
PUBLISHED_HOOKS: dict[str, Callable] = {}


def on_published(name: str, hook: Callable) -> None:
    """Run ``hook(session, result, actor_id=, now=)`` after every publication (a correction too); registering the
    same name again replaces the hook."""
    PUBLISHED_HOOKS[name] = hook


def review(session: Session, round_id: int, questions, *, now: datetime) -> FinalRanking:
    """The final ranking as it would be published now (with the voided questions of the latest version)."""
    round_ = _closed(session, round_id, now)
    latest = reads.latest_version(session, round_id)
    return compute_final(session, round_, questions, voided=latest.voided if latest else ())


def publish(session: Session, boards: Leaderboards, questions, *, round_id: int, actor_id: int | None,
            reason: str, now: datetime, void: tuple[int, ...] = ()) -> PublishedResult:
    """Compute the final ranking and publish it as the next version; ``void`` adds questions voided by a
    correction (they stay voided in every later version). Audited as ``results.publish`` or
    ``results.correct``."""
    round_ = _closed(session, round_id, now)
    reason = (reason or "").strip()
    latest = reads.latest_version(session, round_id)
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
    # The tree of today, kept with each row: a later move, rename or merge leaves this version as it is.
    paths = stored_paths(session, {row.unit_id for row in final.rows if row.unit_id is not None})
    for start in range(0, len(final.rows), INSERT_CHUNK):
        session.execute(insert(PublishedRow), [
            {"result_id": result.id, "rank": row.rank, "user_id": row.user_id, "attempt_id": row.attempt_id,
             "unit_id": row.unit_id, "unit_path": paths.get(row.unit_id, []), "score": row.score,
             "max_score": row.max_score, "prediction": row.prediction, "prediction_error": row.prediction_error,
             "duration_ms": row.duration_ms, "finished_at": row.finished_at, "attempts": row.attempts}
            for row in final.rows[start:start + INSERT_CHUNK]])
    audit(session, actor_id=actor_id, action="results.correct" if void else "results.publish", now=now,
          target_type="round", target_id=round_id,
          details={"round": round_.title, "version": version, "reason": reason, "voided": voided,
                   "added_voided": sorted(set(void)), "entrants": len(final.rows), "true_value": final.true_value})
    session.commit()
    boards.load_published(session, round_id, version)
    boards.public_contest_changed(session, round_.contest_id)
    boards.forget_views()
    for name, hook in list(PUBLISHED_HOOKS.items()):
        try:
            hook(session, result, actor_id=actor_id, now=now)
        except Exception:
            session.rollback()
            log.exception("after publishing round %s version %s: %s failed", round_id, version, name)
    return result


def _closed(session: Session, round_id: int, now: datetime) -> Round:
    round_ = reads.round_or_error(session, round_id)
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
