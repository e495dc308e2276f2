"""Public JSON of the boards (DESIGN.md §3): a round's or a contest's leaderboard and unit rankings, cacheable by a
proxy."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.leaderboards.queries.boards import (
    MAX_LIMIT,
    BoardQuery,
    ContestBoardQuery,
    contest_leaderboard,
    round_leaderboard,
)
from contest.leaderboards.queries.units import matching
from contest.leaderboards.runtime import extension
from contest.web import whole_number

bp = Blueprint("leaderboards_api", __name__, url_prefix="/api")
MAX_AGE_S = 2
UNITS_MAX_LIMIT = 1000


@bp.get("/rounds/<int:round_id>/leaderboard")
def leaderboard(round_id: int):
    """``?level=&unit=&offset=&limit=`` -> ``{round_id, level, unit_id, generated_at, total, rows, me?}``."""
    return _board(lambda session, ext, args, me: round_leaderboard(
        session, ext.boards, ext.names, BoardQuery(round_id, *args), me=me, now=utcnow()))


@bp.get("/contests/<int:contest_id>/leaderboard")
def contest_board(contest_id: int):
    """``?level=&unit=&offset=&limit=`` -> ``{contest_id, aggregate, level, unit_id, generated_at, total, rows,
    me?}``: the contest's board, its rounds added up as the contest says (best or sum)."""
    return _board(lambda session, ext, args, me: contest_leaderboard(
        session, ext.boards, ext.names, ContestBoardQuery(contest_id, *args), me=me, now=utcnow()))


@bp.get("/rounds/<int:round_id>/units")
def units(round_id: int):
    """``?level=&sort=entrants|attempts|participation|average_score|full_marks&order=desc|asc`` -> unit rankings."""
    return _units(round_id=round_id)


@bp.get("/contests/<int:contest_id>/units")
def contest_units(contest_id: int):
    """As ``units`` over the whole contest, each entrant represented as the contest's aggregate says."""
    return _units(contest_id=contest_id)


def _board(read):
    """Serve ``read(session, ext, board_args(), me)`` cacheably."""
    me = current_user.id if current_user.is_authenticated else None
    page = read(db.session, extension(current_app), board_args(), me)
    return _cacheable(page, private=me is not None)


def board_args() -> tuple:
    """The request's ``level``, ``unit``, ``offset`` and ``limit``, checked (the fields of a board query)."""
    return (request.args.get("level") or None, _whole("unit", None, 1), _whole("offset", 0, 0, 10_000_000),
            _whole("limit", 50, 1, MAX_LIMIT))


def _units(**scope):
    return _cacheable(sliced(units_page(public=True, **scope)), private=False)


def units_page(*, public: bool, **scope) -> dict:
    """The unit rankings of ``scope`` (``round_id`` or ``contest_id``) by the request's ``level``, ``sort`` and
    ``order``: as the public sees them, or live for organisers."""
    order = request.args.get("order", "desc")
    if order not in ("asc", "desc"):
        raise DomainError("bad_request", _l("The order is asc or desc."))
    return extension(current_app).units.rankings(db.session, **scope, level=request.args.get("level") or None,
                                                 now=utcnow(), sort=request.args.get("sort", "entrants"),
                                                 descending=order == "desc", public=public)


def sliced(ranked: dict) -> dict:
    """The request's part of a unit ranking: ``q`` keeps the units whose name or code holds its words, ``offset``
    and ``limit`` a slice of those rows (every row by default); ``total`` counts the rows kept by ``q``."""
    offset, limit = _whole("offset", 0, 0, 10_000_000), _whole("limit", None, 1, UNITS_MAX_LIMIT)
    rows = matching(ranked["rows"], (request.args.get("q") or "").strip()[:100])
    return {**ranked, "total": len(rows), "rows": rows[offset:None if limit is None else offset + limit]}


def _whole(name: str, default: int | None, low: int, high: int | None = None) -> int | None:
    try:
        value = whole_number(request.args.get(name), low=low, high=high)
    except ValueError:
        bounds = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise DomainError("bad_request", _l("%(name)s must be a whole number (%(bounds)s).", name=name,
                                            bounds=bounds)) from None
    return default if value is None else value


def _cacheable(page: dict, *, private: bool):
    """The ``ok`` envelope with a short max-age and an ETag of the content (``generated_at`` left out), so a
    proxy or browser revalidates with If-None-Match and gets 304 while the board has not changed."""
    content = {key: value for key, value in page.items() if key != "generated_at"}
    etag = hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:24]
    response = jsonify({"ok": True, **page})
    response.set_etag(etag, weak=True)
    response.cache_control.max_age = MAX_AGE_S
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    response.vary.add("Cookie")
    return response.make_conditional(request)
