"""Item statistics from the database: a round's finalised (submitted or expired) attempts, streamed in chunks.

One SQL histogram of scores gives the upper and lower groups; then attempts are read in id order, a chunk at a
time, each chunk with its answers, and folded into integer counters per question (see ``item_stats``). Memory
grows with the number of questions, not of attempts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, func, select, text
from sqlalchemy.orm import Session

from contest.attempts.models import Answer, Attempt, Status
from contest.errors import DomainError
from contest.rounds.models import Contest, Round
from question_bank.item_stats import ItemStats, RoundAccumulator, score_groups
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.stats_export import StatsRow, write_stats
from question_bank.storage import CURRENT_REVISION

FINALISED = (Status.SUBMITTED, Status.EXPIRED)
CHUNK = 1000  # attempts per query (with their ~30 answers each)


@dataclass(frozen=True)
class RoundItemStats:
    round: Round
    contest_title: str
    attempts: int  # finalised attempts of the round
    stats: ItemStats


def round_item_stats(session: Session, round_id: int, *, question_id: int | None = None,
                     chunk: int = CHUNK) -> dict[int, ItemStats]:
    """Statistics of every question given in the round (or of ``question_id`` only), by question id."""
    return _round_item_stats(session, round_id, question_id, chunk)[1]


def _round_item_stats(session: Session, round_id: int, question_id: int | None,
                      chunk: int) -> tuple[int, dict[int, ItemStats]]:
    """The number of finalised attempts and the statistics."""
    histogram = score_histogram(session, round_id)
    accumulator = RoundAccumulator(score_groups(histogram), only=question_id)
    correct: dict[int, frozenset[str]] = {}
    for rows, answers in _chunks(session, round_id, question_id, chunk):
        revisions = {item["rev"] for _id, _score, paper in rows for item in paper} - correct.keys()
        if revisions:
            correct.update((rev, frozenset(keys)) for rev, keys in session.execute(
                select(QuestionRevision.id, QuestionRevision.correct).where(QuestionRevision.id.in_(revisions))))
        for attempt_id, score, paper in rows:
            accumulator.add_attempt(score=score, paper=paper, answers=answers.get(attempt_id, {}), correct=correct)
    return sum(histogram.values()), accumulator.results()


def score_histogram(session: Session, round_id: int) -> dict[int, int]:
    """``{score: attempts}`` over the round's finalised attempts."""
    score = func.coalesce(Attempt.score, 0)
    rows = session.execute(select(score, func.count()).where(*_finalised(round_id)).group_by(score))
    return {int(value): count for value, count in rows}


def question_round_stats(session: Session, question_id: int, *,
                         contest_ids: frozenset[int] | None = None) -> list[RoundItemStats]:
    """The question's statistics in each round it was given in (within ``contest_ids`` when given), by
    opening time. Each round costs a scan of its finalised attempts' papers (they are not indexed by question)."""
    question = session.get(Question, question_id)
    if question is None:
        return []
    stmt = (select(Round, Contest.title).join(Contest, Contest.id == Round.contest_id)
            .where(Round.closes_at >= question.created_at).order_by(Round.opens_at, Round.id))
    if contest_ids is not None:
        stmt = stmt.where(Round.contest_id.in_(contest_ids))
    found = []
    for round_, contest_title in session.execute(stmt).all():
        given = session.scalar(select(Attempt.id).where(*_finalised(round_.id), _paper_has(session, question_id))
                               .limit(1))
        if given is None:
            continue
        total, stats = _round_item_stats(session, round_.id, question_id, CHUNK)
        found.append(RoundItemStats(round_, contest_title, total, stats[question_id]))
    return found


def round_stats_rows(session: Session, round_id: int) -> list[StatsRow]:
    """One row per question given in the round, by question id, with the question's current text."""
    if session.get(Round, round_id) is None:
        raise DomainError("not_found", _l("There is no such round."))
    stats = round_item_stats(session, round_id)
    ids = list(stats)
    described: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = (select(Question.id, Topic.name, Question.difficulty, QuestionRevision.text)
                .join(QuestionRevision, CURRENT_REVISION).join(Topic, Topic.id == Question.topic_id)
                .where(Question.id.in_(ids[start:start + CHUNK])))
        described.update((qid, (topic, level.label, body)) for qid, topic, level, body in session.execute(stmt))
    return [StatsRow(qid, *described.get(qid, ("", "", "")), stats=stats[qid]) for qid in ids]


def export_round_stats(session: Session, round_id: int, fmt: str) -> tuple[bytes, int]:
    """The statistics file of a round and how many questions it holds."""
    rows = round_stats_rows(session, round_id)
    return write_stats(rows, fmt), len(rows)


def _finalised(round_id: int) -> tuple:
    return Attempt.round_id == round_id, Attempt.status.in_(FINALISED)


def _chunks(session: Session, round_id: int, question_id: int | None,
            chunk: int) -> Iterator[tuple[list[tuple[int, int, list]], dict[int, dict[int, frozenset[str]]]]]:
    """Keyset pages of ``(attempt id, score, paper)`` with the pages' answers ``{attempt id: {slot: keys}}``.

    Choices are read as JSON text and parsed once per distinct text (a round has few distinct choices and
    hundreds of thousands of answers: decoding each was most of the time).
    """
    parsed: dict[str, frozenset[str]] = {}
    after = 0
    while True:
        stmt = (select(Attempt.id, func.coalesce(Attempt.score, 0), Attempt.paper)
                .where(*_finalised(round_id), Attempt.id > after).order_by(Attempt.id).limit(chunk))
        if question_id is not None:
            stmt = stmt.where(_paper_has(session, question_id))
        rows = [tuple(row) for row in session.execute(stmt)]
        if not rows:
            return
        after = rows[-1][0]
        answers: dict[int, dict[int, frozenset[str]]] = {}
        for attempt_id, slot, raw in session.execute(
                select(Answer.attempt_id, Answer.slot, cast(Answer.choice, Text))
                .where(Answer.attempt_id.in_([row[0] for row in rows]))):
            choice = parsed.get(raw)
            if choice is None:
                choice = parsed[raw] = frozenset(json.loads(raw))
            answers.setdefault(attempt_id, {})[slot] = choice
        yield rows, answers
        if len(rows) < chunk:
            return


def _paper_has(session: Session, question_id: int):
    """SQL: the attempt's paper includes ``question_id`` (JSON functions of each backend)."""
    if session.get_bind().dialect.name == "postgresql":
        return text("CAST(attempts.paper AS jsonb) @> CAST(:has_q AS jsonb)").bindparams(
            has_q=f'[{{"q": {int(question_id)}}}]')
    return text("EXISTS (SELECT 1 FROM json_each(attempts.paper) WHERE json_extract(json_each.value, '$.q') = :has_q)"
                ).bindparams(has_q=int(question_id))
