"""The organiser's changes to a round in flight, posted from the round's live monitor: pause, resume, a later
close (``ROUND_MANAGE``), extra time or an extra attempt for an entrant or a unit (``ROUND_ALLOW``). Thin: read
the form, call ``attempts.in_flight``, flash what happened and go back to the live monitor. The service checks the
scope; a refusal there is a 403 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.permissions import Action, requires
from contest.attempts import in_flight
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.rounds.forms import AllowanceForm, ExtendForm, ExtraAttemptForm, ExtraTimeForm, InFlightForm, to_utc

bp = Blueprint("rounds_in_flight_pages", __name__, url_prefix="/organiser")
# The forms share the live monitor's page: each its own prefix, so their fields' ids differ.
CLOCK, EXTEND, EXTRA_TIME, EXTRA_ATTEMPT = "clock", "extend", "time", "attempt"


@bp.post("/rounds/<int:round_id>/pause")
@requires(Action.ROUND_MANAGE)
def pause(round_id: int):
    """Pause the round: no start, answer or submit until it is resumed; its clocks stop."""
    form = InFlightForm(prefix=CLOCK)
    return _act(round_id, form, lambda: in_flight.pause_round(
        db.session, runtime(), actor=current_user, round_id=round_id, reason=form.reason.data, now=utcnow()),
        _("The round is paused. Entrants see it at once; their time is stopped."))


@bp.post("/rounds/<int:round_id>/resume")
@requires(Action.ROUND_MANAGE)
def resume(round_id: int):
    """Resume the round: the deadlines of its attempts in progress move by the length of the pause."""
    form = InFlightForm(prefix=CLOCK)
    return _act(round_id, form, lambda: in_flight.resume_round(
        db.session, runtime(), actor=current_user, round_id=round_id, reason=form.reason.data, now=utcnow()),
        _("The round is resumed; the attempts in progress got back the time of the pause."))


@bp.post("/rounds/<int:round_id>/extend")
@requires(Action.ROUND_MANAGE)
def extend(round_id: int):
    """A later close (``closes_at`` in Vietnam time)."""
    form = ExtendForm(prefix=EXTEND)
    return _act(round_id, form, lambda: in_flight.extend_round(
        db.session, runtime(), actor=current_user, round_id=round_id, closes_at=to_utc(form.closes_at.data),
        reason=form.reason.data, now=utcnow()), _("The round's close is extended."))


@bp.post("/rounds/<int:round_id>/extra-time")
@requires(Action.ROUND_ALLOW)
def extra_time(round_id: int):
    """``minutes`` more for an entrant (``login``) or a unit's subtree (``unit_code``)."""
    form = ExtraTimeForm(prefix=EXTRA_TIME)

    def give():
        user_id, unit_id = _target(form)
        in_flight.give_extra_time(db.session, runtime(), actor=current_user, round_id=round_id,
                                  seconds=form.minutes.data * 60, user_id=user_id, unit_id=unit_id,
                                  reason=form.reason.data, now=utcnow())

    return _act(round_id, form, give, _("Extra time given."))


@bp.post("/rounds/<int:round_id>/extra-attempt")
@requires(Action.ROUND_ALLOW)
def extra_attempt(round_id: int):
    """``attempts`` more for an entrant (``login``) or a unit's subtree (``unit_code``)."""
    form = ExtraAttemptForm(prefix=EXTRA_ATTEMPT)

    def give():
        user_id, unit_id = _target(form)
        in_flight.give_extra_attempt(db.session, runtime(), actor=current_user, round_id=round_id,
                                     attempts=form.attempts.data, user_id=user_id, unit_id=unit_id,
                                     reason=form.reason.data, now=utcnow())

    return _act(round_id, form, give, _("Extra attempt given."))


def _target(form: AllowanceForm) -> tuple[int | None, int | None]:
    return in_flight.target_ids(db.session, login=form.login.data, unit_code=form.unit_code.data)


def _act(round_id: int, form: InFlightForm, change: Callable[[], object], done: str):
    """Run ``change`` on a valid form and flash what happened (each error of the form or the service); back to the
    live monitor. ``forbidden`` from the service (beyond the organiser's subtree) is a 403."""
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "error")
    else:
        try:
            change()
        except DomainError as error:
            db.session.rollback()
            if error.code == "forbidden":
                abort(403)
            for message in error.fields.values() or [error.message]:
                flash(str(message), "error")
        else:
            flash(done, "success")
    return redirect(url_for("rounds_pages.live", round_id=round_id))
