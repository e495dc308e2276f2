"""Attempt services: start, resume, answer, submit, and finalising overdue attempts.

Each function is one unit of work. Collaborators come in through ``rt`` (an ``AttemptRuntime``): the answer
writer, the in-memory attempt cache, the bank (papers and question revisions) and the notifier.
"""

from __future__ import annotations

import random
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contest.attempts import allowances, timing
from contest.attempts.answer_store import AnswerRow, StoreFailed
from contest.attempts.closed import Closed
from contest.attempts.devices import Client, named
from contest.attempts.models import Answer, Attempt, AttemptDevice, Status
from contest.attempts.paper import (
    PaperQuestion,
    Slot,
    client_answers,
    client_questions,
    paper_json,
    parse_choice,
    score,
    slots_from_json,
)
from contest.attempts.payloads import AnswerPayload
from contest.attempts.runtime import AttemptRuntime
from contest.attempts.state import AttemptState
from contest.db import release_connection
from contest.errors import DomainError
from contest.rounds.models import Round


def start_attempt(session: Session, rt: AttemptRuntime, *, user_id: int, round_id: int, now: datetime,
                  rng: random.Random, client: Client | None = None) -> dict:
    """Start an attempt (or return the one in progress): draw and store a paper, return it without the key.

    ``client``: the device asking; an attempt in progress on another device is taken over by it (``claim``)."""
    epoch = rt.cache.epoch  # before the round is read: a pause from now on is not missed by the cached copy
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    if round_.status(now) != "open":
        raise DomainError("round_not_open")
    if round_.paused_at is not None:
        raise DomainError("round_paused")
    earlier = list(session.scalars(select(Attempt).where(Attempt.round_id == round_id, Attempt.user_id == user_id)))
    current = next((a for a in earlier if a.status == Status.IN_PROGRESS), None)
    if current is not None:
        if timing.accepts_answers(now, current.deadline, round_.grace_s):
            claim(session, rt, current, client, now=now)
            return _view(session, rt, current, round_, now, epoch=epoch)
        _finalise(session, rt, current, now, Status.EXPIRED)

    # Extra attempts are read only once the round's own are used up: nearly every start skips the query.
    if (len(earlier) >= round_.attempts_allowed
            and len(earlier) >= round_.attempts_allowed + allowances.extra_attempts(session, round_id, user_id)):
        raise DomainError("attempt_limit")
    seen = frozenset(item["q"] for attempt in earlier for item in attempt.paper)
    slots = rt.bank.draw(session, round_, rng, seen)
    attempt = Attempt(round_id=round_id, user_id=user_id, number=len(earlier) + 1, status=Status.IN_PROGRESS,
                      paper=paper_json(slots), started_at=now, max_score=len(slots),
                      deadline=timing.adjusted_deadline(now, round_.time_limit_s, round_.closes_at,
                                                        grace_s=round_.grace_s,
                                                        extra_s=allowances.extra_seconds(session, round_id, user_id)),
                      device_id=client.device if client is not None else None, device_changes=0)
    session.add(attempt)
    try:
        session.flush()
        if client is not None:
            session.add(_device_row(attempt.id, client, now, took_over=False))
        # built before commit expires the objects
        view = _view(session, rt, attempt, round_, now, answers={}, epoch=epoch)
        session.commit()
    except IntegrityError:
        # A concurrent start by the same entrant won: the database allows one attempt in progress and one
        # row per attempt number.
        session.rollback()
        current = _in_progress(session, round_id, user_id)
        if current is None:
            raise DomainError("attempt_limit") from None
        claim(session, rt, current, client, now=now)
        return _view(session, rt, current, round_, now)
    return view


def resume_attempt(session: Session, rt: AttemptRuntime, *, user_id: int, attempt_id: int, now: datetime,
                   client: Client | None = None, takeover: bool = True) -> dict:
    """The attempt's paper with every stored answer; finalised first if its time is over.

    ``client``: the device asking, which takes the attempt over from another device (``claim``); with
    ``takeover`` false (a page catching up after a reconnect) another device's attempt is refused instead."""
    epoch = rt.cache.epoch
    attempt = owned_attempt(session, attempt_id=attempt_id, user_id=user_id)
    round_ = session.get(Round, attempt.round_id)
    if (attempt.status == Status.IN_PROGRESS and round_.paused_at is None
            and not timing.accepts_answers(now, attempt.deadline, round_.grace_s)):
        _finalise(session, rt, attempt, now, Status.EXPIRED)  # while paused its time is not over: it stops too
    claim(session, rt, attempt, client, now=now, takeover=takeover)
    return _view(session, rt, attempt, round_, now, epoch=epoch)


