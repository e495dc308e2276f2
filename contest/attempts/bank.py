"""Where attempts meet the question bank: drawing papers from a round's pool, and reading revisions.

Both are cached in the process. A round's pool (its active questions' current revisions, indexed by
blueprint cell) is loaded once and reused for every attempt start for ``pool_ttl_s`` seconds, so a start
costs one draw, not one bank query. Revisions never change once written, so they are cached for good.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.attempts.paper import PaperQuestion, Slot
from contest.errors import DomainError
from question_bank.drawing import Pool, PoolTooSmall, draw_paper
from question_bank.image_store import image_sizes, shown
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.pool import load_pool, round_pool
from question_bank.vocabulary import Difficulty, QuestionType


def blueprint_cells(blueprint: list[dict], count: int) -> dict | int:
    """A round's stored blueprint as ``draw_paper`` takes it: ``{(topic_id, difficulty): count}`` or a count."""
    if not blueprint:
        return count
    return {(cell["topic_id"], cell["difficulty"]): cell["count"] for cell in blueprint}


@dataclass
class BankPapers:
    pool_ttl_s: float = 60.0
    _pools: dict[int, tuple[float, Pool]] = field(default_factory=dict)
    _revisions: dict[int, PaperQuestion] = field(default_factory=dict)

    def draw(self, session: Session, round_, rng: random.Random, seen: frozenset[int]) -> tuple[Slot, ...]:
        """A fresh paper for ``round_``, avoiding the question ids in ``seen`` while the pool allows."""
        cached = self._pools.get(round_.id)
        if cached is None or time.monotonic() - cached[0] > self.pool_ttl_s:
            cached = self._pools[round_.id] = (time.monotonic(), round_pool(session, round_))
        try:
            drawn = draw_paper(cached[1], blueprint_cells(round_.blueprint, round_.question_count), rng, seen)
        except PoolTooSmall as short:
            raise DomainError("conflict", "; ".join(str(line) for line in describe(session, short))) from None
        questions = self.get_many(session, [q.revision_id for q in drawn])
        return tuple(Slot(q.question_id, q.revision_id, q.option_order, questions[q.revision_id].multiple)
                     for q in drawn)

    def shortfalls(self, session: Session, blueprint: list[dict], count: int, *, tags: frozenset[str] = frozenset(),
                   opens_at=None) -> list:
        """Why the round's pool (the active bank, narrowed by ``tags`` and without keys shown before
        ``opens_at``) cannot satisfy ``blueprint``: one message per short cell; empty when it can."""
        try:
            draw_paper(load_pool(session, tags=tags, opens_at=opens_at), blueprint_cells(blueprint, count),
                       random.Random(0))
        except PoolTooSmall as short:
            return describe(session, short)
        return []

    def get_many(self, session: Session, revision_ids: Sequence[int]) -> dict[int, PaperQuestion]:
        missing = [rid for rid in set(revision_ids) if rid not in self._revisions]
        if missing:
            rows = session.execute(
                select(QuestionRevision, Question.type).join(Question, Question.id == QuestionRevision.question_id)
                .where(QuestionRevision.id.in_(missing))
            ).all()
            # Pictures never change either: their sizes are cached with the revision that shows them.
            sizes = image_sizes(session, {name for revision, _kind in rows
                                          for name in (revision.image, *(o.get("image") for o in revision.options))
                                          if name})
            for revision, kind in rows:
                option_images = tuple((o["key"], image) for o in revision.options
                                      if (image := shown(sizes, o.get("image"))) is not None)
                self._revisions[revision.id] = PaperQuestion(
                    revision.id, revision.text, tuple((o["key"], o["text"]) for o in revision.options),
                    frozenset(revision.correct), kind == QuestionType.MULTIPLE, revision.explanation,
                    shown(sizes, revision.image, revision.image_alt or ""), option_images,
                )
        return {rid: self._revisions[rid] for rid in revision_ids}

    def forget_pools(self) -> None:
        self._pools.clear()


def describe(session: Session, short: PoolTooSmall) -> list:
    names = dict(session.execute(select(Topic.id, Topic.name)).all())
    lines = []
    for cell in short.shortages:
        if cell.topic == "*":
            lines.append(_l("the active bank has %(available)d questions, the round needs %(wanted)d",
                            available=cell.available, wanted=cell.wanted))
        else:
            lines.append(_l("%(topic)s, %(difficulty)s: needs %(wanted)d, has %(available)d (short by %(missing)d)",
                            topic=names.get(cell.topic, cell.topic), difficulty=Difficulty(cell.difficulty).label,
                            wanted=cell.wanted, available=cell.available, missing=cell.missing))
    return lines
