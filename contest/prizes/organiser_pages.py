"""Organiser pages of prizes and certificates: a contest's prize rules and certificate template, a round's own
rules, its award set versions with their changelogs, the prize committee's export and the round's certificates as
a job. Guarded by ``requires``; every change is checked for scope again and audited in its service."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.guards import contest_or_abort, round_or_abort
from contest.access.permissions import Action, requires
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, socketio
from contest.job_pages import job_page
from contest.leaderboards.models import JobStatus
from contest.prizes.certificate_jobs import image_dir, job_dir, progress, run_job, start_job
from contest.prizes.certificate_pdf import PLACEHOLDERS
from contest.prizes.certificates import set_template, template_of
from contest.prizes.export import export_prizes
from contest.prizes.labels import TIE_BREAKS
from contest.prizes.models import CertificateJob
from contest.prizes.queries import lines
from contest.prizes.rules import RANK_PRIZES, UNIT_MEASURES, from_json
from contest.prizes.service import award_sets, awards_of, effective_rules, rule_row, set_rules
from contest.rounds.models import Contest

bp = Blueprint("prizes_organiser_pages", __name__, url_prefix="/organiser")
MIMETYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _form_of(rules) -> dict:
    data = rules.to_json()
    return {**{name: data["quotas"][name] for name in RANK_PRIZES}, "min_score": data["min_score"],
            "one_per_contest": data["one_per_contest"], "best_of_levels": "\n".join(data["best_of_levels"]),
            "unit_prizes": "\n".join(f"{u['level']}, {u['by']}, {u['places']}" for u in data["unit_prizes"])}


@bp.get("/contests/<int:contest_id>/prizes")
@requires(Action.CONTEST_VIEW)
def contest_rules(contest_id: int):
    """The contest's prize rules (every round's unless a round has its own) and certificate template."""
    return _contest_page(contest_or_abort(contest_id))


@bp.post("/contests/<int:contest_id>/prizes")
@requires(Action.CONTEST_MANAGE)
def save_contest_rules(contest_id: int):
    """Set the contest's prize rules (the prizes of its published rounds are recomputed)."""
    contest = contest_or_abort(contest_id)
    return _save_rules(contest_id, None, lambda errors: _contest_page(contest, errors=errors, form=request.form),
                       url_for("prizes_organiser_pages.contest_rules", contest_id=contest_id))


