"""Item statistics from the database: a round's finalised (submitted or expired) attempts, streamed in chunks.

One SQL histogram of scores gives the upper and lower groups; then attempts are read in id order, a chunk at a
time, each chunk with its answers, and folded into integer counters per question (see ``item_stats``). Memory
grows with the number of questions, not of attempts. Pages do not call this: they read the rows ``stored_stats``
keeps (a national round takes minutes here).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from sqlalchemy import Text, cast, func, select, text
from sqlalchemy.orm import Session

from contest.attempts.models import Answer, Attempt, Status
from question_bank.item_stats import ItemStats, RoundAccumulator, score_groups
from question_bank.models import QuestionRevision

FINALISED = (Status.SUBMITTED, Status.EXPIRED)
CHUNK = 1000  # attempts per query (with their ~30 answers each)


def round_item_stats(session: Session, round_id: int, *, question_id: int | None = None, chunk: int = CHUNK,
                     pause: Callable[[], None] | None = None) -> dict[int, ItemStats]:
    """Statistics of every question given in the round (or of ``question_id`` only), by question id.

    ``pause`` runs after each chunk: a server passes one that ends the transaction and yields to other
    connections (see ``stored_stats``), so a big round does not hold the database or the event loop.
    """
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
        if pause is not None:
            pause()
    return accumulator.results()


def score_histogram(session: Session, round_id: int) -> dict[int, int]:
    """``{score: attempts}`` over the round's finalised attempts."""
    score = func.coalesce(Attempt.score, 0)
    rows = session.execute(select(score, func.count()).where(*_finalised(round_id)).group_by(score))
    return {int(value): count for value, count in rows}


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