def claim(session: Session, rt: AttemptRuntime, attempt: Attempt, client: Client | None, *, now: datetime,
          takeover: bool = True) -> None:
    """Make ``client``'s device the one an attempt in progress belongs to, recording the change; the device it
    had is told at once (``notifier.attempt_taken_over``) and its answers are refused from then on. A client that
    names no device does not take an attempt from one that did: it may read it, and its answers are refused.

    The change is one conditional update on the device read, so two devices taking over at once end with one
    owner and both changes counted."""
    for _ in range(3):
        if client is None or attempt.status != Status.IN_PROGRESS or attempt.device_id == client.device:
            return
        previous = attempt.device_id
        if previous is not None and named(previous) and not named(client.device):
            return  # a client naming no device (a script's GET) reads the attempt; it takes it from no page
        if previous is not None and not takeover:
            raise DomainError("attempt_taken_over")
        changed = session.execute(
            update(Attempt).where(Attempt.id == attempt.id, Attempt.status == Status.IN_PROGRESS,
                                  Attempt.device_id.is_(None) if previous is None else Attempt.device_id == previous)
            .values(device_id=client.device, device_changes=Attempt.device_changes + int(previous is not None))
        ).rowcount
        if changed:
            session.add(_device_row(attempt.id, client, now, took_over=previous is not None))
        session.commit()
        session.refresh(attempt)
        if changed:
            state = rt.cache.get(attempt.id)
            if state is not None:
                state.device = client.device
            if previous is not None:
                release_connection(session)  # emitting may yield to other greenlets: hold no connection meanwhile
                rt.notifier.attempt_taken_over(attempt.id, previous)
            return


def _device_row(attempt_id: int, client: Client, now: datetime, *, took_over: bool) -> AttemptDevice:
    return AttemptDevice(attempt_id=attempt_id, device_id=client.device, at=now, took_over=took_over,
                         agent=client.agent, address=client.address)


def record_answer(session: Session, rt: AttemptRuntime, *, user_id: int, answer: AnswerPayload, now: datetime,
                  via: str = "ws", device: str | None = None, fresh_device: bool = False) -> dict:
    """Validate and durably store one answer; ``{slot, seq}`` once it is committed.

    The hot path: the attempt comes from the in-memory cache (the session is touched only on a miss) and
    the write joins the group commit. ``device``: the sender's, refused (``attempt_taken_over``) unless the attempt
    belongs to it; ``fresh_device``: read the attempt's device from the database first, as another process may
    have changed it (the HTTP path, a connection not yet in the attempt's holder room).
    """
    state = rt.cache.get(answer.attempt_id)
    if state is None:
        state = load_state(session, rt, answer.attempt_id)
    elif fresh_device and device is not None:
        state.device = session.scalar(select(Attempt.device_id).where(Attempt.id == answer.attempt_id))
    if state is None:
        raise DomainError("not_found", _l("There is no such attempt."))
    keys = checked_choice(state, user_id=user_id, answer=answer, now=now, device=device)
    release_connection(session)  # hold no database connection while waiting for the group commit
    return store_answer(rt, answer, keys, now=now, via=via)


def checked_choice(state: AttemptState, *, user_id: int, answer: AnswerPayload, now: datetime,
                   device: str | None = None) -> tuple[str, ...]:
    """The answer's option keys, once the attempt is the user's, open, on the sender's ``device`` (when given), its
    round not paused, in time and has that question; pure."""
    if state.user_id != user_id:
        raise DomainError("forbidden", _l("This attempt is not yours."))
    if not state.open:
        raise DomainError("attempt_closed")
    if device is not None and state.device is not None and device != state.device:
        raise DomainError("attempt_taken_over")
    if state.paused:
        raise DomainError("round_paused")
    if not timing.accepts_answers(now, state.deadline, state.grace_s):
        raise DomainError("deadline_passed")
    if answer.slot >= len(state.slots):
        raise DomainError("bad_request", _l("The paper has no question %(slot)d.", slot=answer.slot))
    keys = parse_choice(state.slots[answer.slot], answer.choice)
    if keys is None:
        raise DomainError("invalid_choice")
    return keys


