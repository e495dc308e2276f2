"""Organiser pages of contests and rounds under /organiser: thin, read the form, call a service, render.

Every view names its action for the permissions service (``requires``: 404 for nothing there, 403 for what the
organiser's role or contests do not allow). The live view polls ``live.json`` every two seconds.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from contest.access.guards import contest_or_abort, round_or_abort
from contest.access.permissions import Action, contest_scope, current_can, current_unit_scope, requires
from contest.attempts.in_flight import round_adjustments
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.leaderboards.reads import contest_aggregate
from contest.leaderboards.results.settings import AGGREGATE_NAMES
from contest.presence import presence
from contest.rounds import in_flight_pages, service
from contest.rounds.forms import (
    BY_CELL,
    NAME_STYLES,
    PREDICTIONS,
    REVIEWS,
    ContestForm,
    ExtendForm,
    ExtraAttemptForm,
    ExtraTimeForm,
    InFlightForm,
    RoundForm,
    cell_name,
    read_cells,
    to_vietnam,
)
from contest.rounds.live import LiveCounts
from contest.rounds.models import Round
from contest.web import show_field_errors

bp = Blueprint("rounds_pages", __name__, url_prefix="/organiser")
LIVE_EXTENSION = "olympiad.live_counts"
# Service error keys that name a form field differently.
FIELD_ALIASES = {"time_limit_s": "time_limit", "blueprint": "blueprint_mode"}


@bp.app_template_filter("vietnam_time")
def vietnam_time(value) -> str:
    """'25/05/2025 08:00' in Vietnam time (UTC+7): how organisers and entrants read times."""
    return to_vietnam(value).strftime("%d/%m/%Y %H:%M") if value else ""


@bp.context_processor
def vocabulary():
    return {"name_styles": NAME_STYLES, "predictions": PREDICTIONS, "reviews": REVIEWS}


@bp.get("/contests")
@requires(Action.CONTEST_LIST)
def contests():
    listed = service.list_contests(db.session, now=utcnow(), only=contest_scope())
    return render_template("rounds/contests.html", contests=listed, can_create=current_can(Action.CONTEST_CREATE),
                           limited=contest_scope() is not None)


@bp.route("/contests/new", methods=["GET", "POST"])
@requires(Action.CONTEST_CREATE)
def create_contest():
    form = _contest_form()
    if form.validate_on_submit():
        spec = form.spec()
        try:
            contest = service.create_contest(db.session, title=spec.title, description=spec.description,
                                             board_levels=spec.board_levels, name_style=spec.name_style,
                                             now=utcnow(), actor_id=current_user.id)
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Contest %(title)s created. Now add its rounds.", title=contest.title), "success")
            return redirect(url_for("rounds_pages.show", contest_id=contest.id))
    return render_template("rounds/contest_form.html", form=form, contest=None)


@bp.get("/contests/<int:contest_id>")
@requires(Action.CONTEST_VIEW)
def show(contest_id: int):
    contest = contest_or_abort(contest_id)
    return render_template("rounds/contest.html", contest=contest, now=utcnow(),
                           aggregate=contest_aggregate(db.session, contest_id), aggregates=AGGREGATE_NAMES)


@bp.route("/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@requires(Action.CONTEST_MANAGE)
def edit_contest(contest_id: int):
    contest = contest_or_abort(contest_id)
    form = _contest_form()
    if request.method == "GET":
        form.fill_from(contest)
    elif form.validate_on_submit():
        try:
            service.update_contest(db.session, contest_id=contest_id, spec=form.spec(), now=utcnow(),
                                   actor_id=current_user.id)
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Contest saved."), "success")
            return redirect(url_for("rounds_pages.show", contest_id=contest_id))
    return render_template("rounds/contest_form.html", form=form, contest=contest)


@bp.route("/contests/<int:contest_id>/rounds/new", methods=["GET", "POST"])
@requires(Action.CONTEST_MANAGE)
def create_round(contest_id: int):
    contest = contest_or_abort(contest_id)
    form = RoundForm()
    if request.method == "GET":
        form.set_defaults(utcnow())
    return _round_page(form, contest, None)


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@requires(Action.CONTEST_MANAGE)
def edit_round(round_id: int):
    round_ = round_or_abort(round_id)
    if round_.opens_at <= utcnow():
        flash(_("This round has already opened, so it can no longer be changed. Create a new round instead."),
              "error")
        return redirect(url_for("rounds_pages.show", contest_id=round_.contest_id))
    form = RoundForm()
    if request.method == "GET":
        form.fill_from(service.RoundSpec.of(round_))
    return _round_page(form, round_.contest, round_)


def _round_page(form: RoundForm, contest, round_: Round | None):
    """The create/edit round page: on a valid POST, call the service and show its errors beside the fields."""
    bank = service.blueprint_cells(db.session)
    cells, raw, bad = read_cells(request.form, bank["topics"], bank["difficulties"])
    if request.method == "GET":
        stored = round_.blueprint if round_ else []
        raw.update({cell_name(c["topic_id"], c["difficulty"]): str(c["count"]) for c in stored})
    elif form.validate_on_submit():
        by_cell = form.blueprint_mode.data == BY_CELL
        if by_cell and bad:
            form.blueprint_mode.errors = [_("Each number in the table is a whole number from 0 to 200.")]
        elif by_cell and not cells:
            form.blueprint_mode.errors = [_("Enter how many questions to draw in at least one cell of the table.")]
        else:
            saved = _save_round(form, contest, round_, cells)
            if saved is not None:
                return saved
    warnings = service.round_warnings(db.session, round_, utcnow()) if round_ is not None else []
    return render_template("rounds/round_form.html", form=form, contest=contest, round=round_, bank=bank,
                           raw=raw, bad=bad, cell_name=cell_name, warnings=warnings)


def _save_round(form: RoundForm, contest, round_: Round | None, cells: list[dict]):
    spec = form.spec(cells)
    try:
        if round_ is None:
            saved = service.create_round(db.session, runtime().bank, contest_id=contest.id, spec=spec, now=utcnow(),
                                         actor_id=current_user.id)
        else:
            saved = service.update_round(db.session, runtime().bank, round_id=round_.id, spec=spec, now=utcnow(),
                                         actor_id=current_user.id)
    except DomainError as error:
        fields = {FIELD_ALIASES.get(name, name): message for name, message in error.fields.items()}
        show_field_errors(form, DomainError(error.code, error.message, fields=fields))
        return None
    flash(_("Round %(title)s saved.", title=saved.title), "success")
    for warning in service.round_warnings(db.session, saved, utcnow()):
        flash(warning, "warning")
    return redirect(url_for("rounds_pages.show", contest_id=contest.id))


@bp.get("/rounds/<int:round_id>/live")
@requires(Action.ROUND_VIEW)
def live(round_id: int):
    round_ = round_or_abort(round_id)
    now = utcnow()
    counts = _live_counts().get(db.session, round_, now=now, presence=presence(), scope=current_unit_scope())
    extend = ExtendForm(prefix=in_flight_pages.EXTEND)
    extend.closes_at.data = to_vietnam(round_.closes_at).replace(tzinfo=None)
    return render_template("rounds/live.html", round=round_, counts=counts, scope=current_unit_scope(),
                           status=round_.status(now), reason_form=InFlightForm(prefix=in_flight_pages.CLOCK),
                           extend_form=extend, extra_time_form=ExtraTimeForm(prefix=in_flight_pages.EXTRA_TIME),
                           extra_attempt_form=ExtraAttemptForm(prefix=in_flight_pages.EXTRA_ATTEMPT),
                           adjustments=round_adjustments(db.session, round_id, scope=current_unit_scope()))


@bp.get("/rounds/<int:round_id>/live.json")
@requires(Action.ROUND_VIEW)
def live_json(round_id: int):
    """``{round_id, status, generated_at, connected, entrants, in_progress, submitted, expired, answers_per_s}``; for
    a unit organiser their subtree's, with ``registered`` and ``participation`` (``round_counts``)."""
    round_ = round_or_abort(round_id)
    response = jsonify(_live_counts().get(db.session, round_, now=utcnow(), presence=presence(),
                                          scope=current_unit_scope()))
    response.headers["Cache-Control"] = "no-store"
    return response


def _live_counts() -> LiveCounts:
    return current_app.extensions.setdefault(LIVE_EXTENSION, LiveCounts())


def _contest_form() -> ContestForm:
    form = ContestForm()
    form.board_levels.choices = [SelectChoice(level) for level in service.unit_levels(db.session)]
    return form
