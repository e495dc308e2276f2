"""A round's certificates as a job: one zip with a folder per unit and a PDF per entrant (stored: the PDFs are
compressed already), all entrants of the latest published results or the prize winners only, written away from
the request with its progress in the database, like the export jobs (``leaderboards.exports.jobs``). Scoped: a
unit organiser's job holds their subtree's entrants. Starting a job is audited."""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from contest.access.permissions import OPERATOR, Action, can, unit_ids, unit_scope
from contest.accounts.models import User
from contest.audit.service import record as audit
from contest.db import utcnow
from contest.errors import DomainError
from contest.leaderboards.models import JobStatus
from contest.leaderboards.reads import latest_version
from contest.private_files import open_private, private_dir
from contest.prizes.certificate_pdf import render
from contest.prizes.certificates import design_of, issue, statements
from contest.prizes.models import CertificateJob
from contest.rounds.models import Round
from contest.units.models import Unit

log = logging.getLogger(__name__)
BATCH = 200  # certificates between two progress commits
UNSAFE = re.compile(r"[^\w.-]+")


def start_job(session: Session, actor, *, round_id: int, only_prizes: bool, now: datetime) -> CertificateJob:
    """A queued job for the round's certificates; refused unless ``actor`` may export the round and its
    results are published. Audited as ``certificates.job``."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise DomainError("not_found", _l("There is no such round."))
    if not can(session, actor, Action.ROUND_EXPORT, contest=round_.contest_id):
        raise DomainError("forbidden", _l("You may not export this round."))
    if latest_version(session, round_id) is None:
        raise DomainError("conflict", _l("The results of this round are not published yet."))
    job = CertificateJob(round_id=round_id, only_prizes=only_prizes, status=JobStatus.QUEUED, rows_done=0, error="",
                         created_by_id=actor.id, created_at=now)
    session.add(job)
    session.flush()
    audit(session, actor_id=actor.id, action="certificates.job", now=now, target_type="round", target_id=round_id,
          details={"job_id": job.id, "only_prizes": only_prizes})
    session.commit()
    return job


def run_job(session: Session, job_id: int, *, directory: Path, images: Path, verify_url: Callable[[str], str],
            clock: Callable[[], datetime] = utcnow, pause: Callable[[], None] = lambda: None) -> None:
    """Write the job's zip, committing progress every ``BATCH`` certificates; ends ``done`` or ``failed``. Does
    nothing unless the job is queued."""
    claimed = session.execute(update(CertificateJob).where(CertificateJob.id == job_id,
                                                           CertificateJob.status == JobStatus.QUEUED)
                              .values(status=JobStatus.RUNNING)).rowcount
    session.commit()
    if not claimed:
        return
    job = session.get(CertificateJob, job_id)
    name = f"{job.id}-{job.download_name}"
    part = directory / f"{name}.part"
    try:
        round_ = session.get(Round, job.round_id)
        creator = session.get(User, job.created_by_id) if job.created_by_id is not None else OPERATOR
        if creator is None or not can(session, creator, Action.ROUND_EXPORT, contest=round_.contest_id):
            raise DomainError("forbidden", _l("You may not export this round."))
        within = unit_ids(session, unit_scope(creator))
        result = latest_version(session, round_.id)
        stated = {user_id: s for user_id, s in statements(session, round_, result).items()
                  if (within is None or s["unit_id"] in within) and (not job.only_prizes or s["kind"] == "prize")}
        job.rows_total = len(stated)
        session.commit()
        codes = {user_id: c.code for user_id, c in issue(session, round_, stated, now=clock()).items()}
        design = design_of(session, round_.contest_id, images)
        folders = {unit.id: f"{UNSAFE.sub('_', unit.code)}" for unit in session.query(Unit.id, Unit.code)}
        private_dir(directory)
        done = 0
        with open_private(part) as raw, zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
            for user_id, s in stated.items():
                code = codes[user_id]
                folder = folders.get(s["unit_id"], "no-unit")
                archive.writestr(f"{folder}/{s['rank']:06d}-{UNSAFE.sub('_', s['name'])}-{code}.pdf",
                                 render(design, s, code=code, verify_url=verify_url(code)))
                done += 1
                if done % BATCH == 0:
                    job.rows_done = done
                    session.commit()
                    pause()
        part.replace(directory / name)
        job.rows_done = job.rows_total = done
        job.path, job.status, job.finished_at = name, JobStatus.DONE, clock()
        session.commit()
    except Exception as error:
        session.rollback()
        log.exception("certificate job %s failed", job_id)
        part.unlink(missing_ok=True)
        job = session.get(CertificateJob, job_id)
        job.status, job.finished_at = JobStatus.FAILED, clock()
        job.error = f"{type(error).__name__}: {error}"[:2000]
        session.commit()


def progress(job: CertificateJob) -> dict:
    """The progress poll's body, shaped like an export job's (the same page script reads it)."""
    return {"id": job.id, "round_id": job.round_id, "what": "certificates", "fmt": "zip", "version": None,
            "status": job.status.value, "rows_done": job.rows_done, "rows_total": job.rows_total,
            "error": job.error or None, "file_name": job.download_name, "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


def job_dir(instance_path: str) -> Path:
    return Path(instance_path) / "certificates"


def image_dir(instance_path: str) -> Path:
    return Path(instance_path) / "certificate-images"
