"""Who wins what, from one published version of a round's results (pure: plain values in, awards out).

The order is the published rank, which already applies the round's published tie-breaks (the score first, then
the tie-break order the version was computed with, then the entrant id as the last resort): entrants level on
score are never both inside and outside a quota by chance, the version's rank decides, so a quota is never
exceeded. In full:

* eligible: a score of at least ``min_score``, and, with ``one_per_contest``, no individual prize in an earlier
  round of the contest (``excluded``);
* rank prizes: the eligible entrants in rank order fill the quotas, first prizes, then second, third, consolation;
* the best of each unit of a level (``best_of_levels``, in the order given): the best-ranked eligible entrant of
  the unit's subtree who has no individual prize of this round yet (one individual prize per entrant);
* unit prizes, per level, among the units of that level with at least one entrant (participation: and a member
  count): the most entrants (tie-break: the higher average best score, then the unit code); the highest
  participation rate, entrants over members (tie-break: more entrants, then the unit code); the highest average
  best score (tie-break: more entrants, then the unit code). Rates and averages are compared exactly (fractions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from contest.prizes.rules import RANK_PRIZES, PrizeRules

UNIT_PRIZE_CODES = {"entrants": "unit_entrants", "participation": "unit_participation", "average": "unit_average"}


@dataclass(frozen=True)
class RankedRow:
    """One line of a published version, as the prizes need it."""

    rank: int
    user_id: int
    unit_id: int | None
    score: int


@dataclass(frozen=True)
class UnitInfo:
    id: int
    code: str
    level: str
    ancestors: tuple[int, ...]  # root … the unit itself
    member_count: int | None


@dataclass(frozen=True, order=True)
class Award:
    prize: str
    level: str
    place: int
    user_id: int | None
    unit_id: int | None
    rank: int | None
    score: int | None
    value: str = ""

    @property
    def individual(self) -> bool:
        return self.user_id is not None


def compute_awards(rows: Sequence[RankedRow], rules: PrizeRules, units: Mapping[int, UnitInfo],
                   excluded: Iterable[int] = ()) -> list[Award]:
    """The awards of one published version under ``rules``; ``excluded``: entrants who may win no individual
    prize (a prize in an earlier round, with ``one_per_contest``)."""
    excluded = frozenset(excluded) if rules.one_per_contest else frozenset()
    ordered = sorted(rows, key=lambda row: row.rank)
    eligible = [row for row in ordered if row.score >= rules.min_score and row.user_id not in excluded]
    awards: list[Award] = []
    awarded: set[int] = set()
    queue = iter(eligible)
    for prize in RANK_PRIZES:
        for place in range(1, rules.quotas.get(prize, 0) + 1):
            row = next(queue, None)
            if row is None:
                break
            awards.append(Award(prize, "", place, row.user_id, row.unit_id, row.rank, row.score))
            awarded.add(row.user_id)
    for level in rules.best_of_levels:
        filled: set[int] = set()
        for row in eligible:
            if row.user_id in awarded:
                continue
            unit = _ancestor_at(units, row.unit_id, level)
            if unit is None or unit in filled:
                continue
            filled.add(unit)
            awarded.add(row.user_id)
            awards.append(Award("best_of", level, 1, row.user_id, unit, row.rank, row.score))
    for unit_prize in rules.unit_prizes:
        awards.extend(_unit_awards(ordered, units, unit_prize.level, unit_prize.by, unit_prize.places))
    return awards


def _ancestor_at(units: Mapping[int, UnitInfo], unit_id: int | None, level: str) -> int | None:
    info = units.get(unit_id) if unit_id is not None else None
    if info is None:
        return None
    return next((a for a in info.ancestors if a in units and units[a].level == level), None)


def _unit_awards(rows: Sequence[RankedRow], units: Mapping[int, UnitInfo], level: str, by: str,
                 places: int) -> list[Award]:
    counts: dict[int, list[int]] = {}  # unit -> [entrants, total score]
    for row in rows:
        unit = _ancestor_at(units, row.unit_id, level)
        if unit is not None:
            tally = counts.setdefault(unit, [0, 0])
            tally[0] += 1
            tally[1] += row.score
    candidates = []
    for unit_id, (entrants, total) in counts.items():
        info, average = units[unit_id], Fraction(total, entrants)
        if by == "entrants":
            key, value = (-entrants, -average, info.code), str(entrants)
        elif by == "participation":
            if not info.member_count:
                continue
            rate = Fraction(entrants, info.member_count)
            key, value = (-rate, -entrants, info.code), f"{entrants}/{info.member_count}"
        else:
            key, value = (-average, -entrants, info.code), f"{float(average):.2f}"
        candidates.append((key, unit_id, value))
    candidates.sort()
    return [Award(UNIT_PRIZE_CODES[by], level, place, None, unit_id, None, None, value)
            for place, (_, unit_id, value) in enumerate(candidates[:places], start=1)]


def changelog(before: Iterable[Award], after: Iterable[Award]) -> list[dict]:
    """What changed from one award set to the next: each award withdrawn, then each added."""
    old, new = set(before), set(after)

    def entry(change: str, award: Award) -> dict:
        return {"change": change, "prize": award.prize, "level": award.level, "place": award.place,
                "user_id": award.user_id, "unit_id": award.unit_id, "rank": award.rank, "score": award.score}

    return ([entry("removed", award) for award in sorted(old - new, key=_order)]
            + [entry("added", award) for award in sorted(new - old, key=_order)])


def _order(award: Award) -> tuple:
    return (award.prize, award.level, award.place, award.user_id or 0, award.unit_id or 0)
