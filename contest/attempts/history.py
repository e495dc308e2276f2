"""What an entrant sees of their own attempts: their rounds with attempts used and best result, one attempt's
result, and its review (correct answers and explanations) when the round's review setting allows.

Units of work: the session and ``now`` come in. Only a review commits, to record which keys it showed
(``key_guard.mark_shown``); a question another live round can draw is reviewed without its key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.attempts import allowances, timing
from contest.attempts.models import Answer, Attempt, Status
from contest.attempts.paper import LABELS
from contest.attempts.runtime import AttemptRuntime
from contest.attempts.service import attempt_paper, owned_attempt
from contest.errors import DomainError
from contest.rounds.models import Contest, Review, Round
from question_bank import key_guard
from question_bank.media import ShownImage


@dataclass(frozen=True)
class AttemptSummary:
    id: int
    number: int
    status: str
    score: int | None
    max_score: int
    duration_ms: int | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class EntrantRound:
    """One round as its entrant sees it in their list."""

    id: int
    contest_title: str
    title: str
    status: str  # upcoming | open | closed
    opens_at: datetime
    closes_at: datetime
    time_limit_s: int
    question_count: int
    attempts_allowed: int
    attempts_used: int
    in_progress: int | None  # the attempt to continue, if any
    can_start: bool
    best: AttemptSummary | None
    attempts: tuple[AttemptSummary, ...] = ()


@dataclass
class EntrantRounds:
    open: list[EntrantRound] = field(default_factory=list)
    upcoming: list[EntrantRound] = field(default_factory=list)
    done: list[EntrantRound] = field(default_factory=list)


def best_key(attempt: AttemptSummary) -> tuple:
    """Sort key of a finished attempt, best first: highest score, then shortest duration, then earliest finish."""
    never = float("inf")
    return (-(attempt.score or 0), never if attempt.duration_ms is None else attempt.duration_ms,
            never if attempt.finished_at is None else attempt.finished_at.timestamp())


def best_attempt(attempts: Iterable[AttemptSummary]) -> AttemptSummary | None:
    finished = [a for a in attempts if a.status != Status.IN_PROGRESS and a.score is not None]
    return min(finished, key=best_key) if finished else None


def entrant_rounds(session: Session, *, user_id: int, now: datetime) -> EntrantRounds:
    """The entrant's rounds: open (soonest to close first), upcoming (soonest first) and done (closed rounds,
    latest first), each with attempts used and allowed, the attempt to continue and the best result."""
    rounds = session.execute(select(Round, Contest.title).join(Contest, Contest.id == Round.contest_id)).all()
    rows = session.execute(
        select(Attempt.round_id, Attempt.id, Attempt.number, Attempt.status, Attempt.score, Attempt.max_score,
               Attempt.duration_ms, Attempt.started_at, Attempt.finished_at, Attempt.deadline)
        .where(Attempt.user_id == user_id).order_by(Attempt.number)
    ).all()
    grace = {round_.id: round_.grace_s for round_, _ in rounds}
    attempts: dict[int, list[AttemptSummary]] = {}
    live: dict[int, int] = {}
    for row in rows:
        attempts.setdefault(row.round_id, []).append(AttemptSummary(
            row.id, row.number, Status(row.status).value, row.score, row.max_score, row.duration_ms,
            row.started_at, row.finished_at))
        if row.status == Status.IN_PROGRESS and timing.accepts_answers(now, row.deadline, grace[row.round_id]):
            live[row.round_id] = row.id
    listed = EntrantRounds()
    for round_, contest_title in rounds:
        state = round_.status(now)
        mine = attempts.get(round_.id, [])
        allowed = _allowed(session, round_, user_id, used=len(mine), now=now)
        item = EntrantRound(
            id=round_.id, contest_title=contest_title, title=round_.title, status=state, opens_at=round_.opens_at,
            closes_at=round_.closes_at, time_limit_s=round_.time_limit_s, question_count=round_.question_count,
            attempts_allowed=allowed, attempts_used=len(mine),
            in_progress=live.get(round_.id) if state == "open" else None,
            can_start=state == "open" and (round_.id in live or len(mine) < allowed),
            best=best_attempt(mine), attempts=tuple(mine),
        )
        {"open": listed.open, "upcoming": listed.upcoming, "closed": listed.done}[state].append(item)
    listed.open.sort(key=lambda r: (r.closes_at, r.id))
    listed.upcoming.sort(key=lambda r: (r.opens_at, r.id))
    listed.done.sort(key=lambda r: (r.closes_at, r.id), reverse=True)
    return listed


@dataclass(frozen=True)
class AttemptResult:
    attempt: AttemptSummary
    round_id: int
    round_title: str
    contest_title: str
    round_status: str
    attempts_used: int
    attempts_allowed: int
    best: AttemptSummary | None
    review_open: bool
    review_message: str


def attempt_result(session: Session, *, user_id: int, attempt_id: int, now: datetime) -> AttemptResult:
    """One of the entrant's attempts with its round, how many attempts remain, and whether review is open."""
    attempt = owned_attempt(session, user_id=user_id, attempt_id=attempt_id)
    round_ = session.get(Round, attempt.round_id)
    mine = [_summary(a) for a in session.scalars(
        select(Attempt).where(Attempt.round_id == round_.id, Attempt.user_id == user_id))]
    allowed, message = review_allowed(round_, attempt, now)
    return AttemptResult(
        attempt=_summary(attempt), round_id=round_.id, round_title=round_.title,
        contest_title=round_.contest.title, round_status=round_.status(now), attempts_used=len(mine),
        attempts_allowed=_allowed(session, round_, user_id, used=len(mine), now=now), best=best_attempt(mine),
        review_open=allowed,
        review_message=message,
    )


