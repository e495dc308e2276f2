"""The entrant's pages: their rounds, the attempt page (played by static/js/attempt.js over /play), the result
and the review. Only the entrant's own attempts: another's is refused (403), an unknown one is 404."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from contest.attempts import history
from contest.attempts.models import Status
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.i18n import CONTEST_TIME_ZONE
from contest.rounds.models import Round

pages = Blueprint("attempts_pages", __name__)


@pages.app_template_filter("local_time")
def local_time(moment: datetime | None) -> str:
    """A moment in Vietnam's time, day first."""
    if moment is None:
        return ""
    return format_datetime(moment, "HH:mm dd/MM/yyyy", tzinfo=CONTEST_TIME_ZONE, locale=get_locale())


@pages.app_template_filter("duration")
def duration(ms: int | None) -> str:
    """Milliseconds as minutes:seconds.tenths ("4:05.3")."""
    if ms is None:
        return "–"
    tenths = ms // 100
    return f"{tenths // 600}:{tenths // 10 % 60:02d}.{tenths % 10}"


@pages.app_template_filter("time_limit")
def time_limit(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return _("%(minutes)d min", minutes=minutes)
    if not minutes:
        return _("%(seconds)d s", seconds=rest)
    return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=rest)


def _refuse(error: DomainError):
    abort(403 if error.code == "forbidden" else 404)


@pages.get("/rounds")
@login_required
def rounds():
    listed = history.entrant_rounds(db.session, user_id=current_user.id, now=utcnow())
    return render_template("attempts/rounds.html", rounds=listed)


@pages.get("/rounds/<int:round_id>/play")
@login_required
def play(round_id: int):
    """The attempt page. It continues the attempt in progress, or offers to start one when the round is open."""
    round_ = db.session.get(Round, round_id) or abort(404)
    listed = history.entrant_rounds(db.session, user_id=current_user.id, now=utcnow())
    mine = next((r for r in listed.open if r.id == round_id), None)
    if mine is None or not mine.can_start:
        flash(_("This round is not open to you now.") if mine is None
              else _("You have used all your attempts for this round."), "error")
        return redirect(url_for("attempts_pages.rounds"))
    return render_template("attempts/play.html", round=round_, mine=mine)


@pages.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    try:
        shown = history.attempt_result(db.session, user_id=current_user.id, attempt_id=attempt_id, now=utcnow())
    except DomainError as error:
        _refuse(error)
    if shown.attempt.status == Status.IN_PROGRESS:
        return redirect(url_for("attempts_pages.play", round_id=shown.round_id))
    return render_template("attempts/result.html", shown=shown)


@pages.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    now = utcnow()
    try:
        shown = history.attempt_result(db.session, user_id=current_user.id, attempt_id=attempt_id, now=now)
        questions = history.attempt_review(db.session, runtime(), user_id=current_user.id,
                                           attempt_id=attempt_id, now=now) if shown.review_open else []
    except DomainError as error:
        _refuse(error)
    return render_template("attempts/review.html", shown=shown, questions=questions)
