"""Organiser exports of a round as jobs: a POST starts one and leads to its page, whose script polls the job's
progress (the same address, asking for JSON) every second and then offers the file. Scoped like every organiser
page (``requires``); a job is reached only through its own round, by whoever started it (or an admin), and writes
the rows of its creator's scope (``exports.jobs.job_scope``)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.guards import round_or_abort
from contest.access.permissions import Action, requires
from contest.attempts.runtime import runtime
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, socketio
from contest.leaderboards.exports.jobs import (
    PERSONAL,
    ExportJob,
    JobStatus,
    export_dir,
    progress,
    record_download,
    run_export,
    start_export,
)
from contest.privacy.disclosure import may_see_personal_data
from contest.web import whole_number

bp = Blueprint("leaderboards_export_pages", __name__, url_prefix="/organiser")
MIMETYPES = {"csv": "text/csv",  # werkzeug adds "; charset=utf-8"
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.post("/rounds/<int:round_id>/exports/<any(ranking, units, answers, contacts):what>.<any(csv, xlsx):fmt>")
@requires(Action.ROUND_EXPORT)
def start(round_id: int, what: str, fmt: str):
    """``version`` (a form field) picks a published version of the ranking; without it, the latest (or the
    draft when nothing is published). The prize contacts (personal data) only for ``may_see_personal_data``.
    ``lang`` (a form field or the query, ``vi|en``) is the file's language; without it, the page's."""
    round_or_abort(round_id)
    _personal_or_abort(what)
    app = current_app._get_current_object()
    try:
        job = start_export(db.session, round_id=round_id, what=what, fmt=fmt,
                           version=request.form.get("version", type=int), actor_id=current_user.id, now=utcnow(),
                           directory=export_dir(app.instance_path), places=_places(request.form.get("places", "")),
                           lang=request.values.get("lang") or str(get_locale()))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("leaderboards_organiser_pages.show", round_id=round_id))
    launch(app, job.id)
    return redirect(url_for("leaderboards_export_pages.job", round_id=round_id, job_id=job.id))


@bp.get("/rounds/<int:round_id>/exports/<int:job_id>")
@requires(Action.ROUND_EXPORT)
def job(round_id: int, job_id: int):
    """The job's page, or (``Accept: application/json``) its progress: ``{ok, id, round_id, what, fmt, version,
    status: queued|running|done|failed, rows_done, rows_total (null until counted), error, file_name, created_at,
    finished_at, download_url (null until done)}``."""
    round_ = round_or_abort(round_id)
    found = _job_or_abort(round_id, job_id)
    download = (url_for("leaderboards_export_pages.download", round_id=round_id, job_id=job_id)
                if found.status == JobStatus.DONE else None)
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify({"ok": True, **progress(found), "download_url": download})
    else:
        response = current_app.make_response(render_template("leaderboards/export_job.html", round=round_,
                                                             job=found, download_url=download))
    response.cache_control.no_store = True
    response.vary.add("Accept")
    return response


@bp.get("/rounds/<int:round_id>/exports/<int:job_id>/download")
@requires(Action.ROUND_EXPORT)
def download(round_id: int, job_id: int):
    round_ = round_or_abort(round_id)
    found = _job_or_abort(round_id, job_id)
    _personal_or_abort(found.what)
    if found.status != JobStatus.DONE:
        return render_template("error.html", title="409",
                               message=_("The file is not ready yet: wait until its export is done.")), 409
    path = export_dir(current_app.instance_path) / found.path
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=MIMETYPES[found.fmt], as_attachment=True,
                         download_name=found.download_name)
    response.cache_control.no_store = True
    record_download(db.session, found, round_, actor_id=current_user.id, now=utcnow())
    return response


def launch(app: Flask, job_id: int) -> None:
    """Run the job in this process, off the request: a greenlet under gevent (a thread under ``threading``)."""
    socketio.start_background_task(_run, app, job_id)


def _run(app: Flask, job_id: int) -> None:
    # Its own app context, so its own database session, which it hands back at the end.
    with app.app_context():
        try:
            run_export(db.session, job_id, questions=runtime().questions, directory=export_dir(app.instance_path),
                       pause=lambda: socketio.sleep(0))
        finally:
            db.session.remove()


def _places(raw: str) -> int | None:
    """The prize places asked for: empty means every rank; anything but a whole number is 0, which the service
    refuses with its message (never every rank by mistake)."""
    try:
        return whole_number(raw)
    except ValueError:
        return 0


def _personal_or_abort(what: str) -> None:
    if what in PERSONAL and not may_see_personal_data(current_user):
        abort(403)


def _job_or_abort(round_id: int, job_id: int) -> ExportJob:
    """The round's job, to the organiser who started it (its rows are limited to their scope) or an admin."""
    found = db.session.get(ExportJob, job_id)
    if found is None or found.round_id != round_id:
        abort(404)
    if found.created_by_id != current_user.id and not current_user.is_admin:
        abort(404)
    return found
