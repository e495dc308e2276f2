"""Prize rules, as organisers set them (pure: no database, no Flask).

Individual prizes: rank quotas (``first``, ``second``, ``third``, ``consolation``, in that order), a minimum score,
at most one individual prize per entrant per contest (``one_per_contest``), and optionally the best entrant of each
unit of some levels (``best_of_levels``, e.g. the best of each district). Unit prizes: per level, the units with the
most entrants, the highest participation rate against their member counts, or the highest average best score, each
for a number of places.

A contest's rules apply to every round of it; a round's own rules replace them for that round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from flask_babel import lazy_gettext as _l

from contest.errors import DomainError

RANK_PRIZES = ("first", "second", "third", "consolation")
UNIT_MEASURES = ("entrants", "participation", "average")
MAX_QUOTA = 10_000
MAX_LEVELS = 10


@dataclass(frozen=True)
class UnitPrize:
    level: str
    by: str  # one of UNIT_MEASURES
    places: int = 1


@dataclass(frozen=True)
class PrizeRules:
    quotas: Mapping[str, int] = field(default_factory=dict)  # rank prize -> how many
    min_score: int = 0
    one_per_contest: bool = True
    best_of_levels: tuple[str, ...] = ()
    unit_prizes: tuple[UnitPrize, ...] = ()

    def to_json(self) -> dict:
        data = asdict(self)
        data["quotas"] = {name: int(self.quotas.get(name, 0)) for name in RANK_PRIZES}
        data["best_of_levels"] = list(self.best_of_levels)
        data["unit_prizes"] = [asdict(unit) for unit in self.unit_prizes]
        return data

    @property
    def empty(self) -> bool:
        return not any(self.quotas.values()) and not self.best_of_levels and not self.unit_prizes


def from_json(data: Mapping | None) -> PrizeRules:
    """Rules stored by ``to_json`` (already checked when they were set)."""
    if not data:
        return PrizeRules()
    return PrizeRules(quotas={name: int(data.get("quotas", {}).get(name, 0)) for name in RANK_PRIZES},
                      min_score=int(data.get("min_score", 0)), one_per_contest=bool(data.get("one_per_contest", True)),
                      best_of_levels=tuple(data.get("best_of_levels", ())),
                      unit_prizes=tuple(UnitPrize(u["level"], u["by"], int(u.get("places", 1)))
                                        for u in data.get("unit_prizes", ())))


def checked(raw: Mapping) -> PrizeRules:
    """Rules from an organiser's form values (strings), or a ``validation`` DomainError naming each bad field:
    ``first``…``consolation`` and ``min_score`` whole numbers, ``best_of_levels`` level names one a line,
    ``unit_prizes`` lines of ``level, measure, places``."""
    problems: dict[str, object] = {}

    def whole(name: str, default: int = 0) -> int:
        text = str(raw.get(name, "") or "").strip()
        if not text:
            return default
        if not text.isdigit() or int(text) > MAX_QUOTA:
            problems[name] = _l("A whole number from 0 to %(n)s.", n=MAX_QUOTA)
            return default
        return int(text)

    quotas = {name: whole(name) for name in RANK_PRIZES}
    min_score = whole("min_score")
    levels = tuple(dict.fromkeys(line.strip() for line in str(raw.get("best_of_levels", "")).splitlines()
                                 if line.strip()))
    if len(levels) > MAX_LEVELS or any(len(level) > 64 for level in levels):
        problems["best_of_levels"] = _l("At most %(n)s unit levels, one a line.", n=MAX_LEVELS)
    units = []
    for number, line in enumerate(str(raw.get("unit_prizes", "")).splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) == 2:
            parts.append("1")
        if (len(parts) != 3 or not parts[0] or len(parts[0]) > 64 or parts[1] not in UNIT_MEASURES
                or not parts[2].isdigit() or not 1 <= int(parts[2]) <= MAX_QUOTA):
            problems["unit_prizes"] = _l(
                "Line %(n)s: write the level, then entrants, participation or average, then the number of places "
                "(e.g. Huyện, participation, 3).", n=number)
            break
        units.append(UnitPrize(parts[0], parts[1], int(parts[2])))
    if len(units) > MAX_LEVELS * len(UNIT_MEASURES):
        problems["unit_prizes"] = _l("Too many unit prizes.")
    if problems:
        raise DomainError("validation", next(iter(problems.values())), fields=problems)
    return PrizeRules(quotas=quotas, min_score=min_score, one_per_contest=bool(raw.get("one_per_contest")),
                      best_of_levels=levels, unit_prizes=tuple(units))
