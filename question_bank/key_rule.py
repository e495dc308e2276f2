"""The answer-key rule, pure: a question's key may leave the server only when no round that can still draw it is
open or upcoming.

A round's pool is the active questions that match its blueprint cells (topic × difficulty, none: any) and its
tags (none: any), minus questions whose key was shown before the round opened (``key_shown_at``), which an
organiser can re-admit. Drawing uses ``drawable``; the rule uses ``may_draw``, which is wider on purpose:

* it ignores ``active``: a question deactivated mid-round is still on papers handed out before;
* it matches tags over every revision of the question, not only the current one, for the same reason;
* a round counts as live until ``closes_at + grace_s``, while answers in transit are still accepted.

So every question a live round could have put on a paper is secret, whatever edits happened since.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class KeyCandidate:
    """What the rule needs of a question. ``tags`` is the union over its revisions (``current_tags`` the current
    revision's only); ``key_shown_at`` is when its key was first shown to an entrant (None: never)."""

    question_id: int
    topic_id: int
    difficulty: str
    tags: frozenset[str]
    key_shown_at: datetime | None = None
    active: bool = True
    current_tags: frozenset[str] | None = None


@dataclass(frozen=True)
class RoundPool:
    """What the rule needs of a round: its window and the criteria of its pool."""

    round_id: int
    opens_at: datetime
    closes_at: datetime
    grace_s: int = 0
    cells: frozenset[tuple[int, str]] = frozenset()  # empty: every topic and difficulty
    tags: frozenset[str] = frozenset()  # empty: every tag (and none)

    @classmethod
    def of(cls, round_) -> RoundPool:
        """The pool of a stored ``Round``."""
        return cls(round_.id, round_.opens_at, round_.closes_at, round_.grace_s or 0,
                   frozenset((cell["topic_id"], cell["difficulty"]) for cell in round_.blueprint or ()),
                   frozenset(round_.pool_tags or ()))

    def live(self, now: datetime) -> bool:
        """Open or upcoming, or closed less than ``grace_s`` ago (answers in transit still count)."""
        return now < self.closes_at + timedelta(seconds=self.grace_s)

    def matches(self, question: KeyCandidate, tags: frozenset[str]) -> bool:
        if self.cells and (question.topic_id, question.difficulty) not in self.cells:
            return False
        if self.tags and not self.tags & tags:
            return False
        # A key shown before the round opened is known to its entrants: the round leaves the question out.
        return question.key_shown_at is None or question.key_shown_at >= self.opens_at


def drawable(pool: RoundPool, question: KeyCandidate) -> bool:
    """Whether the round hands ``question`` out on new papers now."""
    current = question.tags if question.current_tags is None else question.current_tags
    return question.active and pool.matches(question, current)


def may_draw(pool: RoundPool, question: KeyCandidate) -> bool:
    """Whether the round can have put ``question`` on a paper, at any time and under any of its revisions."""
    return pool.matches(question, question.tags)


def secret_ids(questions: Iterable[KeyCandidate], pools: Iterable[RoundPool], now: datetime, *,
               exempt_round_id: int | None = None) -> frozenset[int]:
    """The questions whose key must not be shown at ``now``: those a live round may draw.

    ``exempt_round_id`` is the round whose own review is being shown under "answers right after submitting":
    its organiser chose to reveal its questions to entrants who have submitted, so it alone does not keep them
    secret (any other live round drawing the same question still does)."""
    live = [pool for pool in pools if pool.live(now) and pool.round_id != exempt_round_id]
    return frozenset(q.question_id for q in questions if any(may_draw(pool, q) for pool in live))


def overlapping(pool: RoundPool, others: Iterable[RoundPool], questions: Iterable[KeyCandidate]) -> list[int]:
    """The ids of the other rounds that may draw at least one question ``pool`` may draw (a shared pool)."""
    mine = [q for q in questions if may_draw(pool, q)]
    return [other.round_id for other in others
            if other.round_id != pool.round_id and any(may_draw(other, q) for q in mine)]
