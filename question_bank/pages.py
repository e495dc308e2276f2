"""Organiser pages of the bank under /organiser/bank. Thin: read the form, call a service, render."""

from __future__ import annotations

import io
from pathlib import Path

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
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from contest.access.guards import round_or_abort
from contest.access.permissions import Action, contest_scope, may_change_question, requires
from contest.accounts.models import Role
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, socketio
from contest.input_guard import upload_limit
from contest.job_pages import job_page
from contest.web import show_field_errors, whole_number
from question_bank import import_jobs, key_guard, service
from question_bank.exporting import export_questions
from question_bank.formats import EXTENSIONS, FORMATS, MEDIA_TYPES
from question_bank.forms import (
    DIFFICULTY_NAMES,
    FORMAT_NAMES,
    TYPE_NAMES,
    ActiveForm,
    ConfirmImportForm,
    ImportForm,
    QuestionForm,
    RefreshStatsForm,
    SearchForm,
    TopicForm,
)
from question_bank.media import media_url
from question_bank.parsing import plan_in_worker
from question_bank.stats_export import STATS_FORMATS
from question_bank.stored_stats import (
    SERVER_CHUNK,
    cooperative_pause,
    export_round_stats,
    question_stats,
    refresh_round_stats,
    round_state,
    rounds_overview,
    stored_round_rows,
)
from question_bank.upload_jobs import run_in_app, upload_settings
from question_bank.vocabulary import Difficulty

bp = Blueprint("question_bank_pages", __name__, url_prefix="/organiser/bank", template_folder="templates")


@bp.context_processor
def vocabulary():
    return {"difficulty_names": DIFFICULTY_NAMES, "type_names": TYPE_NAMES, "format_names": FORMAT_NAMES,
            "share": _share, "index": _index, "media_url": media_url}


def _share(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "0.0%")


def _index(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, "0.00")


@bp.get("/")
@requires(Action.BANK_VIEW)
def index():
    form = SearchForm(request.args)
    topics = service.list_topics(db.session)
    form.topic.choices = [SelectChoice("", _("All topics")),
                          *(SelectChoice(str(topic.id), topic.name) for topic, _count in topics)]
    active = {"1": True, "0": False}.get(request.args.get("active", "1"))
    query = service.SearchQuery(
        text=(form.q.data or "")[:200], topic_id=_int(request.args.get("topic")),
        difficulty=_difficulty(form.difficulty.data),
        active=active, page=_int(request.args.get("page")) or 1,
    )
    results = service.search_questions(db.session, query)
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("bank/index.html", form=form, results=results, args=args, has_topics=bool(topics))


@bp.route("/new", methods=["GET", "POST"])
@upload_limit("BANK_QUESTION_FORM_MAX_BYTES")
@requires(Action.BANK_EDIT)
def create():
    form = _question_form()
    if form.validate_on_submit():
        try:
            question = service.create_question(db.session, form.raw_question(), topic_id=form.topic_id.data,
                                               now=utcnow(), actor_id=current_user.id, images=_image_changes(form))
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Question #%(id)s created.", id=question.id), "success")
            return redirect(url_for("question_bank_pages.show", question_id=question.id))
    return render_template("bank/form.html", form=form, question=None, content=None)


@bp.get("/<int:question_id>")
@requires(Action.BANK_VIEW)
def show(question_id: int):
    question, content, revisions = _get(question_id)
    round_stats = question_stats(db.session, question_id, contest_ids=contest_scope(), now=utcnow())
    return render_template("bank/show.html", question=question, content=content, revisions=revisions,
                           may_change=_may_change(question),
                           active_form=ActiveForm(active="0" if question.active else "1"), round_stats=round_stats,
                           readmit_form=RefreshStatsForm())


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@upload_limit("BANK_QUESTION_FORM_MAX_BYTES")
@requires(Action.BANK_EDIT)
def edit(question_id: int):
    question, content, _revisions = _get(question_id)
    if not _may_change(question):
        return _shared_question()
    form = _question_form()
    if request.method == "GET":
        form.fill_from(content, question.topic_id)
    elif form.validate_on_submit():
        try:
            service.edit_question(db.session, question_id, form.raw_question(), topic_id=form.topic_id.data,
                                  now=utcnow(), actor_id=current_user.id, images=_image_changes(form))
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Question #%(id)s saved.", id=question_id), "success")
            return redirect(url_for("question_bank_pages.show", question_id=question_id))
    return render_template("bank/form.html", form=form, question=question, content=content)


@bp.post("/<int:question_id>/active")
@requires(Action.BANK_EDIT)
def set_active(question_id: int):
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    question, _content, _revisions = _get(question_id)
    if not _may_change(question):
        return _shared_question()
    active = form.active.data == "1"
    service.set_active(db.session, question_id, active, now=utcnow(), actor_id=current_user.id)
    flash(_("Question #%(id)s is active again.", id=question_id) if active
          else _("Question #%(id)s is deactivated: it will not be drawn.", id=question_id), "success")
    return redirect(url_for("question_bank_pages.show", question_id=question_id))


