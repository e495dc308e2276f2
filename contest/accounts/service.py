"""Account services: registration, authentication, password changes and staff accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contest.accounts import identity
from contest.accounts.logins import LoginNotifier, end_user_logins
from contest.accounts.models import Role, User
from contest.accounts.passwords import MIN_LENGTH, hash_password, verify_password, verify_unknown_user
from contest.audit import service as audit
from contest.db import release_connection
from contest.errors import DomainError
from contest.units.models import Unit
from contest.units.service import is_leaf


@dataclass(frozen=True)
class Registration:
    full_name: str
    birth_date: date | None
    phone: str
    password: str
    unit_id: int | None
    email: str = ""
    citizen_id: str = ""


def register_entrant(session: Session, form: Registration, *, now: datetime) -> User:
    """Create an entrant account. Raises ``DomainError('validation'|'conflict')`` naming the bad fields."""
    errors: dict[str, object] = {}
    full_name = " ".join(form.full_name.split())
    if not full_name:
        errors["full_name"] = _l("Enter your full name.")
    elif len(full_name) > 120:
        errors["full_name"] = _l("The name is longer than 120 characters.")
    if form.birth_date is None:
        errors["birth_date"] = _l("Enter your date of birth.")
    elif not (date(now.year - 100, 1, 1) <= form.birth_date <= date(now.year - 6, 12, 31)):
        errors["birth_date"] = _l("Check the date of birth.")
    phone = identity.normalise_phone(form.phone)
    if phone is None:
        errors["phone"] = _l("Enter a Vietnamese mobile number of 10 digits, like 0912345678.")
    email = None
    if form.email.strip():
        email = identity.normalise_email(form.email)
        if email is None:
            errors["email"] = _l("Enter a valid email address, or leave it empty.")
    citizen_id = None
    if form.citizen_id.strip():
        citizen_id = identity.normalise_citizen_id(form.citizen_id)
        if citizen_id is None:
            errors["citizen_id"] = _l("A citizen ID (CCCD) has exactly 12 digits.")
    errors.update(_password_problems(form.password))
    if form.unit_id is None or session.get(Unit, form.unit_id) is None:
        errors["unit_id"] = _l("Choose your unit from the list.")
    elif not is_leaf(session, form.unit_id):
        errors["unit_id"] = _l("Choose your school or lowest-level unit, not a group of units.")
    if errors:
        raise DomainError("validation", fields=errors)

    _ensure_unique(session, phone=phone, email=email, citizen_id=citizen_id)
    user = User(role=Role.ENTRANT, full_name=full_name, birth_date=form.birth_date, phone=phone,
                email=email, citizen_id=citizen_id, unit_id=form.unit_id,
                password_hash=hash_password(form.password), created_at=now)
    session.add(user)
    _commit_unique(session, phone=phone, email=email, citizen_id=citizen_id)
    return user


def authenticate(session: Session, login: str, password: str, *, now: datetime) -> User:
    """The active user with this phone or email and password; ``DomainError('not_authenticated')`` if none."""
    refused = DomainError("not_authenticated", _l("Wrong phone/email or password."))
    user = find_user(session, login)
    known = user is not None and user.active
    user_id, stored_hash = (user.id, user.password_hash) if known else (None, "")
    release_connection(session)  # hold no database connection during the ~30 ms of hashing
    if not known:
        verify_unknown_user(password or "")
        raise refused
    if not verify_password(stored_hash, password or ""):
        raise refused
    session.execute(update(User).where(User.id == user_id).values(last_login_at=now))
    session.commit()
    return session.get(User, user_id)


def find_user(session: Session, login: str) -> User | None:
    """The user whose phone or email ``login`` is, in any of the forms people type them."""
    kind = identity.login_kind(login or "")
    if kind is None:
        return None
    column = User.phone if kind[0] == "phone" else User.email
    return session.scalar(select(User).where(column == kind[1]))


def change_password(session: Session, user: User, current: str, new: str, *, now: datetime,
                    notifier: LoginNotifier) -> None:
    """Set a new password and end every login of the user (the caller opens a fresh one for this browser)."""
    if not verify_password(user.password_hash, current):
        raise DomainError("validation", fields={"current": _l("The current password is wrong.")})
    problems = _password_problems(new, field="new")
    if problems:
        raise DomainError("validation", fields=problems)
    user.password_hash = hash_password(new)
    ended = end_user_logins(session, now=now, user_id=user.id)
    audit.record(session, actor_id=user.id, action="account.password_changed", now=now,
                 target_type="user", target_id=user.id, details={"logins_ended": len(ended)})
    session.commit()
    notifier.logins_ended(ended)


def create_staff(session: Session, *, role: Role, email: str, full_name: str, password: str,
                 now: datetime, scope_unit_code: str | None = None, actor_id: int | None = None) -> User:
    """Create an organiser or admin (login by email). An organiser with a scope sees only that subtree."""
    errors: dict[str, object] = {}
    normalised = identity.normalise_email(email)
    if normalised is None:
        errors["email"] = _l("Enter a valid email address.")
    if not full_name.strip():
        errors["full_name"] = _l("Enter the full name.")
    errors.update(_password_problems(password))
    scope = None
    if scope_unit_code:
        scope = session.scalar(select(Unit).where(Unit.code == scope_unit_code))
        if scope is None:
            errors["scope_unit"] = _l("No unit has the code %(code)s.", code=scope_unit_code)
    if errors:
        raise DomainError("validation", fields=errors)
    _ensure_unique(session, email=normalised)
    user = User(role=role, full_name=full_name.strip(), email=normalised,
                password_hash=hash_password(password), scope_unit=scope, created_at=now)
    session.add(user)
    session.flush()
    audit.record(session, actor_id=actor_id, action="account.staff_created", now=now, target_type="user",
                 target_id=user.id, details={"role": role.value, "scope": scope_unit_code})
    _commit_unique(session, email=normalised)
    return user


def _password_problems(password: str, field: str = "password") -> dict[str, object]:
    if len(password or "") < MIN_LENGTH:
        return {field: _l("The password needs at least %(n)d characters.", n=MIN_LENGTH)}
    if len(password) > 200:
        return {field: _l("The password is longer than 200 characters.")}
    return {}


_TAKEN = {
    "phone": _l("This phone number is already registered."),
    "email": _l("This email address is already registered."),
    "citizen_id": _l("This citizen ID is already registered."),
}


def _ensure_unique(session: Session, **values: str | None) -> None:
    taken = {}
    for name, value in values.items():
        if value is not None and session.scalar(select(User.id).where(getattr(User, name) == value)):
            taken[name] = _TAKEN[name]
    if taken:
        raise DomainError("conflict", fields=taken)


def _commit_unique(session: Session, **values: str | None) -> None:
    """Commit; a concurrent registration of the same phone/email/CCCD becomes a clear conflict, not a 500."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        message = str(exc.orig).lower()
        fields = {name: _TAKEN[name] for name, value in values.items() if value and name in message}
        raise DomainError("conflict", fields=fields or {"phone": _TAKEN["phone"]}) from exc
