"""What the prize pages, the entrant's result page and the certificates show of a round's latest award set:
each prize with its winner's name in the contest's style (``names.initials`` or the full name) and unit name, never
any contact detail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.leaderboards.queries.names import initials
from contest.prizes.labels import prize_label
from contest.prizes.models import PrizeAward, PrizeAwardSet
from contest.prizes.service import awards_of, latest_set
from contest.rounds.models import Contest, NameStyle, Round
from contest.units.models import Unit


@dataclass(frozen=True)
class PrizeLine:
    prize: str
    label: str
    place: int
    level: str
    user_id: int | None
    name: str  # the winner in the contest's style; a unit prize: the unit
    unit_id: int | None
    unit: str
    rank: int | None
    score: int | None
    value: str


@dataclass(frozen=True)
class RoundPrizes:
    round: Round
    contest: Contest
    prize_set: PrizeAwardSet | None
    individual: list[PrizeLine]
    units: list[PrizeLine]


def shown_name(full_name: str, style: NameStyle) -> str:
    return full_name if style == NameStyle.FULL else initials(full_name)


def lines(session: Session, awards: list[PrizeAward], style: NameStyle) -> list[PrizeLine]:
    users = {a.user_id for a in awards if a.user_id}
    names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(users))).all()) if users else {}
    unit_ids = {a.unit_id for a in awards if a.unit_id}
    user_units = dict(session.execute(select(User.id, User.unit_id).where(User.id.in_(users))).all()) if users else {}
    unit_ids |= {u for u in user_units.values() if u}
    unit_names = (dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
                  if unit_ids else {})
    found = []
    for a in awards:
        unit_name = unit_names.get(a.unit_id, "")
        if a.user_id:
            own_unit = unit_names.get(user_units.get(a.user_id), "")
            found.append(PrizeLine(a.prize, prize_label(a.prize, a.level, unit_name), a.place, a.level, a.user_id,
                                   shown_name(names.get(a.user_id, ""), style), user_units.get(a.user_id), own_unit,
                                   a.rank, a.score, a.value))
        else:
            found.append(PrizeLine(a.prize, prize_label(a.prize, a.level), a.place, a.level, None, unit_name,
                                   a.unit_id, unit_name, None, None, a.value))
    return found


def round_prizes(session: Session, round_: Round) -> RoundPrizes:
    """The round's latest award set as the public sees it."""
    contest = session.get(Contest, round_.contest_id)
    prize_set = latest_set(session, round_.id)
    shown = lines(session, awards_of(session, prize_set.id), contest.name_style) if prize_set else []
    return RoundPrizes(round_, contest, prize_set, [line for line in shown if line.user_id],
                       [line for line in shown if not line.user_id])


def contest_prizes(session: Session, contest: Contest) -> list[RoundPrizes]:
    """Each round of the contest with an award set, in round order."""
    rounds = session.scalars(select(Round).where(Round.contest_id == contest.id).order_by(Round.opens_at, Round.id))
    return [shown for shown in (round_prizes(session, round_) for round_ in rounds) if shown.prize_set]


def entrant_prizes(session: Session, user_id: int, round_id: int) -> list[PrizeLine]:
    """The entrant's own prizes in the round's latest award set (their full name: it is their own page)."""
    prize_set = latest_set(session, round_id)
    if prize_set is None:
        return []
    awards = list(session.scalars(select(PrizeAward).where(PrizeAward.set_id == prize_set.id,
                                                           PrizeAward.user_id == user_id).order_by(PrizeAward.id)))
    return lines(session, awards, NameStyle.FULL)