def _save_rules(contest_id: int, round_id: int | None, page, done: str):
    """Save the posted rules; on a refusal the form again (``page(errors)``), else back to ``done``."""
    try:
        set_rules(db.session, current_user, contest_id=contest_id, round_id=round_id, raw=request.form, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        return page(error.fields)
    flash(_("The prize rules are saved; the prizes of published rounds are recomputed."), "success")
    return redirect(done)


def _contest_page(contest, *, errors=None, form=None):
    row = rule_row(db.session, contest.id, None)
    return render_template("prizes/organiser_contest.html", contest=contest, errors=errors or {},
                           form=form or _form_of(from_json(row.rules if row else None)), measures=UNIT_MEASURES,
                           template=template_of(db.session, contest.id), placeholders=PLACEHOLDERS,
                           tie_breaks=TIE_BREAKS), 400 if errors else 200


@bp.post("/contests/<int:contest_id>/certificate")
@requires(Action.CONTEST_MANAGE)
def certificate_template(contest_id: int):
    """Save the contest's certificate template (title, text, signer, logo and signature images)."""
    contest_or_abort(contest_id)

    def upload(name):
        file = request.files.get(name)
        return file.read() if file and file.filename else None

    try:
        set_template(db.session, current_user, contest_id=contest_id, title=request.form.get("title", ""),
                     body=request.form.get("body", ""), signer=request.form.get("signer", ""),
                     logo=upload("logo"), signature=upload("signature"),
                     directory=image_dir(current_app.instance_path), now=utcnow())
        flash(_("The certificate template is saved."), "success")
    except DomainError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        for message in error.fields.values():
            flash(str(message), "error")
    return redirect(url_for("prizes_organiser_pages.contest_rules", contest_id=contest_id))


@bp.get("/rounds/<int:round_id>/prizes")
@requires(Action.ROUND_VIEW)
def round_rules(round_id: int):
    """The round's rules (its own or the contest's), its award set versions with their changelogs, the export
    and the certificates job."""
    return _round_page(round_or_abort(round_id))


@bp.post("/rounds/<int:round_id>/prizes")
@requires(Action.ROUND_MANAGE)
def save_round_rules(round_id: int):
    """Set the round's own prize rules (``clear``: follow the contest's again); its prizes are recomputed."""
    round_ = round_or_abort(round_id)
    return _save_rules(round_.contest_id, round_id,
                       lambda errors: _round_page(round_, errors=errors, form=request.form),
                       url_for("prizes_organiser_pages.round_rules", round_id=round_id))


def _round_page(round_, *, errors=None, form=None):
    rules, source = effective_rules(db.session, round_)
    contest = db.session.get(Contest, round_.contest_id)
    sets = award_sets(db.session, round_.id)
    shown = lines(db.session, awards_of(db.session, sets[0].id), contest.name_style) if sets else []
    return render_template("prizes/organiser_round.html", round=round_, errors=errors or {}, source=source,
                           form=form or _form_of(rules), measures=UNIT_MEASURES, sets=sets, shown=shown,
                           tie_breaks=TIE_BREAKS), 400 if errors else 200


@bp.get("/rounds/<int:round_id>/prizes.<any(csv, xlsx):fmt>")
@requires(Action.ROUND_EXPORT)
def export(round_id: int, fmt: str):
    """The prize committee's file of the round's latest prizes (contacts for contest-level staff; audited)."""
    round_or_abort(round_id)
    try:
        data, name = export_prizes(db.session, current_user, round_id=round_id, fmt=fmt, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        flash(str(error.message), "error")
        return redirect(url_for("prizes_organiser_pages.round_rules", round_id=round_id))
    response = current_app.response_class(data, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.cache_control.no_store = True
    return response


@bp.post("/rounds/<int:round_id>/certificates")
@requires(Action.ROUND_EXPORT)
def certificates_start(round_id: int):
    """Start writing the round's certificates (``only_prizes``: the winners only) and go to the job's page."""
    round_or_abort(round_id)
    app = current_app._get_current_object()
    try:
        job = start_job(db.session, current_user, round_id=round_id, only_prizes=bool(request.form.get("only_prizes")),
                        now=utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        flash(str(error.message), "error")
        return redirect(url_for("prizes_organiser_pages.round_rules", round_id=round_id))
    launch(app, job.id, url_for("prizes_pages.verify_page", code="CODE", _external=True))
    return redirect(url_for("prizes_organiser_pages.certificates_job", round_id=round_id, job_id=job.id))


@bp.get("/rounds/<int:round_id>/certificates/<int:job_id>")
@requires(Action.ROUND_EXPORT)
def certificates_job(round_id: int, job_id: int):
    """The job's page, or (``Accept: application/json``) its progress, shaped like an export job's."""
    round_ = round_or_abort(round_id)
    found = _job_or_abort(round_id, job_id)
    download = (url_for("prizes_organiser_pages.certificates_download", round_id=round_id, job_id=job_id)
                if found.status == JobStatus.DONE else None)
    return job_page({**progress(found), "download_url": download},
                    lambda: render_template("prizes/certificate_job.html", round=round_, job=found,
                                            download_url=download))


@bp.get("/rounds/<int:round_id>/certificates/<int:job_id>/download")
@requires(Action.ROUND_EXPORT)
def certificates_download(round_id: int, job_id: int):
    round_or_abort(round_id)
    found = _job_or_abort(round_id, job_id)
    if found.status != JobStatus.DONE:
        return render_template("error.html", title="409",
                               message=_("The file is not ready yet: wait until its export is done.")), 409
    path = job_dir(current_app.instance_path) / found.path
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=found.download_name)
    response.cache_control.no_store = True
    return response


def launch(app: Flask, job_id: int, verify_template: str) -> None:
    """Run the job in this process, off the request (a greenlet under gevent, a thread under ``threading``)."""
    socketio.start_background_task(_run, app, job_id, verify_template)


def _run(app: Flask, job_id: int, verify_template: str) -> None:
    with app.app_context():
        try:
            run_job(db.session, job_id, directory=job_dir(app.instance_path), images=image_dir(app.instance_path),
                    verify_url=lambda code: verify_template.replace("CODE", code), pause=lambda: socketio.sleep(0))
        finally:
            db.session.remove()


def _job_or_abort(round_id: int, job_id: int) -> CertificateJob:
    found = db.session.get(CertificateJob, job_id)
    if found is None or found.round_id != round_id:
        abort(404)
    if found.created_by_id != current_user.id and not current_user.is_admin:
        abort(404)
    return found
