"""Lists of students uploaded by a school's or district's organiser, as jobs like the bank's imports
(``question_bank.import_jobs``): the upload is stored and answered at once, the file is parsed in the child
process with the bank's limits, and checked here against the database; all or nothing, with a report per row.

``queued`` → ``checking`` → ``ready`` or ``rejected``; "Create the accounts" → ``confirmed`` → ``importing`` →
``done`` (checked again first: a phone registered meanwhile rejects the file), ``failed`` when the worker broke.

Each new account gets no usable password but a one-time code (``ResetPurpose.SLIP``, ``SLIP_CODE_DAYS``) to set
one at ``/reset``. The codes are printed on the slips; their plain text stays on the job (seen by its uploader
only) until the organiser forgets them or the job is removed a day later; the accounts keep only hashes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import JSON, ForeignKey, Integer, delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from contest.accounts import reset_codes
from contest.accounts.entrant_list_rows import StudentListRequest, StudentPlan
from contest.accounts.models import PasswordReset, ResetPurpose, Role, User, fold_name
from contest.audit import service as audit
from contest.extensions import db
from contest.units.models import Unit
from question_bank import upload_jobs, uploads
from question_bank.formats.model import N_, RowProblem
from question_bank.import_jobs import KEEP, REPORTED_PROBLEMS
from question_bank.parse_worker import ParseOutcome
from question_bank.upload_jobs import WAITING, ImportStatus, UploadJob, UploadSettings

UNUSABLE_HASH = "!set-at-reset"  # not an argon2 hash: nothing typed matches it
LOOKUP_BATCH = 500


class EntrantListJob(UploadJob, db.Model):
    """One uploaded list. ``scope_unit_id``: the uploader's subtree when they uploaded (None: every unit);
    ``report`` the last check's outcome; ``slips`` the created accounts with their first codes, until forgotten."""

    __tablename__ = "entrant_list_jobs"

    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    report: Mapped[dict | None] = mapped_column(JSON)
    slips: Mapped[list | None] = mapped_column(JSON)
    accounts: Mapped[int] = mapped_column(Integer, default=0)




Worker = Callable[[StudentListRequest], ParseOutcome]


def start_list(session: Session, *, data: bytes, filename: str, scope: Unit | None, actor_id: int | None,
               now: datetime, folder: Path) -> EntrantListJob:
    """Store the upload and queue its check; jobs older than a day (their codes with them) go first."""
    for old in session.scalars(select(EntrantListJob).where(EntrantListJob.created_at < now - KEEP)):
        uploads.discard(folder, old.token)
    session.execute(delete(EntrantListJob).where(EntrantListJob.created_at < now - KEEP))
    token = uploads.store(folder, data)
    job = EntrantListJob(status=ImportStatus.QUEUED, filename=filename[:255], token=token,
                         scope_unit_id=scope.id if scope else None, accounts=0, error="", created_by_id=actor_id,
                         created_at=now)
    session.add(job)
    session.commit()
    return job


def confirm_list(session: Session, job_id: int) -> None:
    """"Create the accounts": queue the creation of a checked, valid list (once)."""
    upload_jobs.confirm(session, EntrantListJob, job_id)


def forget_slips(session: Session, job_id: int, *, now: datetime, actor_id: int | None) -> None:
    """The slips are handed out: their codes' plain text is dropped (the accounts keep the hashes)."""
    job = session.get(EntrantListJob, job_id)
    if job is not None and job.slips is not None:
        job.slips = None
        audit.record(session, actor_id=actor_id, action="entrants.slips_forgotten", now=now,
                     target_type="entrant_list", target_id=job_id)
    session.commit()


def run_step(session: Session, job_id: int, *, settings: UploadSettings, slip_days: int, worker: Worker,
             clock: Callable[[], datetime]) -> None:
    """Do the job's next background step: check a queued list, create the accounts of a confirmed one."""
    running = upload_jobs.claim_next_step(session, EntrantListJob, job_id)
    if running is None:
        return
    try:
        job = session.get(EntrantListJob, job_id)
        request = StudentListRequest(path=str(settings.folder / job.token), filename=job.filename,
                                     today=clock().date(), limits=settings.limits, memory_mb=settings.memory_mb,
                                     cpu_s=int(settings.timeout_s) + 1)
        session.commit()  # hold no connection while the child reads the file
        outcome = worker(request)
        job = session.get(EntrantListJob, job_id)
        if outcome.plan is None:
            job.report = {"error": list(outcome.error)}
            upload_jobs.finish(job, ImportStatus.REJECTED, clock(), settings.folder)
        else:
            units = check_against_database(session, outcome.plan, scope_id=job.scope_unit_id,
                                           today=clock().date())
            job.report = report_of(outcome.plan)
            if not outcome.plan.ok:
                upload_jobs.finish(job, ImportStatus.REJECTED, clock(), settings.folder)
            elif running is ImportStatus.CHECKING:
                job.status = ImportStatus.READY
            else:
                created = _create_accounts(session, job, outcome.plan, units, now=clock(), days=slip_days)
                job = session.get(EntrantListJob, job_id)
                status = ImportStatus.DONE if created else ImportStatus.REJECTED
                upload_jobs.finish(job, status, clock(), settings.folder)
        session.commit()
    except Exception as error:
        upload_jobs.record_failure(session, EntrantListJob, job_id, error, now=clock(), folder=settings.folder)


