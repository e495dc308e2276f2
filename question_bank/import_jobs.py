"""Bank imports as jobs: the upload is stored and answered at once; its check (the dry run) and, once the
organiser confirms, its import run in the background, the parsing in a child process (``parsing.py``), so no
entrant of the server's process waits for a file. State lives in the database, so whichever process answers
the progress poll knows it.

``queued`` → ``checking`` → ``ready`` (valid: waits for "Import now") or ``rejected`` (the report says why);
``ready`` → ``confirmed`` → ``importing`` → ``done``, or ``rejected`` if the bank changed meanwhile; ``failed``
when the worker itself broke. Each step is claimed by a conditional UPDATE, so it never runs twice.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, delete, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from contest.db import intpk
from contest.errors import DomainError
from contest.extensions import db
from question_bank import uploads
from question_bank.formats.limits import TableLimits
from question_bank.import_plan import Defaults, ImportPlan
from question_bank.importing import bank_keys, write_plan
from question_bank.parse_worker import ParseOutcome, ParseRequest
from question_bank.vocabulary import Difficulty

log = logging.getLogger(__name__)

KEEP = timedelta(days=1)
REPORTED_PROBLEMS = 1000  # problems kept for the page: the first thousand say what is wrong with a file


class ImportStatus(enum.StrEnum):
    QUEUED = "queued"
    CHECKING = "checking"
    READY = "ready"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"
    IMPORTING = "importing"
    DONE = "done"
    FAILED = "failed"


WAITING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.CONFIRMED, ImportStatus.IMPORTING)


class ImportJob(db.Model):
    """One uploaded file. ``options`` are the form's choices (format, topic, difficulty, skip_existing);
    ``report`` the outcome of the last check (see ``report_of``); ``error`` why a failed job failed."""

    __tablename__ = "import_jobs"

    id: Mapped[intpk]
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=10, values_callable=lambda items: [i.value for i in items]),
        default=ImportStatus.QUEUED,
    )
    filename: Mapped[str] = mapped_column(String(255))
    token: Mapped[str] = mapped_column(String(64))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    report: Mapped[dict | None] = mapped_column(JSON)
    questions_total: Mapped[int | None] = mapped_column(Integer)
    questions_done: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]


@dataclass(frozen=True)
class ImportSettings:
    """What a job needs from the app's configuration."""

    folder: Path  # where uploads wait
    limits: TableLimits
    timeout_s: float
    memory_mb: int | None


Worker = Callable[[ParseRequest], ParseOutcome]


def start_import(session: Session, *, data: bytes, filename: str, options: dict, actor_id: int | None,
                 now: datetime, folder: Path) -> ImportJob:
    """Store the upload and queue its check. Jobs and files older than a day go first."""
    session.execute(delete(ImportJob).where(ImportJob.created_at < now - KEEP))
    token = uploads.store(folder, data)
    job = ImportJob(status=ImportStatus.QUEUED, filename=filename[:255], token=token, options=options,
                    questions_done=0, error="", created_by_id=actor_id, created_at=now)
    session.add(job)
    session.commit()
    return job


def confirm_import(session: Session, job_id: int) -> None:
    """The organiser's "Import now": queue the import of a checked, valid file (once)."""
    claimed = session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == ImportStatus.READY)
                              .values(status=ImportStatus.CONFIRMED)).rowcount
    session.commit()
    if not claimed:
        raise DomainError("conflict", _l("This file is not waiting for confirmation."))


def run_step(session: Session, job_id: int, *, settings: ImportSettings, worker: Worker,
             clock: Callable[[], datetime], pause: Callable[[], None] = lambda: None) -> None:
    """Do the job's next background step: check a queued job, import a confirmed one. The file is read and
    planned by ``worker`` (a child process in the server); the bank is read and written here."""
    for waiting, running in ((ImportStatus.QUEUED, ImportStatus.CHECKING),
                             (ImportStatus.CONFIRMED, ImportStatus.IMPORTING)):
        claimed = session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == waiting)
                                  .values(status=running)).rowcount
        session.commit()
        if claimed:
            break
    else:
        return
    job = session.get(ImportJob, job_id)
    try:
        outcome = worker(_request(session, job, settings))
        job = session.get(ImportJob, job_id)
        job.report = report_of(outcome)
        if outcome.plan is None or not outcome.plan.ok:
            _finish(job, ImportStatus.REJECTED, clock(), settings.folder)
        elif running is ImportStatus.CHECKING:
            job.status, job.questions_total = ImportStatus.READY, len(outcome.plan.questions)
        else:
            _write(session, job, outcome.plan, clock, pause)
            _finish(job, ImportStatus.DONE, clock(), settings.folder)
        session.commit()
    except Exception as error:
        session.rollback()
        log.exception("import job %s failed", job_id)
        job = session.get(ImportJob, job_id)
        job.error = f"{type(error).__name__}: {error}"[:2000]
        _finish(job, ImportStatus.FAILED, clock(), settings.folder)
        session.commit()


def report_of(outcome: ParseOutcome) -> dict:
    """What the page shows: ``error`` ([msgid, params]) when the file cannot be read, else the counts, the new
    topics and the first problems ([row, column, msgid, params])."""
    if outcome.plan is None:
        return {"error": list(outcome.error)}
    plan = outcome.plan
    return {"error": None, "questions": len(plan.questions), "skipped": len(plan.skipped),
            "new_topics": plan.new_topics, "problem_count": len(plan.problems),
            "problems": [[p.row, p.column, p.message, p.params] for p in plan.problems[:REPORTED_PROBLEMS]]}


def progress(job: ImportJob) -> dict:
    """The progress poll's body."""
    return {"id": job.id, "status": job.status.value, "filename": job.filename,
            "questions_total": job.questions_total, "questions_done": job.questions_done,
            "waiting": job.status in WAITING, "error": job.error or None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def _request(session: Session, job: ImportJob, settings: ImportSettings) -> ParseRequest:
    options, path, filename = job.options, str(settings.folder / job.token), job.filename
    existing, topics = bank_keys(session)
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
        cpu_s=int(settings.timeout_s) + 1,
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


def _finish(job: ImportJob, status: ImportStatus, now: datetime, folder: Path) -> None:
    job.status, job.finished_at = status, now
    uploads.discard(folder, job.token)
