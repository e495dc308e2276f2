"""Retention (Decree 13/2023): once a contest is over, its entrants' personal data goes; results stay.

``retire_personal_data`` takes the entrants who made an attempt in the contest and, per ``mode``:

* ``pseudonymise``: the name becomes ``Thí sinh #<id>``; phone, email and citizen ID are cleared; the birth date is
  cut to 1 January of its year (age groups stay countable); the account can no longer log in;
* ``erase``: the same, but the birth date and the last login time are cleared too.

Attempts, answers, published results and the unit the entrant belongs to are not touched, so rankings, unit
rankings and published versions stay exactly as they were: a board shows the pseudonym where the name was.

Login: phone, email and citizen ID become NULL (the unique constraints allow any number of NULLs on SQLite and
PostgreSQL), so the person may register again with the same phone; the account is deactivated and its password
hash replaced by ``DISABLED_HASH``, which is no argon2 hash and verifies nothing.

Skipped: staff (organisers, admins), entrants with an attempt in another contest that still has a round open or
upcoming, and (``before``) entrants active (registered, logged in or started an attempt) since that time. Refused
while a round of the contest itself is open or upcoming. Running again changes nothing (``already`` counts them),
except that ``erase`` after ``pseudonymise`` clears what pseudonymising kept. The export files of the contest's
rounds go too (they hold names, and the prize contacts more). One audit entry per run; a dry run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, delete, exists, literal, select, update
from sqlalchemy.orm import Session, aliased

from contest.accounts.models import Role, User, fold_name
from contest.attempts.models import Attempt, AttemptDevice
from contest.audit import service as audit
from contest.errors import DomainError
from contest.leaderboards.models import ExportJob, JobStatus
from contest.rounds.models import Contest, Round

MODES = ("erase", "pseudonymise")
DONE = {"erase": "erased", "pseudonymise": "pseudonymised"}
PREFIX = "Thí sinh #"  # the pseudonym is the prefix and the account's id
DISABLED_HASH = "!personal-data-removed"
CHUNK = 500
ACTION = "personal_data.retention"


@dataclass(frozen=True)
class RetentionReport:
    contest_id: int
    mode: str
    dry_run: bool
    changed: int  # entrants whose data was removed (a dry run: would be)
    already: int  # done by an earlier run
    skipped_staff: int
    skipped_active: int  # in another contest with a round open or upcoming
    skipped_recent: int  # active since ``before``
    export_files: int  # export files of the contest's rounds deleted

    def as_dict(self) -> dict:
        return {"mode": self.mode, "dry_run": self.dry_run, "changed": self.changed, "already": self.already,
                "skipped_staff": self.skipped_staff, "skipped_active": self.skipped_active,
                "skipped_recent": self.skipped_recent, "export_files": self.export_files}


def retire_personal_data(session: Session, *, contest_id: int, mode: str, now: datetime,
                         before: datetime | None = None, dry_run: bool = False, actor_id: int | None = None,
                         export_directory: Path | None = None) -> RetentionReport:
    """Erase or pseudonymise the personal data of ``contest_id``'s entrants (see the module). Raises
    ``DomainError('bad_request')`` for an unknown mode, ``'not_found'`` for no such contest and ``'conflict'``
    while one of its rounds is open or upcoming. Commits once (nothing on a dry run)."""
    if mode not in MODES:
        raise DomainError("bad_request", _l("The mode is erase or pseudonymise."))
    if session.get(Contest, contest_id) is None:
        raise DomainError("not_found", _l("There is no contest %(id)s.", id=contest_id))
    still = session.scalar(select(Round.title).where(Round.contest_id == contest_id, Round.closes_at > now)
                           .order_by(Round.opens_at).limit(1))
    if still is not None:
        raise DomainError("conflict", _l("The round %(title)s of this contest is still open or upcoming: personal "
                                         "data is kept until every round has closed.", title=still))

    # One query each, the contest's entrants as a subquery: no list of ids goes to the database and back.
    entrants = select(Attempt.user_id).join(Round, Round.id == Attempt.round_id).where(Round.contest_id == contest_id)
    roles = dict(session.execute(select(User.id, User.role).where(User.id.in_(entrants))).all())
    staff = {uid for uid, role in roles.items() if role != Role.ENTRANT}
    candidates = set(roles) - staff
    active = _active_elsewhere(session, contest_id, entrants, now) & candidates
    recent = (_active_since(session, entrants, before) & (candidates - active)) if before is not None else set()
    eligible = candidates - active - recent
    already = _already_done(session, entrants, mode) & eligible
    todo = sorted(eligible - already)

    files = 0
    if not dry_run:
        for start in range(0, len(todo), CHUNK):
            _retire(session, todo[start:start + CHUNK], mode, now)
        files = _delete_exports(session, contest_id, export_directory)
    report = RetentionReport(contest_id=contest_id, mode=mode, dry_run=dry_run, changed=len(todo),
                             already=len(already), skipped_staff=len(staff), skipped_active=len(active),
                             skipped_recent=len(recent), export_files=files)
    if dry_run:
        session.rollback()
        return report
    audit.record(session, actor_id=actor_id, action=ACTION, now=now, target_type="contest", target_id=contest_id,
                 details={**report.as_dict(), "before": before.isoformat() if before else None})
    session.commit()
    return report


def _active_elsewhere(session: Session, contest_id: int, entrants, now: datetime) -> set[int]:
    """Those of ``entrants`` with an attempt in another contest that has a round open or upcoming."""
    other = aliased(Round)
    running = exists().where(other.contest_id == Round.contest_id, other.closes_at > now)
    return set(session.scalars(select(Attempt.user_id).distinct().join(Round, Round.id == Attempt.round_id)
                               .where(Round.contest_id != contest_id, running, Attempt.user_id.in_(entrants))))


def _active_since(session: Session, entrants, before: datetime) -> set[int]:
    """Those of ``entrants`` who registered, logged in or started an attempt at ``before`` or later."""
    users = session.scalars(select(User.id).where(User.id.in_(entrants),
                                                  (User.created_at >= before) | (User.last_login_at >= before)))
    attempts = session.scalars(select(Attempt.user_id).distinct()
                               .where(Attempt.user_id.in_(entrants), Attempt.started_at >= before))
    return set(users) | set(attempts)


def _already_done(session: Session, entrants, mode: str) -> set[int]:
    done = ["erased"] if mode == "erase" else ["erased", "pseudonymised"]
    return set(session.scalars(select(User.id).where(User.id.in_(entrants), User.personal_data_removed.in_(done))))


def _retire(session: Session, ids: list[int], mode: str, now: datetime) -> None:
    """One UPDATE for the chunk (the pseudonym built from the id in SQL), then, pseudonymising, one per birth year
    found in it: a few statements per ``CHUNK`` rows, not one a row (an executemany is a round trip a row on
    psycopg2)."""
    number = cast(User.id, String)
    values = {"full_name": literal(PREFIX) + number, "name_key": literal(fold_name(PREFIX)) + number, "phone": None,
              "email": None, "citizen_id": None, "registered_address": None, "password_hash": DISABLED_HASH,
              "active": False, "personal_data_removed": DONE[mode], "personal_data_removed_at": now}
    if mode == "erase":
        values.update(birth_date=None, last_login_at=None)
    else:
        years: dict[int, list[int]] = {}
        for user_id, birth in session.execute(select(User.id, User.birth_date)
                                              .where(User.id.in_(ids), User.birth_date.is_not(None))):
            years.setdefault(birth.year, []).append(user_id)
        for year, born in years.items():
            session.execute(update(User).where(User.id.in_(born)).values(birth_date=date(year, 1, 1))
                            .execution_options(synchronize_session=False))
    # The addresses their attempts were played from (fair play) go with the rest of their personal data.
    session.execute(update(AttemptDevice).where(AttemptDevice.attempt_id.in_(
        select(Attempt.id).where(Attempt.user_id.in_(ids)))).values(address="", agent="")
        .execution_options(synchronize_session=False))
    # Nothing synchronised in the session: retire_personal_data commits next, which expires what it had loaded.
    session.execute(update(User).where(User.id.in_(ids)).values(**values).execution_options(synchronize_session=False))


def _delete_exports(session: Session, contest_id: int, directory: Path | None) -> int:
    """The contest's finished export jobs and their files in ``directory``. A job still running is left to end:
    its file goes with the jobs older than a day (``export_jobs.KEEP``)."""
    finished = (ExportJob.round_id.in_(select(Round.id).where(Round.contest_id == contest_id)),
                ExportJob.status.in_([JobStatus.DONE, JobStatus.FAILED]))
    deleted = 0
    if directory is not None and directory.is_dir():
        for job_id in session.scalars(select(ExportJob.id).where(*finished)):
            for file in directory.glob(f"{job_id}-round-*"):  # the file, or the ``.part`` of one being written
                file.unlink(missing_ok=True)
                deleted += 1
    session.execute(delete(ExportJob).where(*finished))
    return deleted
