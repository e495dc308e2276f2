"""What every upload job shares (the bank's imports, ``import_jobs``; schools' lists of students,
``contest.accounts.entrant_lists``): its states and columns, the claim of its next step, the organiser's
confirmation, its end and its failure. State lives in the database, so whichever process answers a poll knows it.

``queued`` → ``checking`` → ``ready`` (valid: waits for the organiser) or ``rejected`` (the report says why);
``ready`` → ``confirmed`` → ``importing`` → ``done``, or ``rejected`` if the database changed meanwhile;
``failed`` when the worker itself broke. Each step is claimed by a conditional UPDATE, so it never runs twice.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, ForeignKey, String, Text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from contest.db import intpk
from contest.errors import DomainError
from question_bank import uploads
from question_bank.formats.limits import TableLimits

log = logging.getLogger(__name__)


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
STEPS = ((ImportStatus.QUEUED, ImportStatus.CHECKING), (ImportStatus.CONFIRMED, ImportStatus.IMPORTING))


@dataclass(frozen=True)
class UploadSettings:
    """What a job needs from the app's configuration."""

    folder: Path  # where uploads wait
    limits: TableLimits
    timeout_s: float
    memory_mb: int | None


def upload_settings(config, *, max_bytes_setting: str, folder: Path) -> UploadSettings:
    """The import limits (rows, columns, cells, unpacked size, the child's time and memory) of the settings, with
    the upload's own byte cap ``config[max_bytes_setting]``."""
    limits = TableLimits(max_bytes=config[max_bytes_setting], max_rows=config["IMPORT_MAX_ROWS"],
                         max_columns=config["IMPORT_MAX_COLUMNS"], max_cells=config["IMPORT_MAX_CELLS"],
                         max_unpacked_bytes=config["IMPORT_MAX_UNPACKED_BYTES"])
    return UploadSettings(folder=folder, limits=limits, timeout_s=float(config["IMPORT_TIMEOUT_S"]),
                          memory_mb=config["IMPORT_WORKER_MEMORY_MB"])


def run_in_app(app, step: Callable[[Session], None]) -> None:
    """A background step in its own app context and database session, handed back at the end."""
    from contest.extensions import db

    with app.app_context():
        try:
            step(db.session)
        finally:
            db.session.remove()


class UploadJob:
    """The columns of an upload job's table (a mixin): the stored file's ``token``, who uploaded it, its state and
    why a failed job failed (``error``)."""

    id: Mapped[intpk]
    status: Mapped[ImportStatus] = mapped_column(
        Enum(ImportStatus, native_enum=False, length=10, values_callable=lambda items: [i.value for i in items]),
        default=ImportStatus.QUEUED,
    )
    filename: Mapped[str] = mapped_column(String(255))
    token: Mapped[str] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]


def claim_next_step(session: Session, model: type, job_id: int) -> ImportStatus | None:
    """Move the job from a waiting state to its running one (checking a queued file, importing a confirmed one)
    and return that; None when there is nothing to do (another process took it, or it is not waiting)."""
    for waiting, running in STEPS:
        claimed = session.execute(update(model).where(model.id == job_id, model.status == waiting)
                                  .values(status=running)).rowcount
        session.commit()
        if claimed:
            return running
    return None


def confirm(session: Session, model: type, job_id: int) -> None:
    """The organiser's go-ahead: queue the import of a checked, valid file (once)."""
    claimed = session.execute(update(model).where(model.id == job_id, model.status == ImportStatus.READY)
                              .values(status=ImportStatus.CONFIRMED)).rowcount
    session.commit()
    if not claimed:
        raise DomainError("conflict", _l("This file is not waiting for confirmation."))


def finish(job: UploadJob, status: ImportStatus, now: datetime, folder: Path) -> None:
    """The job ends in ``status``; its stored file goes."""
    job.status, job.finished_at = status, now
    uploads.discard(folder, job.token)


def record_failure(session: Session, model: type, job_id: int, error: Exception, *, now: datetime,
                   folder: Path) -> None:
    """The worker or the write broke: nothing of the step is kept, the job says why (for the administrator)."""
    session.rollback()
    log.exception("%s %s failed", model.__tablename__, job_id)
    job = session.get(model, job_id)
    job.error = f"{type(error).__name__}: {error}"[:2000]
    finish(job, ImportStatus.FAILED, now, folder)
    session.commit()
