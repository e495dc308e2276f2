"""A round's final ranking: the prediction target's true value, then every entrant ranked with the prediction
tie-break (DESIGN.md §2), optionally with questions voided after an appeal.

A voided question is **counted correct for everyone who was given it**: an entrant is never blamed for a faulty
question, nobody loses a point they had, and the maximum score keeps meaning "every question". (Excluding it
instead would lower the maximum of only those whose drawn paper held it, and each paper is drawn on its own.)
Only attempts whose paper holds a voided question can change, so only those are rescored, from their stored
answers; every other attempt's stored score is already what a rescore from its stored answers gives.

``rank_entrants`` is pure (plain values in, rows out); ``compute_final`` reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Answer, Attempt, Status
from contest.attempts.timing import epoch_ms
from contest.leaderboards.keys.ranking import Ranking, Result, TieBreak
from contest.leaderboards.reads import not_disqualified, round_tie_breaks
from contest.rounds.models import Prediction, Round


@dataclass(frozen=True)
class Tried:
    """One finalised attempt as the final ranking needs it."""

    attempt_id: int
    user_id: int
    unit_id: int | None
    score: int
    max_score: int
    duration_ms: int
    finished_at: datetime
    prediction: int | None


@dataclass(frozen=True)
class FinalRow:
    rank: int
    user_id: int
    attempt_id: int
    unit_id: int | None
    score: int
    max_score: int
    prediction: int | None
    prediction_error: int | None
    duration_ms: int
    finished_at: datetime
    attempts: int


@dataclass(frozen=True)
class FinalRanking:
    round_id: int
    target: Prediction
    true_value: int | None
    tie_breaks: tuple[TieBreak, ...]
    voided: tuple[int, ...]
    rows: list[FinalRow]

    @property
    def ranking(self) -> Ranking:
        return Ranking(self.tie_breaks, final=True)


def true_value(target: Prediction, attempts: Iterable[Tried]) -> int | None:
    """The number the entrants guessed: entrants with full marks (any attempt), or entrants; None when off."""
    if target == Prediction.OFF:
        return None
    full, everyone = set(), set()
    for tried in attempts:
        everyone.add(tried.user_id)
        if tried.score >= tried.max_score:
            full.add(tried.user_id)
    return len(full) if target == Prediction.FULL_MARKS else len(everyone)


def rank_entrants(attempts: Sequence[Tried], ranking: Ranking, truth: int | None) -> list[FinalRow]:
    """Each entrant's best attempt under ``ranking`` (final: prediction error included), in order, ranked 1…n."""
    by_user: dict[int, list[Tried]] = {}
    for tried in attempts:
        by_user.setdefault(tried.user_id, []).append(tried)
    best = []
    for user_id, tries in by_user.items():
        keyed = []
        for tried in tries:
            error = None if truth is None or tried.prediction is None else abs(tried.prediction - truth)
            result = Result(user_id, tried.attempt_id, tried.score, tried.duration_ms, epoch_ms(tried.finished_at),
                            error)
            keyed.append((ranking.key(result), tried, error))
        key, tried, error = min(keyed, key=lambda item: item[0])
        best.append((key, tried, error, len(tries)))
    best.sort(key=lambda item: item[0])
    return [FinalRow(rank, t.user_id, t.attempt_id, t.unit_id, t.score, t.max_score, t.prediction, error,
                     t.duration_ms, t.finished_at, count)
            for rank, (_, t, error, count) in enumerate(best, start=1)]


def corrected_score(paper: Sequence[Mapping], answers: Mapping[int, Sequence[str]],
                    correct: Mapping[int, frozenset[str]], voided: frozenset[int]) -> int:
    """One point per slot answered exactly right by the key of its revision, or whose question is voided."""
    return sum(1 for slot, item in enumerate(paper)
               if item["q"] in voided or frozenset(answers.get(slot, ())) == correct[item["rev"]])


def compute_final(session: Session, round_: Round, questions, *, voided: Iterable[int] = ()) -> FinalRanking:
    """The final ranking of ``round_`` from its finalised attempts, a disqualified entrant's left out;
    ``questions`` reads revisions (``get_many(session, ids) -> {id: PaperQuestion}``, the attempts runtime's)."""
    voided = frozenset(voided)
    rows = session.execute(
        select(Attempt.id, Attempt.user_id, User.unit_id, Attempt.score, Attempt.max_score, Attempt.duration_ms,
               Attempt.finished_at, Attempt.prediction, Attempt.paper if voided else Attempt.id.label("paper"))
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.round_id == round_.id, Attempt.status != Status.IN_PROGRESS, Attempt.score.is_not(None),
               not_disqualified(round_.contest_id))
        .order_by(Attempt.id).execution_options(yield_per=10_000))
    attempts: list[Tried] = []
    touched: dict[int, list] = {}  # attempt id -> paper, for attempts holding a voided question
    for row in rows:
        attempts.append(Tried(row.id, row.user_id, row.unit_id, row.score, row.max_score, row.duration_ms or 0,
                              row.finished_at, row.prediction))
        if voided and any(item["q"] in voided for item in row.paper):
            touched[row.id] = row.paper
    if touched:
        attempts = _rescored(session, attempts, touched, questions, voided)
    tie_breaks = round_tie_breaks(session, round_.id)
    target = Prediction(round_.prediction)
    truth = true_value(target, attempts)
    ranking = Ranking(tie_breaks, final=True)
    return FinalRanking(round_.id, target, truth, tie_breaks, tuple(sorted(voided)),
                        rank_entrants(attempts, ranking, truth))


def _rescored(session: Session, attempts: list[Tried], touched: dict[int, list], questions,
              voided: frozenset[int]) -> list[Tried]:
    revisions = {item["rev"] for paper in touched.values() for item in paper}
    correct = {rev: q.correct for rev, q in questions.get_many(session, sorted(revisions)).items()}
    ids = sorted(touched)
    scores = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        answers = session.execute(select(Answer.attempt_id, Answer.slot, Answer.choice)
                                  .where(Answer.attempt_id.in_(chunk)).order_by(Answer.attempt_id))
        by_attempt = {attempt_id: {row.slot: row.choice for row in group}
                      for attempt_id, group in groupby(answers, key=lambda row: row.attempt_id)}
        for attempt_id in chunk:
            scores[attempt_id] = corrected_score(touched[attempt_id], by_attempt.get(attempt_id, {}), correct, voided)
    return [replace(t, score=scores[t.attempt_id]) if t.attempt_id in scores else t for t in attempts]
