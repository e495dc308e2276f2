"""Entrant administration pages (``/organiser/entrants``): search, an entrant's page with their attempts, fixes,
(de)activation and a one-time reset code, and schools' lists of students with their printable slips.

The views are thin: every service is given the organiser's unit scope (``current_unit_scope``) and answers "not
found" (404 here) for an entrant or a unit outside it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.permissions import Action, contest_scope, current_unit_scope, requires
from contest.accounts import admin_service, entrant_lists
from contest.accounts.admin_forms import ConfirmForm, DisqualifyForm, EntrantEditForm, StudentListForm
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, socketio
from contest.i18n import vietnam_day
from contest.input_guard import upload_limit
from contest.job_pages import job_page
from contest.leaderboards.results.disqualify import disqualify as disqualify_entrant
from contest.leaderboards.results.disqualify import entrant_disqualifications
from contest.leaderboards.results.disqualify import reinstate as reinstate_entrant
from contest.leaderboards.runtime import extension
from contest.realtime.notifier import SocketIONotifier
from contest.units.search import MAX_LIMIT, UnitSearch, found_unit, search_units
from contest.units.service import unit_paths
from contest.web import show_field_errors
from question_bank.parsing import plan_in_worker
from question_bank.upload_jobs import WAITING, ImportStatus, UploadSettings, run_in_app, upload_settings

bp = Blueprint("entrants", __name__, url_prefix="/organiser/entrants")


@bp.get("/")
@requires(Action.ENTRANTS_VIEW)
def index():
    """Search by name or unit (accents and case do not matter), phone or CCCD, within the organiser's subtree."""
    query = request.args.get("q", "")[:120]
    page = request.args.get("page", "1")
    found = admin_service.search_entrants(db.session, query, scope=current_unit_scope(),
                                          page=int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 1)
    paths = unit_paths(db.session, [user.unit for user in found.entrants if user.unit])
    return render_template("organiser/entrants/index.html", query=query, found=found, paths=paths,
                           scope=current_unit_scope())


@bp.get("/<int:user_id>")
@requires(Action.ENTRANTS_VIEW)
def show(user_id: int):
    """An entrant's details, their attempts and, for those who may, the forms that change them."""
    user = _entrant_or_404(user_id)
    form = EntrantEditForm(formdata=None, full_name=user.full_name, birth_date=user.birth_date,
                           unit_code=user.unit.code if user.unit else "")
    return _show(user, form)


@bp.post("/<int:user_id>")
@requires(Action.ENTRANTS_MANAGE)
def edit(user_id: int):
    """Fix the name, birth date or unit; errors are shown per field."""
    user = _entrant_or_404(user_id)
    form = EntrantEditForm()
    if request.form.get("unit_find"):  # the unit picker's "Find" without JavaScript: a search, nothing saved
        return _show(user, form, unit_results=search_units(
            db.session, UnitSearch(request.form.get("unit_q", ""), leaf_only=True, within=current_unit_scope(),
                                   limit=MAX_LIMIT), today=vietnam_day(utcnow())))
    if form.validate_on_submit():
        try:
            admin_service.update_entrant(db.session, user_id, full_name=form.full_name.data,
                                         birth_date=form.birth_date.data, unit_code=form.unit_code.data,
                                         scope=current_unit_scope(), now=utcnow(), actor_id=current_user.id)
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("entrants.show", user_id=user_id))
    return _show(user, form), 422


@bp.post("/<int:user_id>/active")
@requires(Action.ENTRANTS_MANAGE)
def set_active(user_id: int):
    """Deactivate (every login ends at once) or reactivate, per the form's ``active`` value."""
    _entrant_or_404(user_id)
    _confirmed()
    active = request.form.get("active") == "1"
    try:
        user = admin_service.set_active(db.session, user_id, active=active, scope=current_unit_scope(), now=utcnow(),
                                        actor_id=current_user.id, notifier=SocketIONotifier())
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("entrants.show", user_id=user_id))
    flash(_("%(name)s can log in again.", name=user.full_name) if active
          else _("%(name)s is deactivated: they cannot log in, and their logins have ended.", name=user.full_name),
          "success")
    return redirect(url_for("entrants.show", user_id=user_id))