def store_answer(rt: AttemptRuntime, answer: AnswerPayload, keys: tuple[str, ...], *, now: datetime,
                 via: str = "ws") -> dict:
    """Store a checked answer through the group commit; ``{slot, seq}`` once it is durable."""
    try:
        rt.writer.store(AnswerRow(answer.attempt_id, answer.slot, keys, answer.seq, now, via))
    except StoreFailed:
        raise DomainError("unavailable") from None
    return {"slot": answer.slot, "seq": answer.seq}


def submit_attempt(session: Session, rt: AttemptRuntime, *, user_id: int, attempt_id: int,
                   prediction: int | None, now: datetime) -> dict:
    """Score and close the attempt; submitting again returns the same result. While its round is paused it is
    refused (``round_paused``): the cached state says so at once, the conditional update in ``_finalise`` in any
    case."""
    attempt = owned_attempt(session, attempt_id=attempt_id, user_id=user_id)
    if attempt.status != Status.IN_PROGRESS:
        return result_of(attempt)
    state = rt.cache.get(attempt_id)
    if state is not None and state.paused:
        raise DomainError("round_paused")
    if rt.writer.has_pending(attempt_id):
        release_connection(session)  # the writer may need the connection to finish the barrier
        try:
            rt.writer.barrier()  # every answer sent before the submit is in the database
        except StoreFailed:
            raise DomainError("unavailable", _l("The server is busy: the attempt is not submitted yet. "
                                                "Please try again.")) from None
    closed = _finalise(session, rt, attempt, now, Status.SUBMITTED, prediction)
    if closed is None:  # another process or the sweeper finalised it first: theirs is the result
        attempt = session.get(Attempt, attempt_id, populate_existing=True)
        return result_of(attempt)
    return result_of(closed)


def finalise_overdue(session: Session, rt: AttemptRuntime, *, now: datetime, limit: int = 1000) -> int:
    """Finalise attempts whose deadline plus grace has passed, submitted or not; the sweeper's unit of work. The
    attempts of a paused round are left alone: their time is not running."""
    release_connection(session)
    rt.writer.barrier()
    rows = session.execute(
        select(Attempt, Round).join(Round, Round.id == Attempt.round_id)
        .where(Attempt.status == Status.IN_PROGRESS, Attempt.deadline < now, Round.paused_at.is_(None))
        .order_by(Attempt.deadline).limit(limit)
    ).all()
    closed = 0
    for attempt, round_ in rows:
        if not timing.accepts_answers(now, attempt.deadline, round_.grace_s):
            try:
                closed += _finalise(session, rt, attempt, now, Status.EXPIRED) is not None
            except DomainError:  # paused since the rows were read: resuming moves its deadline
                continue
    return closed


def result_of(attempt) -> dict:
    """What the entrant is told of a finalised attempt (an ``Attempt`` or a ``Closed``)."""
    return {"score": attempt.score, "max_score": attempt.max_score, "duration_ms": attempt.duration_ms}


def _finalise(session: Session, rt: AttemptRuntime, attempt: Attempt, now: datetime, status: Status,
              prediction: int | None = None) -> Closed | None:
    """Score and close ``attempt`` unless someone else (another process, the sweeper) already did; what was
    written, or None when it was someone else. Never while its round is paused (``round_paused``): the condition
    is in the update itself, so a pause committed a moment ago stops a submit or the sweeper all the same."""
    questions, slots = attempt_paper(session, rt, attempt)
    answers = _answers(session, attempt.id)
    finished_at = min(now, attempt.deadline) if status == Status.SUBMITTED else attempt.deadline
    closed = Closed(attempt.id, attempt.user_id, attempt.round_id, score(slots, answers, questions),
                    attempt.max_score, timing.duration_ms(attempt.started_at, finished_at, attempt.deadline,
                                                          round_pauses(session, rt, attempt.round_id)),
                    finished_at)
    changed = session.execute(
        update(Attempt).where(Attempt.id == closed.id, Attempt.status == Status.IN_PROGRESS,
                              ~select(Round.id).where(Round.id == Attempt.round_id, Round.paused_at.is_not(None))
                              .exists())
        .values(status=status, finished_at=finished_at, score=closed.score, duration_ms=closed.duration_ms,
                prediction=prediction)
    ).rowcount
    session.commit()
    if not changed and session.scalar(select(Attempt.status).where(Attempt.id == closed.id)) == Status.IN_PROGRESS:
        raise DomainError("round_paused")  # still open: its round was paused
    rt.cache.close(closed.id)
    if not changed:
        return None
    payload = {"attempt_id": closed.id, "reason": "submitted" if status == Status.SUBMITTED else "deadline",
               "result": result_of(closed)}
    rt.boards.attempt_finalised(session, closed)
    release_connection(session)  # emitting may yield to other greenlets: hold no connection meanwhile
    rt.notifier.attempt_closed(closed.user_id, payload)
    return closed