@bp.post("/<int:question_id>/readmit")
@requires(Action.BANK_EDIT)
def readmit(question_id: int):
    """Let rounds opening from now on draw a question whose answer entrants have already seen."""
    if not RefreshStatsForm().validate_on_submit():
        abort(400)
    question, _content, _revisions = _get(question_id)
    if not _may_change(question):
        return _shared_question()
    try:
        key_guard.readmit(db.session, question_id=question_id, now=utcnow(), actor_id=current_user.id)
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Question #%(id)s can be drawn again by rounds that open from now on.", id=question_id), "success")
    return redirect(url_for("question_bank_pages.show", question_id=question_id))


@bp.route("/import", methods=["GET", "POST"])
@upload_limit("BANK_UPLOAD_MAX_BYTES")
@requires(Action.BANK_EDIT)
def import_upload():
    """Upload: the file is stored and its check (the dry run) starts in the background; its page follows it.
    A body over ``BANK_UPLOAD_MAX_BYTES`` was refused (413) before anything read it (``contest.input_guard``)."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("bank/import.html", form=form, error=None), status
    data, images = _read_upload(form.file.data), _read_upload(form.images.data)
    options = {"format": form.format.data or "", "topic": form.topic.data or "",
               "difficulty": form.difficulty.data or "", "skip_existing": bool(form.skip_existing.data)}
    job = import_jobs.start_import(db.session, data=data, filename=form.file.data.filename or "", options=options,
                                   actor_id=current_user.id, now=utcnow(), folder=import_settings(current_app).folder,
                                   images=images)
    launch(current_app._get_current_object(), job.id)
    return redirect(url_for("question_bank_pages.import_job", job_id=job.id))


def _read_upload(upload) -> bytes | None:
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return upload.read()
    finally:
        upload.close()  # a large upload waits in a temporary file: let it go now


@bp.get("/import/<int:job_id>")
@requires(Action.BANK_EDIT)
def import_job(job_id: int):
    """The job's page (its report once checked, with "Import now" when the file is valid), or with
    ``Accept: application/json`` its progress: ``{ok, id, status, filename, questions_total, questions_done,
    waiting, error, finished_at}``; the page's script polls it while ``waiting`` and then reloads."""
    job = _own_job_or_abort(job_id)
    return job_page(import_jobs.progress(job), lambda: render_template(
        "bank/import_job.html", job=job, report=job.report or {}, waiting=job.status in import_jobs.WAITING,
        confirm=ConfirmImportForm() if job.status == import_jobs.ImportStatus.READY else None,
        form=ImportForm(formdata=None)))


@bp.post("/import/<int:job_id>/confirm")
@requires(Action.BANK_EDIT)
def import_confirm(job_id: int):
    """"Import now": the import runs in the background, checked again against the bank as it is then."""
    _own_job_or_abort(job_id)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    try:
        import_jobs.confirm_import(db.session, job_id)
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        launch(current_app._get_current_object(), job_id)
    return redirect(url_for("question_bank_pages.import_job", job_id=job_id))


def launch(app: Flask, job_id: int) -> None:
    """Run the job's next step off the request: a greenlet under gevent, whose wait for the parsing child
    yields to the other connections (a thread under ``threading``)."""
    socketio.start_background_task(run_job, app, job_id)


def run_job(app: Flask, job_id: int) -> None:
    """The background step, in its own app context and database session, handed back at the end."""
    settings = import_settings(app)
    run_in_app(app, lambda session: import_jobs.run_step(
        session, job_id, settings=settings, clock=utcnow, pause=lambda: socketio.sleep(0),
        worker=lambda request: plan_in_worker(request, timeout=settings.timeout_s)))


def import_settings(app: Flask) -> import_jobs.ImportSettings:
    return upload_settings(app.config, max_bytes_setting="BANK_UPLOAD_MAX_BYTES",
                           folder=Path(app.instance_path) / "bank_uploads")


def _own_job_or_abort(job_id: int) -> import_jobs.ImportJob:
    """Only its uploader follows a job (the file may hold a bank not yet public); others get 404."""
    job = db.session.get(import_jobs.ImportJob, job_id)
    if job is None or job.created_by_id != current_user.id:
        abort(404)
    return job


@bp.get("/export")
@requires(Action.BANK_EXPORT)
def export():
    fmt = request.args.get("format", "xlsx")
    if fmt not in FORMATS:
        abort(404)
    topic_id = _int(request.args.get("topic"))
    data, _count, withheld = export_questions(
        db.session, fmt, now=utcnow(), topic_id=topic_id, include_inactive=request.args.get("inactive") == "1",
        every_key=current_user.role == Role.ADMIN, actor_id=current_user.id)
    name = f"ngan_hang_cau_hoi_{utcnow():%Y%m%d}.{EXTENSIONS[fmt]}"
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name)
    response.headers["X-Withheld-Questions"] = str(withheld)
    return response


