"""Export jobs: an organiser's export of a round (``exports.rows``) written to a file away from the request, with its
progress in the database, so whichever server process answers the progress poll or the download knows it.

``start_export`` records the job; ``run_export`` (a background task in the server, called directly by tests)
counts the rows, writes them to ``instance/exports/``, commits ``rows_done`` every ``exports.BATCH`` rows and
yields to the event loop (``pause``) every ``PAUSE_ROWS``. Files and jobs older than ``KEEP`` are deleted whenever a new
job starts: nothing else needs to run for them to go.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from contest.access.permissions import OPERATOR, Action, can, unit_scope
from contest.accounts.models import Role, User
from contest.audit import service as audit
from contest.db import utcnow
from contest.errors import DomainError
from contest.leaderboards.exports import rows as exports
from contest.leaderboards.models import ExportJob, JobStatus, PublishedResult
from contest.privacy.disclosure import record_disclosure
from contest.private_files import open_private, private_dir
from contest.rounds.models import Round
from contest.units.models import Unit
from question_bank import key_guard

log = logging.getLogger(__name__)

WHAT = ("ranking", "units", "answers", "contacts")
# Exports that carry phone, citizen ID and birth date: only for whom ``may_see_personal_data``, and audited.
PERSONAL = frozenset({"contacts"})
MAX_PLACES = 1_000_000
FORMATS = ("csv", "xlsx")
LANGUAGES = ("vi", "en")
SHEET_TITLES = {"ranking": _l("Final ranking"), "units": _l("Unit rankings"), "answers": _l("Answers"),
                "contacts": _l("Prize contacts")}
KEEP = timedelta(days=1)
# Rows written between two turns given to the other greenlets: ~40 ms of XLSX or ~5 ms of CSV on this machine.
PAUSE_ROWS = 100


def start_export(session: Session, *, round_id: int, what: str, fmt: str, version: int | None, actor_id: int | None,
                 now: datetime, directory: Path, places: int | None = None, lang: str = "vi") -> ExportJob:
    """A queued job for ``what`` (``ranking|units|answers``) of the round as ``fmt`` (``csv|xlsx``). ``version``
    picks a published version of the ranking; None: the latest, or the draft when nothing is published. The
    answers carry the latest version's voided questions, so the job keeps that version. Deletes the jobs and
    files older than a day first. ``places`` limits the prize contacts to ranks 1..places (None: every rank);
    ``lang`` (``LANGUAGES``) is the language of the file's headers and words."""
    if what not in WHAT or fmt not in FORMATS:
        raise DomainError("bad_request", _l("There is no such export."))
    if what in PERSONAL and places is not None and not 1 <= places <= MAX_PLACES:
        raise DomainError("validation", _l("The number of prize places is a whole number from 1 to %(n)s.",
                                           n=MAX_PLACES))
    if session.get(Round, round_id) is None:
        raise DomainError("not_found", _l("There is no such round."))
    published = set(session.scalars(select(PublishedResult.version).where(PublishedResult.round_id == round_id)))
    if version is not None and version not in published:
        raise DomainError("not_found", _l("There is no published version %(version)s.", version=version))
    latest = max(published, default=None)
    version = (version or latest) if what in ("ranking", "contacts") else latest if what == "answers" else None
    _delete_old(session, directory, now - KEEP)
    job = ExportJob(round_id=round_id, what=what, fmt=fmt, version=version, status=JobStatus.QUEUED, rows_done=0,
                    error="", created_by_id=actor_id, created_at=now, places=places if what in PERSONAL else None,
                    lang=lang if lang in LANGUAGES else "vi")
    session.add(job)
    session.flush()
    audit.record(session, actor_id=actor_id, action="export.started", now=now, target_type="round",
                 target_id=round_id, details={"job_id": job.id, "what": what, "fmt": fmt, "version": version,
                                                       "places": job.places})
    session.commit()
    return job


def run_export(session: Session, job_id: int, *, questions, directory: Path,
               clock: Callable[[], datetime] = utcnow, pause: Callable[[], None] = lambda: None) -> None:
    """Write the job's file, committing its progress as it goes; ends ``done`` or ``failed`` (logged, with the
    error on the job). Does nothing unless the job is queued, so a job never runs twice."""
    claimed = session.execute(update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == JobStatus.QUEUED)
                              .values(status=JobStatus.RUNNING)).rowcount
    session.commit()
    if not claimed:
        return
    job = session.get(ExportJob, job_id)
    name, label = f"{job.id}-{job.download_name}", f"round {job.round_id}, {job.what}.{job.fmt}"
    part = directory / f"{name}.part"
    try:
        round_ = session.get(Round, job.round_id)
        scope = job_scope(session, job)
        job.rows_total = _count(session, round_, job, scope)
        session.commit()
        pause()
        private_dir(directory)  # exports carry names, answers and sometimes personal data
        rows = _reporting(_rows(session, round_, job, questions, clock(), scope), session, job, pause)
        with force_locale(job.lang):  # the headers and words in the language the organiser asked for
            if job.fmt == "csv":
                with open_private(part, "w", encoding="utf-8-sig", newline="") as out:
                    exports.write_csv(rows, out, job.lang)
            else:
                with open_private(part) as out:
                    exports.write_xlsx(rows, str(SHEET_TITLES[job.what]), out)
        part.replace(directory / name)
        job.rows_total = job.rows_done  # counted before the rows were read: the file is what counts
        job.path, job.status, job.finished_at = name, JobStatus.DONE, clock()
        if job.what in PERSONAL:
            record_disclosure(session, actor_id=job.created_by_id, what=f"export.{job.what}", round_=round_,
                              rows=job.rows_done, now=job.finished_at,
                              details={"job_id": job.id, "fmt": job.fmt, "places": job.places})
        session.commit()
    except Exception as error:
        session.rollback()
        log.exception("export job %s (%s) failed", job_id, label)
        part.unlink(missing_ok=True)
        job = session.get(ExportJob, job_id)
        job.status, job.finished_at = JobStatus.FAILED, clock()
        job.error = f"{type(error).__name__}: {error}"[:2000]
        session.commit()


