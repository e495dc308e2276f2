"""Admin services for staff accounts (organisers with their unit and contest scopes) and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contest.access.permissions import role_problems
from contest.accounts.models import Role, StaffRole, User
from contest.accounts.service import create_staff
from contest.audit import service as audit
from contest.audit.models import AuditEntry
from contest.errors import DomainError
from contest.rounds.models import Contest, OrganiserContest
from contest.rounds.service import check_contest_ids, set_organiser_contests
from contest.units.models import Unit

AUDIT_PAGE = 50
STAFF_PAGE = 50


def create_organiser(session: Session, *, email: str, full_name: str, password: str, now: datetime,
                     staff_role: StaffRole = StaffRole.CONTEST, scope_unit_code: str | None = None,
                     contest_ids: list[int] | None = None, actor_id: int | None = None) -> User:
    """An organiser of ``staff_role`` limited to ``contest_ids`` (empty: all contests) and, a unit organiser, to
    ``scope_unit_code``'s subtree. The role and contest ids are checked before the account is created; both steps
    are audited."""
    errors = {**role_problems(staff_role, scope_unit_code), **check_contest_ids(session, contest_ids or [])}
    if errors:
        raise DomainError("validation", fields=errors)
    user = create_staff(session, role=Role.ORGANISER, email=email, full_name=full_name, password=password, now=now,
                        scope_unit_code=scope_unit_code or None, actor_id=actor_id, staff_role=staff_role)
    if contest_ids:
        set_organiser_contests(session, user_id=user.id, contest_ids=contest_ids, now=now, actor_id=actor_id)
    return user


def set_staff_role(session: Session, *, user_id: int, staff_role: StaffRole, scope_unit_code: str | None,
                   now: datetime, actor_id: int | None = None) -> User:
    """Give an organiser another role (and, a unit organiser, their unit); audited."""
    user = session.get(User, user_id)
    if user is None or user.role != Role.ORGANISER:
        raise DomainError("not_found", _l("There is no such organiser."))
    errors = role_problems(staff_role, scope_unit_code)
    unit = session.scalar(select(Unit).where(Unit.code == scope_unit_code)) if scope_unit_code else None
    if scope_unit_code and unit is None and not errors:
        errors = {"scope_unit": _l("No unit has the code %(code)s.", code=scope_unit_code)}
    if errors:
        raise DomainError("validation", fields=errors)
    before = {"staff_role": user.organiser_role.value, "scope": user.scope_unit.code if user.scope_unit else None}
    user.staff_role, user.scope_unit = staff_role, unit
    audit.record(session, actor_id=actor_id, action="account.staff_role", now=now, target_type="user",
                 target_id=user.id, details={"before": before,
                                             "after": {"staff_role": staff_role.value, "scope": scope_unit_code}})
    session.commit()
    return user


@dataclass(frozen=True)
class StaffPage:
    rows: list[dict]  # {user, contests: [title]}
    page: int
    pages: int
    total: int


def list_staff(session: Session, *, page: int = 1, per_page: int = STAFF_PAGE, text: str = "") -> StaffPage:
    """Organisers and admins, ``per_page`` at a time (a unit organiser per school makes thousands), with their unit
    scope and the titles of the contests they are limited to; ``text`` finds them by name or email."""
    where = [User.role.in_([Role.ORGANISER, Role.ADMIN])]
    words = text.split()
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        where.append(User.full_name.ilike(pattern) | User.email.ilike(pattern))
    total = session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    staff = list(session.scalars(select(User).where(*where).order_by(User.role, User.full_name, User.id)
                                 .offset((page - 1) * per_page).limit(per_page)))
    contests: dict[int, list[str]] = {}
    for user_id, title in session.execute(
            select(OrganiserContest.user_id, Contest.title).join(Contest, Contest.id == OrganiserContest.contest_id)
            .where(OrganiserContest.user_id.in_([user.id for user in staff])).order_by(Contest.title)):
        contests.setdefault(user_id, []).append(title)
    return StaffPage([{"user": user, "contests": contests.get(user.id, [])} for user in staff], page, pages, total)


@dataclass(frozen=True)
class AuditPage:
    rows: list  # (AuditEntry, actor name or None, actor email or None)
    page: int
    pages: int
    total: int


def recent_audit(session: Session, *, page: int = 1, per_page: int = AUDIT_PAGE) -> AuditPage:
    """Audit entries, newest first, with who made them."""
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(AuditEntry, User.full_name, User.email).outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return AuditPage([tuple(row) for row in rows], page, pages, total)
