"""Reading a round's or a contest's board: a page of rows, the total and the asking entrant's own rank (the public
API), the snapshot pushed to ``/board`` watchers, and search by name (rounds)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.attempts.models import Attempt, Status
from contest.errors import DomainError
from contest.leaderboards.keys.cutoffs import PUBLISHED
from contest.leaderboards.keys.encoding import decode
from contest.leaderboards.keys.ranking import LIVE as LIVE_RANKING
from contest.leaderboards.keys.ranking import Ranking
from contest.leaderboards.models import PublishedResult, PublishedRow
from contest.leaderboards.queries.names import EntrantNames, Shown
from contest.leaderboards.reads import contest_aggregate
from contest.leaderboards.recording import Leaderboards
from contest.leaderboards.stores.families import BoardView, ContestView
from contest.leaderboards.stores.interface import Ranked
from contest.rounds.models import Contest, NameStyle
from contest.search_text import fold
from contest.units.models import Unit

MAX_LIMIT = 200
SNAPSHOT_ROWS = 50
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class BoardQuery:
    round_id: int
    level: str | None = None
    unit_id: int | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ContestBoardQuery:
    contest_id: int
    level: str | None = None
    unit_id: int | None = None
    offset: int = 0
    limit: int = 50


def round_leaderboard(session: Session, boards: Leaderboards, names: EntrantNames, query: BoardQuery, *,
                      me: int | None, now: datetime, view: BoardView | None = None) -> dict:
    """``{round_id, level, unit_id, unit_name, generated_at, state, version, total, rows[, me]}``; ``me`` (the
    entrant's own row, or None if they are not on this board) only when an entrant id is given. ``view`` is the
    family to read: by default what the public sees (live, frozen or the latest published version)."""
    info = boards.round_info(session, query.round_id)
    if info is None:
        raise DomainError("not_found", _l("There is no such round."))
    view = view or boards.public_round_view(session, query.round_id)
    return {"round_id": query.round_id,
            **_page(session, boards, names, query, family=view.family, ranking=view.ranking,
                    name_style=info.name_style, state=view.state, version=view.version, me=me, now=now,
                    stored=PublishedPaths(query.round_id, view.version) if view.state == PUBLISHED else None)}


def contest_leaderboard(session: Session, boards: Leaderboards, names: EntrantNames, query: ContestBoardQuery, *,
                        me: int | None, now: datetime, view: ContestView | None = None) -> dict:
    """The contest's board (its rounds' results added up as its ``ContestBoard`` says), in the shape of
    ``round_leaderboard`` with ``contest_id`` and ``aggregate`` for ``round_id``. ``view`` is the family to read:
    by default what the public sees (``stores.families``: a frozen round counts as of its freeze, a published one
    by its final results; ``state`` is ``frozen`` while a round is frozen)."""
    name_style = session.scalar(select(Contest.name_style).where(Contest.id == query.contest_id))
    if name_style is None:
        raise DomainError("not_found", _l("There is no such contest."))
    view = view or boards.public_contest_view(session, query.contest_id)
    return {"contest_id": query.contest_id, "aggregate": contest_aggregate(session, query.contest_id).value,
            **_page(session, boards, names, query, family=view.family, ranking=LIVE_RANKING,
                    name_style=NameStyle(name_style), state=view.state, version=None, me=me, now=now)}


@dataclass(frozen=True)
class PublishedPaths:
    """A published version's stored unit paths: what its board shows of units (the tree of its publication)."""

    round_id: int
    version: int

    def of(self, session: Session, user_ids: list[int]) -> dict[int, list | None]:
        """Entrant id -> their row's ``unit_path`` (root first ``[id, code, name, level]`` entries)."""
        if not user_ids:
            return {}
        return dict(session.execute(
            select(PublishedRow.user_id, PublishedRow.unit_path)
            .join(PublishedResult, PublishedResult.id == PublishedRow.result_id)
            .where(PublishedResult.round_id == self.round_id, PublishedResult.version == self.version,
                   PublishedRow.user_id.in_(user_ids))).all())


def as_published(shown: dict[int, Shown], paths: dict[int, list | None]) -> dict[int, Shown]:
    """``shown`` with each entrant's unit named as their published row keeps it."""
    return {entrant: Shown(person.full_name, paths[entrant][-1][2] if paths[entrant] else "")
            if paths.get(entrant) is not None else person for entrant, person in shown.items()}


