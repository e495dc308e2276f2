"""Reading a round's board for the public API: a page of rows, the total, and the asking entrant's own rank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.errors import DomainError
from contest.leaderboards.encoding import decode
from contest.leaderboards.names import EntrantNames
from contest.leaderboards.recording import Leaderboards, RoundInfo
from contest.leaderboards.store import Ranked, family_of_round
from contest.units.models import Unit

MAX_LIMIT = 200


@dataclass(frozen=True)
class BoardQuery:
    round_id: int
    level: str | None = None
    unit_id: int | None = None
    offset: int = 0
    limit: int = 50


def round_leaderboard(session: Session, boards: Leaderboards, names: EntrantNames, query: BoardQuery, *,
                      me: int | None, now: datetime) -> dict:
    """``{round_id, level, unit_id, unit_name, generated_at, total, rows[, me]}``; ``me`` (the entrant's own row,
    or None if they are not on this board) only when an entrant id is given."""
    info = boards.round_info(session, query.round_id)
    if info is None:
        raise DomainError("not_found", _l("There is no such round."))
    unit = _board_unit(session, boards, query, me)
    unit_id = unit.id if unit else None
    boards.ensure_round(session, query.round_id)
    family = family_of_round(query.round_id)
    ranked = boards.store.top(family, unit_id, query.offset, query.limit)
    mine = boards.store.rank(family, unit_id, me) if me is not None else None
    shown = names.lookup(session, [r.entrant_id for r in ranked] + ([mine.entrant_id] if mine else []))
    page = {
        "round_id": query.round_id, "level": unit.level if unit else None, "unit_id": unit_id,
        "unit_name": unit.name if unit else None, "generated_at": now.isoformat(),
        "total": boards.store.count(family, unit_id),
        "rows": [_row(info, shown, r) for r in ranked],
    }
    if me is not None:
        page["me"] = _row(info, shown, mine) if mine else None
    return page


def _row(info: RoundInfo, shown: dict, ranked: Ranked) -> dict:
    fields = decode(info.ranking, ranked.key)
    person = shown.get(ranked.entrant_id)
    return {"rank": ranked.rank, "name": person.name(info.name_style) if person else "",
            "unit": person.unit if person else "", "score": fields["score"],
            "duration_ms": fields.get("duration_ms")}


def _board_unit(session: Session, boards: Leaderboards, query: BoardQuery, me: int | None) -> Unit | None:
    """The unit whose board is asked for: ``unit`` itself, or with only ``level`` the entrant's unit at that level."""
    if query.unit_id is not None:
        unit = session.get(Unit, query.unit_id)
        if unit is None:
            raise DomainError("not_found", _l("There is no such unit."))
        if query.level is not None and unit.level != query.level:
            raise DomainError("bad_request", _l("Unit %(unit)s is not at level %(level)s.",
                                                unit=unit.name, level=query.level))
        return unit
    if query.level is None:
        return None
    mine = boards.units_of(session, me) if me is not None else ()
    unit = session.scalar(select(Unit).where(Unit.id.in_(mine), Unit.level == query.level)) if mine else None
    if unit is None:
        raise DomainError("bad_request", _l("Choose a unit of level %(level)s (the unit parameter).",
                                            level=query.level))
    return unit
