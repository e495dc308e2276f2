"""Computing a contest's fair-play signals from the database: a read service, in chunks of attempts so a national
round's hundred thousand attempts (two million answers) never sit in memory at once. The signals themselves are
``contest.fairplay.signals``; what is done with them is ``contest.fairplay.review``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Float, Text, cast, extract, func, select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Answer, Attempt, AttemptDevice
from contest.fairplay.models import FairplaySettings
from contest.fairplay.signals import AnswerFact, AttemptSummary, Thresholds, cross_findings, own_findings
from contest.rounds.models import Round
from question_bank.models import QuestionRevision

CHUNK = 5000  # attempts read at a time: their answers are about 20 times as many rows


def epoch_seconds(column, dialect: str):
    """``column`` (a timestamp) as epoch seconds computed by the database: a hundred thousand attempts' two million
    answers turned into datetimes and back in Python cost more than every signal together."""
    if dialect == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return cast(extract("epoch", column), Float)


def contest_thresholds(session: Session, contest_id: int) -> Thresholds:
    """The contest's thresholds: the defaults with what its organisers changed."""
    row = session.get(FairplaySettings, contest_id)
    return Thresholds.with_overrides(row.thresholds if row is not None else None)


def contest_summaries(session: Session, contest_id: int, *, now: datetime,
                      th: Thresholds | None = None) -> list[AttemptSummary]:
    """Every attempt of the contest with its findings (flagged or not: ``signals.flagged`` decides)."""
    th = th or contest_thresholds(session, contest_id)
    rounds = dict(session.execute(select(Round.id, Round.question_count).where(Round.contest_id == contest_id)).all())
    if not rounds:
        return []
    chars = _revision_lengths(session)
    summaries: list[AttemptSummary] = []
    devices: dict[int, set[str]] = defaultdict(set)
    addresses: dict[int, set[str]] = defaultdict(set)
    epoch_now = now.timestamp()
    connection = session.connection()  # Core rows: the ORM's per-row work is not needed here
    dialect = connection.dialect.name
    after = 0
    while True:
        attempts = connection.execute(
            select(Attempt.id, Attempt.user_id, Attempt.round_id, epoch_seconds(Attempt.started_at, dialect),
                   Attempt.duration_ms, Attempt.score, Attempt.max_score, Attempt.paper)
            .where(Attempt.round_id.in_(list(rounds)), Attempt.id > after).order_by(Attempt.id).limit(CHUNK)).all()
        if not attempts:
            break
        first, last = attempts[0][0], attempts[-1][0]
        after = last
        answers: dict[int, list] = defaultdict(list)
        # The choice as its stored text ('["A", "C"]'): compared, never looked into.
        for attempt_id, slot, choice, at in connection.execute(
                select(Answer.attempt_id, Answer.slot, cast(Answer.choice, Text),
                       epoch_seconds(Answer.answered_at, dialect))
                .where(Answer.attempt_id.between(first, last))):
            answers[attempt_id].append((at, slot, choice))
        ours = {row[0] for row in attempts}  # the id range may hold other contests' attempts too
        for attempt_id, device, address in connection.execute(
                select(AttemptDevice.attempt_id, AttemptDevice.device_id, AttemptDevice.address)
                .where(AttemptDevice.attempt_id.between(first, last))):
            if attempt_id in ours:
                devices[attempt_id].add(device)
                addresses[attempt_id].add(address)
        for attempt_id, user_id, round_id, started, duration_ms, score, max_score, paper in attempts:
            facts = []
            for at, slot, choice in sorted(answers.get(attempt_id, ())):
                if slot < len(paper) and choice != "[]":
                    item = paper[slot]
                    facts.append(AnswerFact(item["q"], chars.get(item["rev"], 0), choice, at))
            found, sequence = own_findings(
                started, facts, questions=len(paper) or rounds[round_id],
                duration_s=duration_ms / 1000 if duration_ms is not None else None, th=th, now=epoch_now)
            accuracy = score / max_score if score is not None and max_score else None
            summaries.append(AttemptSummary(attempt_id, user_id, round_id, started, accuracy, sequence, found))
    # Every registration from an address counts towards its burst, whether those accounts entered the contest or not.
    registrations = [(user_id, address, created.timestamp()) for user_id, address, created in session.execute(
        select(User.id, User.registered_address, User.created_at).where(User.registered_address.is_not(None)))]
    cross_findings(summaries, devices=devices, addresses=addresses, registrations=registrations, th=th)
    return summaries


def _revision_lengths(session: Session) -> dict[int, int]:
    """Characters to read per revision: its text and its options. Every revision of the bank (a few thousand
    rows), cheaper than finding those the papers show."""
    lengths = {}
    for revision_id, text, options in session.execute(
            select(QuestionRevision.id, QuestionRevision.text, QuestionRevision.options)):
        lengths[revision_id] = len(text) + sum(len(option.get("text", "")) for option in options or ())
    return lengths
