"""What the public sees of each round, as a cut-off on its attempts, for every public view computed from the
database (unit rankings, the entrants-over-time chart, the contest's public board). Pure code: the cut-offs are
read by ``reads.public_cuts``; here they become conditions and states.

A round is **live** (every finalised attempt counts), **frozen** (an organiser froze its boards and nothing is
published yet: only attempts finished by ``frozen_at`` count, as on the frozen board) or **published** (the rows of
its latest published version count, corrections included, and nothing else: an attempt finalised after the
publication is in no version). Organisers read the live data; only the public is cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_

from contest.attempts.models import Attempt

LIVE, FROZEN, PUBLISHED = "live", "frozen", "published"


@dataclass(frozen=True)
class Cut:
    """A round the public does not see live: published (``result_id`` and ``version`` of its latest version) or
    else frozen at ``frozen_at``."""

    round_id: int
    frozen_at: datetime | None = None
    result_id: int | None = None
    version: int | None = None

    @property
    def state(self) -> str:
        return PUBLISHED if self.result_id is not None else FROZEN

    def shows(self, finished_at: datetime) -> bool:
        """Whether an attempt of this round finished at ``finished_at`` counts for the public (published rounds
        count their published rows instead of attempts)."""
        return self.result_id is None and finished_at <= self.frozen_at


def state_of(cuts: dict[int, Cut], round_id: int | None = None) -> tuple[str, int | None]:
    """``(state, version)`` of a round's public view, or (no ``round_id``) of a contest's: ``frozen`` while one
    of its rounds is frozen and unpublished, else ``live`` (published rounds count their final results)."""
    if round_id is not None:
        cut = cuts.get(round_id)
        return (LIVE, None) if cut is None else (cut.state, cut.version)
    return (FROZEN if any(cut.state == FROZEN for cut in cuts.values()) else LIVE), None


def visible_attempts(cuts: dict[int, Cut]) -> list:
    """Conditions on ``Attempt`` keeping the attempts the public sees: none of a published round (its published
    rows stand for them), a frozen round's up to its ``frozen_at``."""
    published = [cut.round_id for cut in cuts.values() if cut.state == PUBLISHED]
    conditions = [Attempt.round_id.not_in(published)] if published else []
    conditions += [or_(Attempt.round_id != cut.round_id, Attempt.finished_at <= cut.frozen_at)
                   for cut in cuts.values() if cut.state == FROZEN]
    return conditions


def published_results(cuts: dict[int, Cut]) -> list[int]:
    """The ids of the published versions the public sees."""
    return [cut.result_id for cut in cuts.values() if cut.result_id is not None]
