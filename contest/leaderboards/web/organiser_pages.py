"""Organiser pages of a round's results: the live board, the tie-break order, freeze/unfreeze, the final ranking
to review, publish and correct (void a question after an appeal); and a contest's aggregate (its form is on the
contest's page). The exports are jobs (``export_pages``). Guarded like every organiser page (``permissions.requires``):
a unit organiser sees their subtree's board and final rows, read-only.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import permutations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.guards import contest_or_abort, round_or_abort
from contest.access.permissions import Action, current_unit_scope, keep_within, requires
from contest.attempts.in_flight import round_adjustments
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.leaderboards.keys.ranking import DEFAULT_TIE_BREAKS, TieBreak
from contest.leaderboards.models import BoardFreeze
from contest.leaderboards.queries.boards import BoardQuery, round_leaderboard
from contest.leaderboards.reads import publishers, round_tie_breaks, versions
from contest.leaderboards.results import settings
from contest.leaderboards.results.disqualify import round_disqualifications
from contest.leaderboards.results.freeze import freeze, unfreeze
from contest.leaderboards.results.publish import publish as publish_results
from contest.leaderboards.results.publish import review
from contest.leaderboards.runtime import extension
from contest.rounds.models import Prediction

bp = Blueprint("leaderboards_organiser_pages", __name__, url_prefix="/organiser")
REVIEW_ROWS = 100


@bp.get("/rounds/<int:round_id>/results")
@requires(Action.ROUND_VIEW)
def show(round_id: int):
    round_ = round_or_abort(round_id)
    now = utcnow()
    ext = extension(current_app)
    scope = current_unit_scope()  # a unit organiser: their unit's board, their entrants' final rows
    live = round_leaderboard(db.session, ext.boards, ext.names,
                             BoardQuery(round_id, unit_id=scope.id if scope else None, limit=20), me=None, now=now,
                             view=ext.boards.live_round_view(db.session, round_id))
    public = ext.boards.public_round_view(db.session, round_id)
    final = None
    if round_.status(now) == "closed":
        final = review(db.session, round_id, runtime().questions, now=now)
        final = replace(final, rows=keep_within(db.session, scope, final.rows))
    names = ext.names.lookup(db.session, [row.user_id for row in final.rows[:REVIEW_ROWS]]) if final else {}
    published = versions(db.session, round_id)
    disqualified = keep_within(db.session, scope, round_disqualifications(db.session, round_id),
                               lambda row: row[1].unit_id)
    return render_template("leaderboards/results.html", round=round_, live=live, public=public,
                           disqualified=disqualified,
                           frozen=db.session.get(BoardFreeze, round_id), final=final, names=names,
                           review_rows=REVIEW_ROWS, versions=published, publishers=publishers(db.session, published),
                           status=round_.status(now),
                           tie_breaks=_order_value(round_tie_breaks(db.session, round_id), round_),
                           tie_break_orders=_orders(round_),
                           tie_break_lock=settings.tie_break_lock(round_, now, published=bool(published)),
                           scope=scope, adjustments=round_adjustments(db.session, round_id, scope=scope))


@bp.post("/rounds/<int:round_id>/tie-breaks")
@requires(Action.ROUND_MANAGE)
def tie_breaks(round_id: int):
    """``order``: the tie-breaks after the score, comma-separated (one of ``_orders``)."""
    round_or_abort(round_id)
    order = [name for name in request.form.get("order", "").split(",") if name]
    return _act(round_id, lambda: settings.set_tie_breaks(db.session, extension(current_app).boards,
                                                          round_id=round_id, tie_breaks=order,
                                                          actor_id=current_user.id, now=utcnow()),
                _("The tie-break order is saved and the boards are ranked by it."))


@bp.post("/contests/<int:contest_id>/aggregate")
@requires(Action.CONTEST_MANAGE)
def aggregate(contest_id: int):
    """``aggregate``: ``best`` or ``sum``; back to the contest's page."""
    contest_or_abort(contest_id)
    return _act(None, lambda: settings.set_aggregate(db.session, extension(current_app).boards, contest_id=contest_id,
                                                     aggregate=request.form.get("aggregate", ""),
                                                     actor_id=current_user.id, now=utcnow()),
                _("The contest's board is saved and ranked by it."),
                back=url_for("rounds_pages.show", contest_id=contest_id))


@bp.post("/rounds/<int:round_id>/<any(freeze, unfreeze):action>")
@requires(Action.ROUND_MANAGE)
def freezing(round_id: int, action: str):
    """Freeze the public boards (the public sees them as they are now), or make them live again."""
    round_or_abort(round_id)
    act = freeze if action == "freeze" else unfreeze
    done = (_("The public boards are frozen; you still see the live ones here.") if action == "freeze"
            else _("The public boards are live again."))
    return _act(round_id, lambda: act(db.session, extension(current_app).boards, round_id=round_id,
                                      actor_id=current_user.id, now=utcnow()), done)


@bp.post("/rounds/<int:round_id>/publish")
@requires(Action.ROUND_MANAGE)
def publish(round_id: int):
    round_or_abort(round_id)
    return _act(round_id, lambda: publish_results(db.session, extension(current_app).boards, runtime().questions,
                                                  round_id=round_id, actor_id=current_user.id,
                                                  reason=request.form.get("reason", ""), now=utcnow()),
                _("The results are published."))


@bp.post("/rounds/<int:round_id>/correct")
@requires(Action.ROUND_MANAGE)
def correct(round_id: int):
    round_or_abort(round_id)
    raw = request.form.get("questions", "")
    ids = tuple(int(part) for part in re.findall(r"\d+", raw))
    if not ids:
        flash(_("Enter the number (id) of the question to void."), "error")
        return redirect(url_for("leaderboards_organiser_pages.show", round_id=round_id))
    return _act(round_id, lambda: publish_results(db.session, extension(current_app).boards, runtime().questions,
                                                  round_id=round_id, actor_id=current_user.id,
                                                  reason=request.form.get("reason", ""), now=utcnow(), void=ids),
                _("The correction is published as a new version."))


def _shown(round_) -> tuple[TieBreak, ...]:
    """The tie-breaks an organiser chooses among: without a prediction question its error ties everyone."""
    if round_.prediction == Prediction.OFF:
        return tuple(tb for tb in DEFAULT_TIE_BREAKS if tb != TieBreak.PREDICTION)
    return DEFAULT_TIE_BREAKS


def _order_value(order: tuple[TieBreak, ...], round_) -> str:
    shown = _shown(round_)
    return ",".join(tb.value for tb in order if tb in shown)


def _orders(round_) -> list[tuple[str, str]]:
    """Every order of the tie-breaks as ``(form value, label)``: one choice in a select is simpler on a phone
    than ordering three selects without repeats."""
    return [(",".join(tb.value for tb in order), " → ".join(str(settings.TIE_BREAK_NAMES[tb]) for tb in order))
            for order in permutations(_shown(round_))]


def _act(round_id: int | None, action, done: str, *, back: str | None = None):
    """Run a service, flash what happened, and go back to the round's results page (or ``back``)."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return redirect(back or url_for("leaderboards_organiser_pages.show", round_id=round_id))