def round_pauses(session: Session, rt: AttemptRuntime, round_id: int) -> tuple[timing.Pause, ...]:
    """The round's pauses so far, kept per process until the round changes (``AttemptCache.forget_round``): a
    submit reads them from memory, not the database."""
    kept = rt.cache.pauses(round_id)
    if kept is None:
        epoch = rt.cache.epoch
        kept = tuple(allowances.pauses(session, round_id))
        rt.cache.keep_pauses(round_id, kept, epoch=epoch)
    return kept


def owned_attempt(session: Session, *, attempt_id: int, user_id: int) -> Attempt:
    """The attempt if it is the entrant's own: ``not_found`` if there is none, ``forbidden`` if it is another's."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise DomainError("not_found", _l("There is no such attempt."))
    if attempt.user_id != user_id:
        raise DomainError("forbidden", _l("This attempt is not yours."))
    return attempt


def _in_progress(session: Session, round_id: int, user_id: int) -> Attempt | None:
    return session.scalar(select(Attempt).where(Attempt.round_id == round_id, Attempt.user_id == user_id,
                                                Attempt.status == Status.IN_PROGRESS))


def _answers(session: Session, attempt_id: int) -> dict[int, list[str]]:
    rows = session.execute(select(Answer.slot, Answer.choice).where(Answer.attempt_id == attempt_id))
    return {slot: choice for slot, choice in rows}


def load_state(session: Session, rt: AttemptRuntime, attempt_id: int) -> AttemptState | None:
    """What the answer path knows of an attempt, read from the database and kept in the cache."""
    epoch = rt.cache.epoch
    row = session.execute(
        select(Attempt, Round.grace_s, Round.paused_at).join(Round, Round.id == Attempt.round_id)
        .where(Attempt.id == attempt_id)
    ).first()
    if row is None:
        return None
    attempt, grace_s, paused_at = row
    return _remember(rt, attempt, grace_s, attempt_paper(session, rt, attempt)[1], paused=paused_at is not None,
                     epoch=epoch)


def attempt_paper(session: Session, rt: AttemptRuntime, attempt: Attempt) -> tuple[dict[int, PaperQuestion],
                                                                                     tuple[Slot, ...]]:
    """The revisions an attempt's paper shows, and its slots."""
    questions = rt.questions.get_many(session, [item["rev"] for item in attempt.paper])
    return questions, slots_from_json(attempt.paper, questions)


def _remember(rt: AttemptRuntime, attempt: Attempt, grace_s: int, slots: tuple[Slot, ...], *, paused: bool,
              epoch: int | None = None) -> AttemptState:
    state = AttemptState(attempt.id, attempt.user_id, attempt.round_id, attempt.deadline, grace_s, slots,
                         open=attempt.status == Status.IN_PROGRESS, device=attempt.device_id, paused=paused)
    rt.cache.put(state, epoch=epoch)
    return state


def _view(session: Session, rt: AttemptRuntime, attempt: Attempt, round_: Round, now: datetime,
          answers: dict | None = None, epoch: int | None = None) -> dict:
    questions, slots = attempt_paper(session, rt, attempt)
    if attempt.status == Status.IN_PROGRESS:
        _remember(rt, attempt, round_.grace_s, slots, paused=round_.paused_at is not None, epoch=epoch)
    view = {
        "id": attempt.id, "round_id": attempt.round_id, "number": attempt.number, "status": attempt.status.value,
        "deadline": timing.epoch_ms(attempt.deadline), "server_now": timing.epoch_ms(now),
        "questions": client_questions(slots, questions),
        "answers": client_answers(slots, _answers(session, attempt.id) if answers is None else answers),
        "prediction": round_.prediction.value,
        "paused": round_.paused_at is not None,
        # when its clock stopped: what was left then is what the page shows until the resume
        "paused_at": timing.epoch_ms(round_.paused_at) if round_.paused_at is not None else None,
    }
    if attempt.status != Status.IN_PROGRESS:
        view["result"] = result_of(attempt)
    return view