@bp.post("/<int:user_id>/reset-code")
@requires(Action.ENTRANTS_MANAGE)
def reset_code(user_id: int):
    """A one-time code (and link) for the entrant to set a new password, shown on this answer only."""
    _entrant_or_404(user_id)
    _confirmed()
    minutes = int(current_app.config["RESET_CODE_MINUTES"])
    try:
        user, code, expires = admin_service.issue_reset_code(db.session, user_id, scope=current_unit_scope(),
                                                             now=utcnow(), minutes=minutes, actor_id=current_user.id)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("entrants.show", user_id=user_id))
    link = url_for("reset.reset", login=user.phone or user.email, code=code, _external=True)
    response = current_app.make_response(render_template(
        "organiser/entrants/reset_code.html", user=user, code=code, link=link, expires=expires, minutes=minutes))
    response.cache_control.no_store = True
    return response


@bp.post("/<int:user_id>/disqualify")
@requires(Action.DISQUALIFY)
def disqualify(user_id: int):
    """Disqualify the entrant from a round or a whole contest (``where``: ``round:<id>`` or ``contest:<id>``) with
    a reason; the service checks the contest and the subtree."""
    return _disqualification(user_id, disqualify_entrant, _(
        "The entrant is disqualified: they are off the boards, and published results have a new version."))


@bp.post("/<int:user_id>/reinstate")
@requires(Action.DISQUALIFY)
def reinstate(user_id: int):
    """Lift a disqualification (``where`` as for ``disqualify``) with a reason."""
    return _disqualification(user_id, reinstate_entrant, _(
        "The entrant is reinstated: they are back on the boards, and published results have a new version."))


@bp.route("/lists", methods=["GET", "POST"])
@upload_limit("ENTRANT_UPLOAD_MAX_BYTES")
@requires(Action.ENTRANTS_IMPORT)
def list_upload():
    """Upload a list of students: stored, then checked in the background; its page follows the check."""
    form = StudentListForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("organiser/entrants/list_upload.html", form=form), status
    try:
        data = form.file.data.read()
    finally:
        form.file.data.close()
    job = entrant_lists.start_list(db.session, data=data, filename=form.file.data.filename or "",
                                   scope=current_unit_scope(), actor_id=current_user.id, now=utcnow(),
                                   folder=list_settings(current_app).folder)
    launch(current_app._get_current_object(), job.id)
    return redirect(url_for("entrants.list_job", job_id=job.id))


@bp.get("/lists/<int:job_id>")
@requires(Action.ENTRANTS_IMPORT)
def list_job(job_id: int):
    """The list's report (every bad row), "Create the accounts" when it is valid, or with ``Accept:
    application/json`` its progress (``waiting``), which the page polls."""
    job = _own_job_or_404(job_id)
    return job_page(entrant_lists.progress(job), lambda: render_template(
        "organiser/entrants/list_job.html", job=job, report=job.report or {}, waiting=job.status in WAITING,
        confirm=ConfirmForm() if job.status == ImportStatus.READY else None, form=StudentListForm(formdata=None)))


@bp.post("/lists/<int:job_id>/confirm")
@requires(Action.ENTRANTS_IMPORT)
def list_confirm(job_id: int):
    """"Create the accounts": checked again against the database as it is then, all or nothing."""
    _own_job_or_404(job_id)
    _confirmed()
    try:
        entrant_lists.confirm_list(db.session, job_id)
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        launch(current_app._get_current_object(), job_id)
    return redirect(url_for("entrants.list_job", job_id=job_id))


@bp.get("/lists/<int:job_id>/slips")
@requires(Action.ENTRANTS_IMPORT)
def slips(job_id: int):
    """The slips to print and cut: each new entrant's name, phone and first code, and where to use it."""
    job = _own_job_or_404(job_id)
    if job.status != ImportStatus.DONE:
        abort(404)
    response = current_app.make_response(render_template(
        "organiser/entrants/slips.html", job=job, reset_url=url_for("reset.reset", _external=True),
        forget=ConfirmForm()))
    response.cache_control.no_store = True
    return response


