"""Public JSON of the boards (DESIGN.md §3): a round's leaderboard and its unit rankings, cacheable by a proxy."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.leaderboards import extension
from contest.leaderboards.pages import MAX_LIMIT, BoardQuery, round_leaderboard

api = Blueprint("leaderboards_api", __name__, url_prefix="/api")
MAX_AGE_S = 2


@api.get("/rounds/<int:round_id>/leaderboard")
def leaderboard(round_id: int):
    """``?level=&unit=&offset=&limit=`` -> ``{round_id, level, unit_id, generated_at, total, rows, me?}``."""
    query = BoardQuery(round_id=round_id, level=request.args.get("level") or None,
                       unit_id=_whole("unit", None, 1), offset=_whole("offset", 0, 0, 10_000_000),
                       limit=_whole("limit", 50, 1, MAX_LIMIT))
    me = current_user.id if current_user.is_authenticated else None
    ext = extension(current_app)
    page = round_leaderboard(db.session, ext.boards, ext.names, query, me=me, now=utcnow())
    return _cacheable(page, private=me is not None)


@api.get("/rounds/<int:round_id>/units")
def units(round_id: int):
    """``?level=&sort=entrants|attempts|participation|average_score|full_marks&order=desc|asc`` -> unit rankings."""
    order = request.args.get("order", "desc")
    if order not in ("asc", "desc"):
        raise DomainError("bad_request", _l("The order is asc or desc."))
    ext = extension(current_app)
    page = ext.units.rankings(db.session, round_id=round_id, level=request.args.get("level") or None,
                              now=utcnow(), sort=request.args.get("sort", "entrants"), descending=order == "desc")
    return _cacheable(page, private=False)


def _whole(name: str, default: int | None, low: int, high: int | None = None) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        bounds = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise DomainError("bad_request", _l("%(name)s must be a whole number (%(bounds)s).", name=name,
                                            bounds=bounds))
    return value


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