def record_download(session: Session, job: ExportJob, round_: Round, *, actor_id: int | None, now: datetime) -> None:
    """Each download of a personal-data export is a disclosure of its own: audited and committed. Nothing for the
    other exports."""
    if job.what in PERSONAL:
        record_disclosure(session, actor_id=actor_id, what=f"download.{job.what}", round_=round_, rows=job.rows_done,
                          now=now, details={"job_id": job.id, "fmt": job.fmt, "places": job.places})
        session.commit()


def progress(job: ExportJob) -> dict:
    """The progress poll's body (without the download address, which the view adds)."""
    return {"id": job.id, "round_id": job.round_id, "what": job.what, "fmt": job.fmt, "version": job.version,
            "status": job.status.value, "rows_done": job.rows_done, "rows_total": job.rows_total,
            "error": job.error or None, "file_name": job.download_name,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def export_dir(instance_path: str) -> Path:
    return Path(instance_path) / "exports"


def job_scope(session: Session, job: ExportJob) -> Unit | None:
    """The unit subtree the job's rows are limited to: its creator's, as the permissions say when it runs (None:
    every row). A job whose creator is gone or may no longer export the round writes nothing."""
    creator = session.get(User, job.created_by_id) if job.created_by_id is not None else OPERATOR
    contest_id = session.scalar(select(Round.contest_id).where(Round.id == job.round_id))
    if creator is None or not can(session, creator, Action.ROUND_EXPORT, contest=contest_id):
        raise DomainError("forbidden", _l("You may not export this round."))
    return unit_scope(creator)


def _count(session: Session, round_: Round, job: ExportJob, scope: Unit | None) -> int:
    if job.what == "ranking":
        return exports.ranking_count(session, round_, version=job.version, scope=scope)
    if job.what == "contacts":  # the ranking's first rows, with more columns (contest-level staff only: no scope)
        return min(exports.ranking_count(session, round_, version=job.version), job.places or MAX_PLACES)
    if job.what == "units":
        return exports.unit_ranking_count(session, scope)
    return exports.answer_count(session, round_, scope)


def _rows(session: Session, round_: Round, job: ExportJob, questions, now: datetime,
          scope: Unit | None) -> Iterator[tuple]:
    if job.what == "ranking":
        return exports.ranking_rows(session, round_, questions, version=job.version, scope=scope)
    if job.what == "contacts":
        return exports.contact_rows(session, round_, questions, version=job.version, places=job.places)
    if job.what == "units":
        return exports.unit_ranking_rows(session, round_, scope)
    voided = session.scalar(select(PublishedResult.voided).where(PublishedResult.round_id == round_.id,
                                                                 PublishedResult.version == job.version))
    # Keys that a live round can still draw stay out of the file, except for an admin (the job is audited).
    creator = session.get(User, job.created_by_id) if job.created_by_id else None
    secret = frozenset() if creator and creator.role == Role.ADMIN else key_guard.secret_ids(session, None, now)
    return exports.answer_rows(session, round_, questions, voided=voided or (), secret=secret, scope=scope)


def _reporting(rows: Iterable[tuple], session: Session, job: ExportJob, pause: Callable[[], None]) -> Iterator[tuple]:
    """``rows`` as they are, the header first. Every ``PAUSE_ROWS`` rows after it others get a turn, and every
    ``exports.BATCH`` rows the count is committed. Each turn starts with a commit, which ends the reading
    transaction if a page was read since the last one (the generators hold no cursor between rows), so the
    connection is free meanwhile (SQLite has one per process); with nothing open it costs nothing."""
    rows = iter(rows)
    yield next(rows)
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % exports.BATCH == 0:
            job.rows_done = done
        if done % exports.BATCH == 0 or done % PAUSE_ROWS == 0:
            session.commit()
            pause()
    job.rows_done = done


def _delete_old(session: Session, directory: Path, before: datetime) -> None:
    """Jobs created before ``before`` and every file in the folder last written before it (a ``.part`` left by a
    process that died mid-export too)."""
    session.execute(delete(ExportJob).where(ExportJob.created_at < before))
    if directory.is_dir():
        for file in directory.iterdir():
            if file.is_file() and file.stat().st_mtime < before.timestamp():
                file.unlink(missing_ok=True)