def _page(session: Session, boards: Leaderboards, names: EntrantNames, query: BoardQuery | ContestBoardQuery, *,
          family: str, ranking: Ranking, name_style: NameStyle, state: str, version: int | None, me: int | None,
          now: datetime, stored: PublishedPaths | None = None) -> dict:
    mine_path = stored.of(session, [me]).get(me) if stored is not None and me is not None else None
    unit = _board_unit(session, boards, query, me, mine_path)
    unit_id = unit.id if unit else None
    ranked = boards.store.top(family, unit_id, query.offset, query.limit)
    mine = boards.store.rank(family, unit_id, me) if me is not None else None
    ids = [r.entrant_id for r in ranked] + ([mine.entrant_id] if mine else [])
    shown = names.lookup(session, ids)
    level, unit_name = (unit.level, unit.name) if unit else (None, None)
    if stored is not None:
        paths = stored.of(session, ids)
        shown = as_published(shown, paths)
        # The unit as it was named at publication: every row of its board has it in its path.
        level, unit_name = next(((entry[3], entry[2]) for path in paths.values() for entry in path or ()
                                 if entry[0] == unit_id), (level, unit_name))
    page = {
        "level": level, "unit_id": unit_id,
        "unit_name": unit_name, "generated_at": now.isoformat(),
        "state": state, "version": version,
        "total": boards.store.count(family, unit_id),
        "rows": [_row(name_style, ranking, shown, r) for r in ranked],
    }
    if me is not None:
        page["me"] = _row(name_style, ranking, shown, mine) if mine else None
    return page


def board_snapshot(session: Session, boards: Leaderboards, names: EntrantNames, *, round_id: int,
                   unit_id: int | None, now: datetime, limit: int = SNAPSHOT_ROWS) -> dict:
    """The ``board`` event of the ``/board`` namespace (DESIGN.md §3): ``{round_id, level, unit_id, generated_at,
    state, total, rows: [{rank, name, unit, score, duration_ms}]}``, the top ``limit`` rows of the public view."""
    page = round_leaderboard(session, boards, names, BoardQuery(round_id, None, unit_id, 0, limit), me=None, now=now)
    return {key: page[key] for key in ("round_id", "level", "unit_id", "generated_at", "state", "total", "rows")}


def snapshot_version(snapshot: dict) -> str:
    """A cheap fingerprint of what a watcher sees (``generated_at`` left out): equal means nothing to push."""
    content = json.dumps([snapshot["state"], snapshot["total"], snapshot["rows"]], separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.blake2b(content.encode(), digest_size=12).hexdigest()


def search_entrants(session: Session, boards: Leaderboards, names: EntrantNames, *, round_id: int,
                    unit_id: int | None, text: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Entrants on the round's public board (or its unit's) whose full name contains ``text``, ignoring case and
    diacritics ('nguyen van an' finds 'Nguyễn Văn An'), with their rank, best first. Empty when the contest shows
    initials only: a search by full name would tell who is behind the initials."""
    info = boards.round_info(session, round_id)
    if info is None:
        raise DomainError("not_found", _l("There is no such round."))
    key = fold(text or "")  # as User.name_key was made
    if len(key) < 2 or info.name_style != NameStyle.FULL:
        return []
    view = boards.public_round_view(session, round_id)
    if view.state == PUBLISHED:
        on_board = (select(PublishedRow.user_id).join(PublishedResult, PublishedResult.id == PublishedRow.result_id)
                    .where(PublishedResult.round_id == round_id, PublishedResult.version == view.version))
    else:
        on_board = select(Attempt.user_id).where(Attempt.round_id == round_id, Attempt.status != Status.IN_PROGRESS)
    stmt = (select(User.id).where(User.name_key.contains(key, autoescape=True), User.id.in_(on_board))
            .order_by(User.id).limit(limit * 5))
    if unit_id is not None:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise DomainError("not_found", _l("There is no such unit."))
        if view.state != PUBLISHED:  # a published board's units are its rows' stored paths: the store knows them
            stmt = stmt.join(Unit, Unit.id == User.unit_id).where(Unit.path.startswith(unit.path))
    found = [boards.store.rank(view.family, unit_id, user_id) for user_id in session.scalars(stmt)]
    found = sorted((r for r in found if r is not None), key=lambda r: r.rank)[:limit]
    shown = names.lookup(session, [r.entrant_id for r in found])
    if view.state == PUBLISHED:
        shown = as_published(shown, PublishedPaths(round_id, view.version).of(session, list(shown)))
    return [_row(info.name_style, view.ranking, shown, r) for r in found]


def _row(name_style: NameStyle, ranking: Ranking, shown: dict, ranked: Ranked) -> dict:
    fields = decode(ranking, ranked.key)
    person = shown.get(ranked.entrant_id)
    return {"rank": ranked.rank, "name": person.name(name_style) if person else "",
            "unit": person.unit if person else "", "score": fields["score"],
            "duration_ms": fields.get("duration_ms")}


def _board_unit(session: Session, boards: Leaderboards, query: BoardQuery | ContestBoardQuery,
                me: int | None, mine_path: list | None = None) -> Unit | None:
    """The unit whose board is asked for: ``unit`` itself, or with only ``level`` the entrant's unit at that level
    (on a published board, in the path their row keeps: ``mine_path``)."""
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
    if mine_path is not None:
        kept = next((entry[0] for entry in mine_path if entry[3] == query.level), None)
        unit = session.get(Unit, kept) if kept is not None else None
    else:
        mine = boards.units_of(session, me) if me is not None else ()
        unit = session.scalar(select(Unit).where(Unit.id.in_(mine), Unit.level == query.level)) if mine else None
    if unit is None:
        raise DomainError("bad_request", _l("Choose a unit of level %(level)s (the unit parameter).",
                                            level=query.level))
    return unit
