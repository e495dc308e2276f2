"""The organisers' fair-play pages (``/organiser/contests/<id>/fairplay``): the review queue of flagged attempts,
computing the signals, clearing or confirming a flag with a reason, and the contest's thresholds. Thin: the
services (``contest.fairplay.review``) check the scope and audit every change."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.permissions import Action, requires
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.fairplay import review
from contest.fairplay.evidence import evidence
from contest.fairplay.models import ReviewStatus
from contest.fairplay.signals import Thresholds
from contest.leaderboards.runtime import extension
from contest.rounds.models import Contest

bp = Blueprint("fairplay_pages", __name__, url_prefix="/organiser/contests/<int:contest_id>/fairplay")


def _or_abort(call):
    try:
        return call()
    except DomainError as error:
        abort(404 if error.code == "not_found" else 403 if error.code == "forbidden" else 400)


@bp.get("/")
@requires(Action.FAIRPLAY_REVIEW)
def queue(contest_id: int):
    """Flagged attempts, strongest first, each with its evidence in words; ``?status=cleared|confirmed`` shows the
    decided ones."""
    status = request.args.get("status", ReviewStatus.FLAGGED.value)
    if status not in {s.value for s in ReviewStatus}:
        status = ReviewStatus.FLAGGED.value
    rows = _or_abort(lambda: review.queue(db.session, current_user, contest_id, status=ReviewStatus(status)))
    return render_template("fairplay/queue.html", contest=db.session.get(Contest, contest_id), rows=rows,
                           status=status, evidence=evidence)


@bp.post("/scan")
@requires(Action.FAIRPLAY_DECIDE)
def scan(contest_id: int):
    """Compute the contest's signals now and bring the queue up to date."""
    report = _or_abort(lambda: review.scan_contest(db.session, current_user, contest_id, now=utcnow()))
    flash(_("Signals computed for %(attempts)s attempts: %(flagged)s flagged, %(new)s of them new.",
            attempts=report.attempts, flagged=report.flagged, new=report.new), "success")
    return redirect(url_for("fairplay_pages.queue", contest_id=contest_id))


@bp.post("/<int:attempt_id>")
@requires(Action.FAIRPLAY_DECIDE)
def decide(contest_id: int, attempt_id: int):
    """Clear or confirm one flagged attempt (``decision``) with a ``reason``."""
    decision = request.form.get("decision", "")
    try:
        review.decide(db.session, current_user, contest_id, attempt_id, decision=decision,
                      reason=request.form.get("reason", ""), now=utcnow(), boards=extension(current_app).boards,
                      questions=runtime().questions)
    except DomainError as error:
        if error.code == "forbidden":
            abort(403)
        flash("; ".join(str(message) for message in error.fields.values()) or str(error.message), "error")
        return redirect(url_for("fairplay_pages.queue", contest_id=contest_id))
    flash(_("Confirmed: the entrant is disqualified from the round, off the boards, and published results have a "
            "new version.") if decision == "confirm"
          else _("Cleared: nothing wrong with this attempt."), "success")
    return redirect(url_for("fairplay_pages.queue", contest_id=contest_id))


@bp.get("/settings")
@requires(Action.FAIRPLAY_REVIEW)
def settings(contest_id: int):
    """The contest's thresholds, with what each means and its default."""
    return _settings_page(contest_id, {})


@bp.post("/settings")
@requires(Action.FAIRPLAY_DECIDE)
def save_settings(contest_id: int):
    """Change the contest's thresholds; a value that is not a number above zero is shown against its field."""
    try:
        review.save_settings(db.session, current_user, contest_id, request.form.to_dict(), now=utcnow())
    except DomainError as error:
        if error.code in ("not_found", "forbidden"):
            abort(404 if error.code == "not_found" else 403)
        return _settings_page(contest_id, {name: str(message) for name, message in error.fields.items()})
    flash(_("Saved."), "success")
    return redirect(url_for("fairplay_pages.settings", contest_id=contest_id))


def _settings_page(contest_id: int, errors: dict):
    current = _or_abort(lambda: review.settings_of(db.session, current_user, contest_id))
    return render_template("fairplay/settings.html", contest=db.session.get(Contest, contest_id),
                           current=current.as_dict(), defaults=Thresholds().as_dict(), errors=errors,
                           labels=threshold_labels()), 422 if errors else 200


def threshold_labels() -> dict[str, str]:
    """What each threshold means, for the settings page (docs: ``contest.fairplay.signals``)."""
    return {
        "read_chars_per_s": _("Reading speed: characters a second no one reads faster than"),
        "min_answer_s": _("Seconds to see the options and tap one, without reading"),
        "fast_answers": _("Answers faster than reading needed for a flag"),
        "fast_share": _("… and their share of the attempt's answers (0 to 1)"),
        "total_s_per_question": _("Shortest believable whole attempt, in seconds a question"),
        "regular_cv": _("Intervals between answers too regular below this variation (0 to 1)"),
        "regular_min": _("… over at least this many intervals"),
        "same_sequence_group": _("Entrants with the same answers and timings needed for a flag"),
        "timing_bucket_s": _("Timings compared to this many seconds"),
        "min_answers": _("Answers an attempt needs for its sequence to be compared"),
        "device_entrants": _("Entrants on one device needed for a flag"),
        "address_entrants": _("Entrants on one address needed for a flag"),
        "burst_registrations": _("Registrations from one address in a burst"),
        "burst_window_s": _("… within this many seconds"),
        "accuracy_jump": _("Rise in the share of correct answers between attempts (0 to 1)"),
        "flag_strength": _("Strength at which an attempt is flagged for review"),
    }