@bp.get("/stats/")
@requires(Action.BANK_STATS)
def stats_index():
    """Every round in the organiser's scope and whether its item statistics are stored."""
    return render_template("bank/stats_index.html", rounds=rounds_overview(db.session, contest_ids=contest_scope()))


@bp.get("/stats/<int:round_id>")
@requires(Action.BANK_STATS)
def round_stats_page(round_id: int):
    """A round's stored item statistics, one row per question, with "Compute now"."""
    round_ = round_or_abort(round_id)
    computed_at, _count = round_state(db.session, round_id)
    return render_template("bank/round_stats.html", round=round_, computed_at=computed_at,
                           rows=stored_round_rows(db.session, round_id, utcnow()), form=RefreshStatsForm(),
                           closed=round_.status(utcnow()) == "closed")


@bp.post("/stats/<int:round_id>/refresh")
@requires(Action.BANK_STATS)
def refresh_stats(round_id: int):
    """Compute the round's statistics now, in this request (minutes for a national round); the page says so."""
    if not RefreshStatsForm().validate_on_submit():
        abort(400)
    round_or_abort(round_id)
    try:
        count = refresh_round_stats(db.session, round_id, utcnow(), chunk=SERVER_CHUNK,
                                    pause=cooperative_pause(db.session))
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Statistics computed for %(count)s questions.", count=count), "success")
    return redirect(url_for("question_bank_pages.round_stats_page", round_id=round_id))


@bp.get("/stats/<int:round_id>.<any(csv, xlsx):fmt>")
@requires(Action.BANK_STATS)
def round_stats(round_id: int, fmt: str):
    """Item statistics of a round's finalised attempts, one row per question: the stored rows, computed and
    stored first when the round has none."""
    round_or_abort(round_id)
    data, _count = export_round_stats(db.session, round_id, fmt, utcnow(), chunk=SERVER_CHUNK,
                                      pause=cooperative_pause(db.session))
    return send_file(io.BytesIO(data), mimetype=STATS_FORMATS[fmt], as_attachment=True,
                     download_name=f"thong_ke_cau_hoi_vong_{round_id}.{fmt}")


@bp.route("/topics", methods=["GET", "POST"])
@requires(Action.BANK_EDIT)
def topics():
    form = TopicForm(prefix="new")
    if form.validate_on_submit():
        if _save_topic(form, None):
            return redirect(url_for("question_bank_pages.topics"))
    rename_forms = {topic.id: TopicForm(prefix=f"t{topic.id}", name=topic.name)
                    for topic, _count in service.list_topics(db.session)}
    return render_template("bank/topics.html", form=form, topics=service.list_topics(db.session),
                           rename_forms=rename_forms)


@bp.post("/topics/<int:topic_id>")
@requires(Action.BANK_EDIT)
def rename_topic(topic_id: int):
    form = TopicForm(prefix=f"t{topic_id}")
    if form.validate_on_submit():
        _save_topic(form, topic_id)
    else:
        flash(_("Enter a name of at most 200 characters."), "error")
    return redirect(url_for("question_bank_pages.topics"))


def _save_topic(form: TopicForm, topic_id: int | None) -> bool:
    try:
        topic = service.save_topic(db.session, form.name.data, now=utcnow(), actor_id=current_user.id,
                                   topic_id=topic_id)
    except DomainError as error:
        flash(str(error.fields.get("name", error.message)), "error")
        return False
    flash(_("Topic %(name)s saved.", name=topic.name), "success")
    return True


def _question_form() -> QuestionForm:
    form = QuestionForm()
    form.topic_id.choices = [SelectChoice(str(t.id), t.name) for t, _count in service.list_topics(db.session)]
    return form


def _image_changes(form: QuestionForm) -> service.ImageChanges:
    return service.ImageChanges(uploads=form.image_uploads(), removed=form.removed_images())


def _may_change(question) -> bool:
    return may_change_question(db.session, current_user, question, now=utcnow(), contests=contest_scope())


def _shared_question():
    message = _("A round of a contest you do not manage can draw this question: only an editor of every contest "
                "(or an admin) may change it.")
    return render_template("error.html", title="403", message=message), 403


def _get(question_id: int):
    try:
        return service.get_question(db.session, question_id)
    except DomainError:
        abort(404)


def _difficulty(value: str | None) -> Difficulty | None:
    return Difficulty(value) if value in {level.value for level in Difficulty} else None


def _int(value: str | None) -> int | None:
    try:
        return whole_number(value)
    except ValueError:
        return None
