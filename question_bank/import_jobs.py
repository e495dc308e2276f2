"""Bank imports as jobs: the upload is stored and answered at once; its check (the dry run) and, once the
organiser confirms, its import run in the background, the parsing in a child process (``parsing.py``), so no
entrant of the server's process waits for a file. The states and their claims are every upload job's
(``upload_jobs``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import JSON, Integer, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from contest.extensions import db
from question_bank import uploads
from question_bank.image_store import known_names
from question_bank.import_plan import Defaults, ImportPlan
from question_bank.importing import bank_keys, write_plan
from question_bank.parse_worker import ParseOutcome, ParseRequest
from question_bank.upload_jobs import (
    WAITING,
    ImportStatus,
    UploadJob,
    UploadSettings,
    claim_next_step,
    confirm,
    finish,
    record_failure,
)
from question_bank.vocabulary import Difficulty

KEEP = timedelta(days=1)
REPORTED_PROBLEMS = 1000  # problems kept for the page: the first thousand say what is wrong with a file


class ImportJob(UploadJob, db.Model):
    """One uploaded file. ``options`` are the form's choices (format, topic, difficulty, skip_existing);
    ``report`` the outcome of the last check (see ``report_of``)."""

    __tablename__ = "import_jobs"

    options: Mapped[dict] = mapped_column(JSON, default=dict)
    report: Mapped[dict | None] = mapped_column(JSON)
    questions_total: Mapped[int | None] = mapped_column(Integer)
    questions_done: Mapped[int] = mapped_column(Integer, default=0)


ImportSettings = UploadSettings  # what a bank import needs from the configuration


Worker = Callable[[ParseRequest], ParseOutcome]


def start_import(session: Session, *, data: bytes, filename: str, options: dict, actor_id: int | None,
                 now: datetime, folder: Path, images: bytes | None = None) -> ImportJob:
    """Store the upload (and the zip of pictures its rows name) and queue its check. Jobs and files older than a
    day go first."""
    session.execute(delete(ImportJob).where(ImportJob.created_at < now - KEEP))
    token = uploads.store(folder, data, images)
    job = ImportJob(status=ImportStatus.QUEUED, filename=filename[:255], token=token, options=options,
                    questions_done=0, error="", created_by_id=actor_id, created_at=now)
    session.add(job)
    session.commit()
    return job


def confirm_import(session: Session, job_id: int) -> None:
    """The organiser's "Import now": queue the import of a checked, valid file (once)."""
    confirm(session, ImportJob, job_id)


def run_step(session: Session, job_id: int, *, settings: ImportSettings, worker: Worker,
             clock: Callable[[], datetime], pause: Callable[[], None] = lambda: None) -> None:
    """Do the job's next background step: check a queued job, import a confirmed one. The file is read and
    planned by ``worker`` (a child process in the server); the bank is read and written here."""
    running = claim_next_step(session, ImportJob, job_id)
    if running is None:
        return
    job = session.get(ImportJob, job_id)
    try:
        outcome = worker(_request(session, job, settings))
        job = session.get(ImportJob, job_id)
        job.report = report_of(outcome)
        if outcome.plan is None or not outcome.plan.ok:
            finish(job, ImportStatus.REJECTED, clock(), settings.folder)
        elif running is ImportStatus.CHECKING:
            job.status, job.questions_total = ImportStatus.READY, len(outcome.plan.questions)
        else:
            _write(session, job, outcome.plan, clock, pause)
            finish(job, ImportStatus.DONE, clock(), settings.folder)
        session.commit()
    except Exception as error:
        record_failure(session, ImportJob, job_id, error, now=clock(), folder=settings.folder)


def report_of(outcome: ParseOutcome) -> dict:
    """What the page shows: ``error`` ([msgid, params]) when the file cannot be read, else the counts, the new
    topics and the first problems ([row, column, msgid, params])."""
    if outcome.plan is None:
        return {"error": list(outcome.error)}
    plan = outcome.plan
    return {"error": None, "questions": len(plan.questions), "skipped": len(plan.skipped),
            "new_topics": plan.new_topics, "problem_count": len(plan.problems), "images": len(plan.images),
            "warnings": [list(warning) for warning in plan.warnings],
            "problems": [[p.row, p.column, p.message, p.params] for p in plan.problems[:REPORTED_PROBLEMS]]}


def progress(job: ImportJob) -> dict:
    """The progress poll's body."""
    return {"id": job.id, "status": job.status.value, "filename": job.filename,
            "questions_total": job.questions_total, "questions_done": job.questions_done,
            "waiting": job.status in WAITING, "error": job.error or None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def _request(session: Session, job: ImportJob, settings: ImportSettings) -> ParseRequest:
    options, path, filename = job.options, str(settings.folder / job.token), job.filename
    images = uploads.images_path(settings.folder, job.token)
    existing, topics = bank_keys(session)
    known = known_names(session)
    # The worker takes a while: hold no transaction, nor the connection (SQLite has one per process), and read
    # nothing of the job after this commit, which would start a new one.
    session.commit()
    difficulty = options.get("difficulty") or None
    return ParseRequest(
        path=path, filename=filename, fmt=options.get("format", ""),
        limits=settings.limits, skip_existing=bool(options.get("skip_existing")),
        defaults=Defaults(topic=(options.get("topic") or "").strip(),
                          difficulty=Difficulty(difficulty) if difficulty in {d.value for d in Difficulty} else None),
        existing=existing, topics=tuple(topics), memory_mb=settings.memory_mb,
        cpu_s=int(settings.timeout_s) + 1, images_path=str(images) if images.exists() else "", known_images=known,
    )


def _write(session: Session, job: ImportJob, plan: ImportPlan, clock, pause) -> None:
    done = 0

    def written(count: int) -> None:
        nonlocal done
        done += count
        pause()

    write_plan(session, plan, now=clock(), actor_id=job.created_by_id, source=job.filename, progress=written)
    job = session.get(ImportJob, job.id)
    job.questions_total = job.questions_done = done

