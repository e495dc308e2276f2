"""Every family of boards the store keeps, by name, and which one a reader sees now.

A *family* is every board of one ranking (see ``interface``):
* ``r12``: round 12 **live**, kept by every finalised attempt; organisers always read it;
* ``r12f``: round 12 **frozen**, a copy of the live family taken when an organiser froze the boards (rebuilt from
  the attempts finalised by ``frozen_at`` if the store lost it);
* ``r12v3``: round 12's **published** version 3, loaded from its ``published_rows`` (the final ranking: prediction
  tie-break, corrections applied);
* ``c3``: contest 3 **live**, every finalised attempt of its rounds added up;
* ``c3p``: contest 3 as the **public** sees it while one of its rounds is frozen or published (``cutoffs``).

The public sees a round's latest published version over a freeze, a freeze over live; a contest's public family
while any of its rounds is cut, else the live one. Pure code: the caller reads the database (``reads``) and makes
the family ready (``boards``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contest.leaderboards.keys.cutoffs import FROZEN, LIVE, PUBLISHED, Cut, state_of
from contest.leaderboards.keys.ranking import Ranking


def family_of_round(round_id: int) -> str:
    return f"r{round_id}"


def frozen_family(round_id: int) -> str:
    return f"{family_of_round(round_id)}f"


def published_family(round_id: int, version: int) -> str:
    return f"{family_of_round(round_id)}v{version}"


def family_of_contest(contest_id: int) -> str:
    return f"c{contest_id}"


def public_family(contest_id: int) -> str:
    return f"{family_of_contest(contest_id)}p"


@dataclass(frozen=True)
class BoardView:
    """Which family a reader of a round's board sees, and the order its keys were encoded with."""

    round_id: int
    state: str  # live | frozen | published
    family: str
    ranking: Ranking
    version: int | None = None
    frozen_at: datetime | None = None


@dataclass(frozen=True)
class ContestView:
    """Which family a reader of a contest's board sees: ``live``, or ``frozen`` while a round is frozen."""

    contest_id: int
    state: str
    family: str


def live_round_view(round_id: int, ranking: Ranking) -> BoardView:
    """The round's live family, read by organisers and by the public while the round is neither frozen nor
    published."""
    return BoardView(round_id, LIVE, family_of_round(round_id), ranking)


def public_round_view(round_id: int, live_ranking: Ranking, *, published: tuple[int, Ranking] | None,
                      frozen_at: datetime | None) -> BoardView:
    """The round's public view: its latest ``published`` version ``(version, final ranking)`` if any, else its
    freeze at ``frozen_at`` if any, else live."""
    if published is not None:
        version, ranking = published
        return BoardView(round_id, PUBLISHED, published_family(round_id, version), ranking, version=version)
    if frozen_at is not None:
        return BoardView(round_id, FROZEN, frozen_family(round_id), live_ranking, frozen_at=frozen_at)
    return live_round_view(round_id, live_ranking)


def live_contest_view(contest_id: int) -> ContestView:
    """The contest's live family: every finalised attempt of its rounds."""
    return ContestView(contest_id, LIVE, family_of_contest(contest_id))


def public_contest_view(contest_id: int, cuts: dict[int, Cut]) -> ContestView:
    """The contest's public view given its rounds' ``cuts`` (``reads.public_cuts``)."""
    if not cuts:
        return live_contest_view(contest_id)
    return ContestView(contest_id, state_of(cuts)[0], public_family(contest_id))
