"""Public pages (no login): a contest and its rounds, a round's leaderboard of people (live over ``/board``),
its unit rankings with charts, and the entrant's own rank on their result page (``entrant_rank``).

Every page reads what the public sees (live, frozen or the latest published version: ``results.public_view``);
names come out in the contest's style, and phone, citizen ID and birth date are never read.
"""

from __future__ import annotations

from babel.numbers import format_decimal
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.leaderboards import extension
from contest.leaderboards.activity import activity
from contest.leaderboards.pages import SNAPSHOT_ROWS, BoardQuery, round_leaderboard, search_entrants
from contest.leaderboards.results import public_view
from contest.leaderboards.unit_rankings import SORT_KEYS
from contest.rounds.models import Contest, Round
from contest.units.models import Unit

bp = Blueprint("boards", __name__)
PAGE_SIZE = SNAPSHOT_ROWS  # the first page is what the live snapshot redraws
CHART_UNITS = 30


@bp.app_template_filter("thousands")
def thousands(value: int | None) -> str:
    """12345 -> '12.345' in Vietnamese, '12,345' in English."""
    return "–" if value is None else format_decimal(value, locale=get_locale())


@bp.app_template_global("entrant_rank")
def entrant_rank(round_id: int) -> dict | None:
    """The logged-in entrant's ``{rank, total, state}`` on the round's public board, or None if not on it."""
    if not current_user.is_authenticated:
        return None
    ext = extension(current_app)
    try:
        view = public_view(ext.boards, db.session, round_id)
    except Exception:  # a result page must render even when the boards cannot be read
        current_app.logger.exception("rank of entrant %s in round %s", current_user.id, round_id)
        return None
    if view is None:
        return None
    mine = ext.boards.store.rank(view.family, None, current_user.id)
    if mine is None:
        return None
    return {"rank": mine.rank, "total": ext.boards.store.count(view.family, None), "state": view.state}


@bp.get("/contests")
def contests():
    listed = db.session.scalars(select(Contest).order_by(Contest.created_at.desc())).all()
    return render_template("leaderboards/contests.html", contests=listed, now=utcnow())


@bp.get("/contests/<int:contest_id>")
def contest(contest_id: int):
    shown = db.session.get(Contest, contest_id) or abort(404)
    return render_template("leaderboards/contest.html", contest=shown, now=utcnow())


@bp.get("/rounds/<int:round_id>/board")
def board(round_id: int):
    """``?level=&unit=&q=&page=``: the first page is rendered here; board.js keeps it live and pages through
    ``/api/rounds/<id>/leaderboard``."""
    round_ = db.session.get(Round, round_id) or abort(404)
    ext = extension(current_app)
    unit_id = _arg_int("unit")
    page_no = _arg_int("page") or 1
    text = (request.args.get("q") or "").strip()[:100]
    query = BoardQuery(round_id, None, unit_id, (page_no - 1) * PAGE_SIZE, PAGE_SIZE)
    try:
        page = round_leaderboard(db.session, ext.boards, ext.names, query, me=None, now=utcnow())
        found = search_entrants(db.session, ext.boards, ext.names, round_id=round_id, unit_id=unit_id,
                                text=text) if text else None
    except DomainError as error:
        abort(404 if error.code == "not_found" else 400)
    levels = list(round_.contest.board_levels or ())
    choices = {level: db.session.execute(select(Unit.id, Unit.name).where(Unit.level == level)
                                         .order_by(Unit.name)).all() for level in levels}
    return render_template("leaderboards/board.html", round=round_, contest=round_.contest, page=page,
                           page_no=page_no, page_size=PAGE_SIZE, levels=levels, choices=choices, text=text,
                           found=found, searchable=round_.contest.name_style == "full", now=utcnow())


@bp.get("/rounds/<int:round_id>/units")
def units(round_id: int):
    """``?level=&sort=&order=``: unit rankings, a participation chart and entrants over time."""
    round_ = db.session.get(Round, round_id) or abort(404)
    sort = request.args.get("sort", "participation")
    order = request.args.get("order", "desc")
    if sort not in SORT_KEYS or order not in ("asc", "desc"):
        abort(400)
    try:
        ranked = extension(current_app).units.rankings(db.session, round_id=round_id,
                                                       level=request.args.get("level") or None, now=utcnow(),
                                                       sort=sort, descending=order == "desc")
    except DomainError as error:
        abort(404 if error.code == "not_found" else 400)
    by_rate = [row for row in ranked["rows"] if row["participation"] is not None]
    measure = "participation" if by_rate else "entrants"
    chart_rows = sorted(by_rate or ranked["rows"], key=lambda row: -(row[measure] or 0))[:CHART_UNITS]
    chart = {"measure": measure, "labels": [row["name"] for row in chart_rows],
             "values": [round(row[measure] * 100, 1) if measure == "participation" else row[measure]
                        for row in chart_rows]}
    return render_template("leaderboards/units.html", round=round_, contest=round_.contest, ranked=ranked,
                           sort=sort, order=order, sort_keys=SORT_KEYS, chart=chart,
                           activity=activity(db.session, round_id))


def _arg_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        abort(400)
    if value < 1:
        abort(400)
    return value
