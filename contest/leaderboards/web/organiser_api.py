"""What organisers see while the public's boards are frozen or published: the live data of a round's unit rankings
and chart and of a contest's board and unit rankings, as JSON in the shapes of the public API. Guarded like every
organiser page (a unit organiser: their subtree's rows); never cached by anyone but the organiser's own browser."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify

from contest.access.guards import contest_or_abort, round_or_abort
from contest.access.permissions import (
    Action,
    current_can,
    current_unit_scope,
    entrants_attempts,
    keep_within,
    requires,
)
from contest.db import utcnow
from contest.extensions import db
from contest.leaderboards.queries.activity import activity
from contest.leaderboards.queries.boards import ContestBoardQuery, contest_leaderboard
from contest.leaderboards.runtime import extension
from contest.leaderboards.web.api import board_args, units_page
from contest.units.models import Unit

bp = Blueprint("leaderboards_organiser_api", __name__, url_prefix="/organiser")


@bp.get("/rounds/<int:round_id>/live/<any(units, activity):what>")
@requires(Action.ROUND_VIEW)
def round_live(round_id: int, what: str):
    """``units`` (``?level=&sort=&order=``, as ``/api/rounds/<id>/units``) or ``activity`` (entrants over time),
    counting every finished attempt; a unit organiser's, of their subtree only."""
    round_or_abort(round_id)
    scope = current_unit_scope()
    if what == "units":
        return _private(_within(units_page(public=False, round_id=round_id)))
    if scope is None:
        return _private(extension(current_app).units.activity(db.session, round_id, public=False))
    return _private(activity(db.session, round_id, where=[entrants_attempts(scope)]))


@bp.get("/contests/<int:contest_id>/live/<any(leaderboard, units):what>")
@requires(Action.CONTEST_VIEW)
def contest_live(contest_id: int, what: str):
    """``leaderboard`` (``?level=&unit=&offset=&limit=``, as ``/api/contests/<id>/leaderboard``) or ``units``
    (as ``/api/contests/<id>/units``), every round counted live. A unit organiser gets their unit's board (or a unit
    under it) and the rankings of their subtree's units."""
    contest_or_abort(contest_id)
    if what == "units":
        return _private(_within(units_page(public=False, contest_id=contest_id)))
    ext = extension(current_app)
    level, unit_id, offset, limit = board_args()
    scope = current_unit_scope()
    if scope is not None:
        if unit_id is None:
            level, unit_id = None, scope.id
        unit = db.session.get(Unit, unit_id)
        if unit is None or not current_can(Action.CONTEST_VIEW, contest=contest_id, unit=unit):
            abort(403)
    page = contest_leaderboard(db.session, ext.boards, ext.names,
                               ContestBoardQuery(contest_id, level, unit_id, offset, limit), me=None, now=utcnow(),
                               view=ext.boards.live_contest_view(db.session, contest_id))
    return _private(page)


def _within(page: dict) -> dict:
    """Unit rankings with only the rows of the current organiser's subtree."""
    return {**page, "rows": keep_within(db.session, current_unit_scope(), page["rows"],
                                        unit_of=lambda row: row["unit_id"])}


def _private(page: dict):
    response = jsonify({"ok": True, **page})
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response