@bp.post("/lists/<int:job_id>/forget")
@requires(Action.ENTRANTS_IMPORT)
def forget_slips(job_id: int):
    """The slips are handed out: the codes' plain text is removed from the server."""
    _own_job_or_404(job_id)
    _confirmed()
    entrant_lists.forget_slips(db.session, job_id, now=utcnow(), actor_id=current_user.id)
    flash(_("The codes of these slips are no longer kept. Entrants who lose theirs get a new one from you."),
          "success")
    return redirect(url_for("entrants.list_job", job_id=job_id))


def launch(app: Flask, job_id: int) -> None:
    """The job's next step off the request (a greenlet under gevent), as the bank's imports run."""
    socketio.start_background_task(run_job, app, job_id)


def run_job(app: Flask, job_id: int) -> None:
    settings = list_settings(app)
    run_in_app(app, lambda session: entrant_lists.run_step(
        session, job_id, settings=settings, slip_days=int(app.config["SLIP_CODE_DAYS"]), clock=utcnow,
        worker=lambda request: plan_in_worker(request, timeout=settings.timeout_s)))


def list_settings(app: Flask) -> UploadSettings:
    """The bank upload's row, cell and unpacking limits, this upload's own byte cap."""
    return upload_settings(app.config, max_bytes_setting="ENTRANT_UPLOAD_MAX_BYTES",
                           folder=Path(app.instance_path) / "entrant_uploads")


def _show(user, form: EntrantEditForm, unit_results=None):
    attempts = admin_service.entrant_attempts(db.session, user.id)
    chosen = found_unit(db.session, code=form.unit_code.data or "")
    return render_template("organiser/entrants/show.html", user=user, form=form, confirm=ConfirmForm(),
                           chosen_unit=chosen, unit_results=unit_results,
                           unit_q=request.form.get("unit_q", chosen.name if chosen else "")[:100],
                           attempts=attempts, disqualifications=entrant_disqualifications(db.session, user.id),
                           disqualify_form=DisqualifyForm(formdata=None), targets=_targets(attempts),
                           unit_path=unit_paths(db.session, [user.unit]).get(user.unit_id) if user.unit else None)


def _targets(attempts) -> list[tuple[str, str]]:
    """What the entrant can be disqualified from, as ``(where, label)``: each contest they took part in within the
    organiser's contests, then each of its rounds they took."""
    scope = contest_scope()
    targets: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _attempt, round_, contest in attempts:
        if scope is not None and contest.id not in scope:
            continue
        for where, label in ((f"contest:{contest.id}", _("%(contest)s (the whole contest)", contest=contest.title)),
                             (f"round:{round_.id}", f"{contest.title} · {round_.title}")):
            if where not in seen:
                seen.add(where)
                targets.append((where, label))
    return targets


def _disqualification(user_id: int, act, done: str):
    _entrant_or_404(user_id)
    back = redirect(url_for("entrants.show", user_id=user_id, _anchor="disqualification"))
    form = DisqualifyForm()
    if not form.validate_on_submit():
        flash(" ".join(str(message) for messages in form.errors.values() for message in messages), "error")
        return back
    kind, _sep, number = (form.where.data or "").partition(":")
    if kind not in ("round", "contest") or not number.isascii() or not number.isdigit() or len(number) > 9:
        flash(_("Choose a round or the whole contest."), "error")
        return back
    try:
        act(db.session, actor=current_user, entrant_id=user_id, reason=form.reason.data, now=utcnow(),
            boards=extension(current_app).boards, questions=runtime().questions, **{f"{kind}_id": int(number)})
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return back


def _confirmed() -> None:
    """A button's POST carries a valid CSRF token, else 400."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _entrant_or_404(user_id: int):
    try:
        return admin_service.entrant_in_scope(db.session, user_id, scope=current_unit_scope())
    except DomainError:
        abort(404)


def _own_job_or_404(job_id: int) -> entrant_lists.EntrantListJob:
    """Only its uploader follows a list (it holds the first codes of the accounts); others get 404."""
    job = db.session.get(entrant_lists.EntrantListJob, job_id)
    if job is None or job.created_by_id != current_user.id:
        abort(404)
    return job