def _allowed(session: Session, round_: Round, user_id: int, *, used: int, now: datetime) -> int:
    """The attempts the entrant may take at the round: its ``attempts_allowed``, and the extra ones organisers
    gave (read only once the entrant has used the round's own, and while it is open)."""
    if used < round_.attempts_allowed or round_.status(now) != "open":
        return round_.attempts_allowed
    return round_.attempts_allowed + allowances.extra_attempts(session, round_.id, user_id)


def review_allowed(round_: Round, attempt: Attempt, now: datetime) -> tuple[bool, str]:
    """Whether ``attempt`` may be reviewed now under its round's policy, and if not, a message saying when."""
    if attempt.status == Status.IN_PROGRESS:
        return False, str(_l("Submit the attempt first; you can review it afterwards."))
    if round_.review == Review.NEVER:
        return False, str(_l("The organisers do not publish the answers of this round."))
    if round_.review == Review.AFTER_CLOSE and now < round_.closes_at:
        return False, str(_l("The correct answers are shown after the round closes."))
    return True, ""


@dataclass(frozen=True)
class ReviewOption:
    label: str
    text: str
    chosen: bool
    correct: bool | None  # None: the key is kept secret
    image: ShownImage | None = None


@dataclass(frozen=True)
class ReviewQuestion:
    number: int  # 1-based, as shown
    text: str
    multiple: bool
    options: tuple[ReviewOption, ...]
    answered: bool
    right: bool | None  # None: the key is kept secret (another live round can draw the question)
    explanation: str
    image: ShownImage | None = None

    @property
    def key_hidden(self) -> bool:
        return self.right is None


def attempt_review(session: Session, rt: AttemptRuntime, *, user_id: int, attempt_id: int,
                   now: datetime) -> list[ReviewQuestion]:
    """The attempt's paper with the entrant's answers, the correct answers and explanations, in the order shown.

    Raises ``DomainError("review_closed")`` with a message saying why when the round's review setting does not
    allow it yet (by default the answers are shown after the round closes)."""
    attempt = owned_attempt(session, user_id=user_id, attempt_id=attempt_id)
    round_ = session.get(Round, attempt.round_id)
    allowed, message = review_allowed(round_, attempt, now)
    if not allowed:
        raise DomainError("review_closed", message)
    questions, slots = attempt_paper(session, rt, attempt)
    answers = dict(session.execute(select(Answer.slot, Answer.choice).where(Answer.attempt_id == attempt.id)).all())
    # Under "right after submitting" the round's own organiser chose to show its keys; other rounds still count.
    exempt = round_.id if round_.review == Review.AFTER_SUBMIT else None
    secret = key_guard.secret_ids(session, [slot.question_id for slot in slots], now, exempt_round_id=exempt)
    review = []
    for number, slot in enumerate(slots):
        question = questions[slot.revision_id]
        texts, images = dict(question.options), dict(question.option_images)
        chosen = frozenset(answers.get(number, ()))
        hidden = slot.question_id in secret
        options = tuple(ReviewOption(LABELS[i], texts[key], key in chosen, None if hidden else key in question.correct,
                                     images.get(key))
                        for i, key in enumerate(slot.shown))
        review.append(ReviewQuestion(number + 1, question.text, slot.multiple, options, bool(chosen),
                                     None if hidden else chosen == question.correct,
                                     "" if hidden else question.explanation or "", question.image))
    key_guard.mark_shown(session, [slot.question_id for slot in slots if slot.question_id not in secret], now)
    return review


def _summary(attempt: Attempt) -> AttemptSummary:
    return AttemptSummary(attempt.id, attempt.number, Status(attempt.status).value, attempt.score,
                          attempt.max_score, attempt.duration_ms, attempt.started_at, attempt.finished_at)