def check_against_database(session: Session, plan: StudentPlan, *, scope_id: int | None,
                           today: date) -> dict[str, Unit]:
    """Add the problems only the database knows to ``plan``: a unit code that is unknown, outside the uploader's
    subtree, not a leaf or no longer valid; a phone or CCCD an account has already (reported, not merged).
    Returns the units by code."""
    scope = session.get(Unit, scope_id) if scope_id is not None else None
    codes = sorted({record.unit_code for record in plan.records})
    units: dict[str, Unit] = {}
    for batch in _batches(codes):
        units.update({unit.code: unit for unit in session.scalars(select(Unit).where(Unit.code.in_(batch)))})
    parents = set()
    for batch in _batches([unit.id for unit in units.values()]):
        parents.update(session.scalars(select(Unit.parent_id).where(Unit.parent_id.in_(batch))))
    taken = {column: _taken(session, column, [getattr(r, column) for r in plan.records if getattr(r, column)])
             for column in ("phone", "citizen_id")}
    for record in plan.records:
        unit = units.get(record.unit_code)
        if unit is None or (scope is not None and not unit.path.startswith(scope.path)):
            plan.problems.append(RowProblem(record.row, "unit_code", N_("no unit you manage has the code %(code)s"),
                                            {"code": record.unit_code}))
        elif unit.id in parents:
            plan.problems.append(RowProblem(record.row, "unit_code",
                                            N_("%(code)s is a group of units: give the school's own code"),
                                            {"code": record.unit_code}))
        elif unit.valid_to is not None and unit.valid_to < today:
            plan.problems.append(RowProblem(record.row, "unit_code", N_("the unit %(code)s no longer exists"),
                                            {"code": record.unit_code}))
        for column in ("phone", "citizen_id"):
            value = getattr(record, column)
            if value and value in taken[column]:
                plan.problems.append(RowProblem(record.row, column,
                                                N_("%(value)s already has an account: it is not merged; leave "
                                                   "this row out or correct it"), {"value": value}))
    plan.problems.sort(key=lambda problem: (problem.row, problem.column))
    return units


def report_of(plan: StudentPlan) -> dict:
    return {"error": None, "entrants": len(plan.records), "problem_count": len(plan.problems),
            "problems": [[p.row, p.column, p.message, p.params] for p in plan.problems[:REPORTED_PROBLEMS]]}


def progress(job: EntrantListJob) -> dict:
    """The progress poll's body (the page's script reads ``waiting``)."""
    return {"id": job.id, "status": job.status.value, "filename": job.filename, "accounts": job.accounts,
            "waiting": job.status in WAITING, "error": job.error or None}


def _create_accounts(session: Session, job: EntrantListJob, plan: StudentPlan, units: dict[str, Unit], *,
                     now: datetime, days: int) -> bool:
    """Every account with its slip code, in one transaction of a few multi-row INSERTs (a list of 2,000 must not
    hold SQLite's write lock for seconds); a phone or CCCD registered concurrently rejects all (False)."""
    rows = [{"role": Role.ENTRANT, "full_name": record.full_name, "name_key": fold_name(record.full_name),
             "birth_date": record.birth_date, "phone": record.phone, "citizen_id": record.citizen_id,
             "unit_id": units[record.unit_code].id, "password_hash": UNUSABLE_HASH, "active": True,
             "created_at": now} for record in plan.records]
    try:
        user_ids = list(session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), rows))
    except IntegrityError:
        session.rollback()
        job = session.get(EntrantListJob, job.id)
        job.report = {**(job.report or {}), "error": [N_("a phone or citizen ID of this list was registered "
                                                          "meanwhile; upload the list again to see which"), {}]}
        return False
    expires = now + timedelta(days=days)
    codes = [reset_codes.new_code() for _ in user_ids]
    session.execute(insert(PasswordReset), [
        {"user_id": user_id, "code_hash": reset_codes.code_hash(code), "purpose": ResetPurpose.SLIP,
         "created_by_id": job.created_by_id, "created_at": now, "expires_at": expires}
        for user_id, code in zip(user_ids, codes, strict=True)])
    job.slips = [{"name": record.full_name, "phone": record.phone, "birth_date": record.birth_date.isoformat(),
                  "unit": units[record.unit_code].name, "code": code, "expires_at": expires.isoformat()}
                 for record, code in zip(plan.records, codes, strict=True)]
    job.accounts = len(user_ids)
    audit.record(session, actor_id=job.created_by_id, action="entrants.imported", now=now,
                 target_type="entrant_list", target_id=job.id,
                 details={"source": job.filename, "accounts": len(user_ids), "user_ids": user_ids})
    return True


def _taken(session: Session, column: str, values: list[str]) -> set[str]:
    found: set[str] = set()
    for batch in _batches(values):
        found.update(session.scalars(select(getattr(User, column)).where(getattr(User, column).in_(batch))))
    return found


def _batches(values: list) -> list[list]:
    return [values[i:i + LOOKUP_BATCH] for i in range(0, len(values), LOOKUP_BATCH)]

