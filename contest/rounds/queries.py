"""What the public pages read of contests: the current ones for ``/`` (their open and upcoming rounds and the next
moment to count down to), and a page of every contest for ``/contests``, newest first, searchable by title."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contest.rounds.models import Contest, ContestHome, Round
from contest.search_text import fold

RECENT_DAYS = 14  # a contest stays "current" this long after its last round closed: its results are read then
CURRENT_MAX = 10
CONTESTS_PAGE = 20


@dataclass(frozen=True)
class ContestCard:
    """A contest as a list shows it: its rounds, which are open and upcoming, the next moment (a round opening or
    closing) and its banner's hash."""

    contest: Contest
    rounds: list[Round]
    open: list[Round]
    upcoming: list[Round]
    next_at: datetime | None
    next_is_open: bool  # the next moment is a round opening (else one closing)
    banner_hash: str | None
    now: datetime

    @property
    def board_rounds(self) -> list[Round]:
        """The rounds whose boards exist: every round that has opened, the latest first."""
        return sorted((r for r in self.rounds if r.opens_at <= self.now), key=lambda r: r.opens_at, reverse=True)


def current_contests(session: Session, *, now: datetime, limit: int = CURRENT_MAX) -> list[ContestCard]:
    """Contests with a round open or upcoming, or whose last round closed within ``RECENT_DAYS``: those with the
    soonest next moment first, then the recently closed."""
    recent = now - timedelta(days=RECENT_DAYS)
    ids = list(session.scalars(select(Round.contest_id).group_by(Round.contest_id)
                               .having(func.max(Round.closes_at) > recent)))
    cards = _cards(session, ids, now)
    cards.sort(key=lambda card: (card.next_at is None, card.next_at or now, -card.contest.id))
    return cards[:limit]


@dataclass(frozen=True)
class ContestsPage:
    cards: list[ContestCard]
    page: int
    pages: int
    total: int


def contests_page(session: Session, *, now: datetime, text: str = "", page: int = 1,
                  per_page: int = CONTESTS_PAGE) -> ContestsPage:
    """Every contest, newest first, ``per_page`` at a time; ``text`` keeps those whose title holds every word of it
    (accents and case ignored)."""
    ids = list(session.execute(select(Contest.id, Contest.title).order_by(Contest.created_at.desc(),
                                                                          Contest.id.desc())))
    words = fold(text).split()
    if words:
        ids = [row for row in ids if all(word in fold(row.title) for word in words)]
    total = len(ids)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    chosen = [row.id for row in ids[(page - 1) * per_page:page * per_page]]
    cards = {card.contest.id: card for card in _cards(session, chosen, now)}
    return ContestsPage([cards[i] for i in chosen], page, pages, total)


def _cards(session: Session, ids: list[int], now: datetime) -> list[ContestCard]:
    if not ids:
        return []
    contests = {c.id: c for c in session.scalars(select(Contest).where(Contest.id.in_(ids)))}
    rounds: dict[int, list[Round]] = {i: [] for i in ids}
    for round_ in session.scalars(select(Round).where(Round.contest_id.in_(ids)).order_by(Round.opens_at, Round.id)):
        rounds[round_.contest_id].append(round_)
    banners = dict(session.execute(select(ContestHome.contest_id, ContestHome.banner_hash)
                                   .where(ContestHome.contest_id.in_(ids))).all())
    cards = []
    for contest_id in ids:
        listed = rounds[contest_id]
        open_ = [r for r in listed if r.status(now) == "open"]
        upcoming = [r for r in listed if r.status(now) == "upcoming"]
        moments = [(r.closes_at, False) for r in open_] + [(r.opens_at, True) for r in upcoming]
        next_at, next_is_open = min(moments, key=lambda m: m[0]) if moments else (None, False)
        cards.append(ContestCard(contests[contest_id], listed, open_, upcoming, next_at, next_is_open,
                                 banners.get(contest_id), now))
    return cards
