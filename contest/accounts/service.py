"""Account services: registration, authentication, password changes and staff accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contest.accounts import identity
from contest.accounts.consent import CONSENT_VERSION, needs_guardian
from contest.accounts.logins import LoginNotifier, end_user_logins
from contest.accounts.models import Role, StaffRole, User
from contest.accounts.names import clean_name
from contest.accounts.passwords import MIN_LENGTH, hash_password, verify_password, verify_unknown_user
from contest.audit import service as audit
from contest.db import release_connection
from contest.errors import DomainError
from contest.i18n import vietnam_day
from contest.units.models import Unit
from contest.units.service import is_leaf, is_valid_on


@dataclass(frozen=True)
class Registration:
    full_name: str
    birth_date: date | None
    phone: str
    password: str
    unit_id: int | None
    email: str = ""
    citizen_id: str = ""
    consent: bool = False  # ticked the consent to ``consent_version``'s text
    guardian_consent: bool = False  # under 16: a parent or guardian agrees
    consent_version: str = CONSENT_VERSION


def register_entrant(session: Session, form: Registration, *, now: datetime, address: str = "") -> User:
    """Create an entrant account. Raises ``DomainError('validation'|'conflict')`` naming the bad fields.
    ``address``: where the registration came from (behind the trusted proxies), kept for the fair-play signals."""
    errors, full_name, phone, email, citizen_id = _checked_registration(session, form, now=now)
    if errors:
        raise DomainError("validation", fields=errors)

    # An anonymous caller learns only that the value cannot be used, not whose it is; the page limits how
    # often one address may be told so (REGISTER_CONFLICT_LIMIT_PER_IP).
    _ensure_unique(session, messages=_UNUSABLE, phone=phone, email=email, citizen_id=citizen_id)
    user = User(role=Role.ENTRANT, full_name=full_name, birth_date=form.birth_date, phone=phone,
                email=email, citizen_id=citizen_id, unit_id=form.unit_id,
                password_hash=hash_password(form.password), created_at=now, registered_address=address[:45] or None)
    record_consent(user, form, now=now)
    session.add(user)
    _commit_unique(session, messages=_UNUSABLE, phone=phone, email=email, citizen_id=citizen_id)
    return user


def registration_problems(session: Session, form: Registration, *, now: datetime) -> dict[str, object]:
    """What ``register_entrant`` would refuse in ``form`` (field -> message), without creating anything: the page
    shows these beside the form's own errors, all at once, instead of one stage per submit."""
    return _checked_registration(session, form, now=now)[0]


def _checked_registration(session: Session, form: Registration, *, now: datetime) -> tuple:
    """``(errors, full name, phone, email, citizen ID)``, the last four normalised."""
    errors: dict[str, object] = {}
    full_name = checked_name(form.full_name, errors, empty=_l("Enter your full name."))
    if form.birth_date is None:
        errors["birth_date"] = _l("Enter your date of birth.")
    elif not (date(now.year - 100, 1, 1) <= form.birth_date <= date(now.year - 6, 12, 31)):
        errors["birth_date"] = _l("Check the date of birth.")
    phone = identity.normalise_phone(form.phone)
    if identity.has_foreign_digits(form.phone):
        errors["phone"] = FOREIGN_DIGITS
    elif phone is None:
        errors["phone"] = _l("Enter a Vietnamese mobile number of 10 digits, like 0912345678.")
    email = None
    if form.email.strip():
        email = identity.normalise_email(form.email)
        if email is None:
            errors["email"] = _l("Enter a valid email address, or leave it empty.")
    citizen_id = None
    if form.citizen_id.strip():
        citizen_id = identity.normalise_citizen_id(form.citizen_id)
        if identity.has_foreign_digits(form.citizen_id):
            errors["citizen_id"] = FOREIGN_DIGITS
        elif citizen_id is None:
            errors["citizen_id"] = _l("A citizen ID (CCCD) has exactly 12 digits.")
    errors.update(password_problems(form.password))
    if form.unit_id is None or session.get(Unit, form.unit_id) is None:
        errors["unit_id"] = _l("Choose your unit from the list.")
    elif not is_leaf(session, form.unit_id):
        errors["unit_id"] = _l("Choose your school or lowest-level unit, not a group of units.")
    elif not is_valid_on(session, form.unit_id, vietnam_day(now)):
        errors["unit_id"] = _l("This unit no longer exists in the list (or not yet): find your school again.")
    errors.update(consent_problems(form, now=now))
    return errors, full_name, phone, email, citizen_id


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
    problems = password_problems(new, field="new")
    if problems:
        raise DomainError("validation", fields=problems)
    user.password_hash = hash_password(new)
    ended = end_user_logins(session, now=now, user_id=user.id)
    audit.record(session, actor_id=user.id, action="account.password_changed", now=now,
                 target_type="user", target_id=user.id, details={"logins_ended": len(ended)})
    session.commit()
    notifier.logins_ended(ended)


def create_staff(session: Session, *, role: Role, email: str, full_name: str, password: str,
                 now: datetime, scope_unit_code: str | None = None, actor_id: int | None = None,
                 staff_role: StaffRole | None = None) -> User:
    """Create an organiser (with their ``staff_role``) or admin (login by email). A unit organiser sees only the
    subtree of ``scope_unit_code``."""
    errors: dict[str, object] = {}
    normalised = identity.normalise_email(email)
    if normalised is None:
        errors["email"] = _l("Enter a valid email address.")
    name = checked_name(full_name, errors, empty=_l("Enter the full name."))
    errors.update(password_problems(password))
    scope = None
    if scope_unit_code:
        scope = session.scalar(select(Unit).where(Unit.code == scope_unit_code))
        if scope is None:
            errors["scope_unit"] = _l("No unit has the code %(code)s.", code=scope_unit_code)
    if errors:
        raise DomainError("validation", fields=errors)
    _ensure_unique(session, email=normalised)
    user = User(role=role, full_name=name, email=normalised,
                password_hash=hash_password(password), scope_unit=scope, created_at=now,
                staff_role=staff_role if role == Role.ORGANISER else None)
    session.add(user)
    session.flush()
    audit.record(session, actor_id=actor_id, action="account.staff_created", now=now, target_type="user",
                 target_id=user.id, details={"role": role.value, "scope": scope_unit_code,
                                                              "staff_role": staff_role.value if staff_role else None})
    _commit_unique(session, email=normalised)
    return user


@dataclass(frozen=True)
class ConsentAnswer:
    """The consent boxes of a form other than registration (the first password of an account a school made)."""

    birth_date: date | None
    consent: bool
    guardian_consent: bool
    consent_version: str


def consent_problems(form: Registration | ConsentAnswer, *, now: datetime) -> dict[str, object]:
    """Decree 13/2023: no account without consent to the current text, and for a child under 16 a parent's or
    guardian's agreement too."""
    problems: dict[str, object] = {}
    if form.consent_version != CONSENT_VERSION:
        problems["consent"] = _l("The consent text has changed: read it again and tick the box.")
    elif not form.consent:
        problems["consent"] = _l("Tick the box to agree to the processing of your personal data.")
    if needs_guardian(form.birth_date, vietnam_day(now)) and not form.guardian_consent:
        problems["guardian_consent"] = _l("Under 16, you need a parent's or guardian's agreement: tick the box.")
    return problems


def record_consent(user: User, form: Registration | ConsentAnswer, *, now: datetime) -> None:
    user.consent_version, user.consent_at = form.consent_version, now
    user.guardian_consent = form.guardian_consent if needs_guardian(form.birth_date, vietnam_day(now)) else None


FOREIGN_DIGITS = _l("Type the number with the digits 0-9 only.")


def checked_name(raw: str, errors: dict[str, object], *, empty) -> str:
    """The name as stored; a problem goes into ``errors['full_name']`` (see contest.accounts.names)."""
    name = clean_name(raw)
    if name.problem is not None:
        errors["full_name"] = {
            "empty": empty,
            "too_long": _l("The name is longer than 120 characters."),
            "control": _l("The name contains a control character. Type it again without it."),
            "bidi": _l("The name contains a text-direction control character. Type it again without it."),
        }[name.problem]
    return name.text


def password_problems(password: str, field: str = "password") -> dict[str, object]:
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

_UNUSABLE = {
    "phone": _l("This phone number cannot be used to register. If it is yours, log in instead."),
    "email": _l("This email address cannot be used to register. If it is yours, log in instead."),
    "citizen_id": _l("This citizen ID cannot be used to register. If it is yours, log in instead."),
}


def _ensure_unique(session: Session, messages: dict = _TAKEN, **values: str | None) -> None:
    taken = {}
    for name, value in values.items():
        if value is not None and session.scalar(select(User.id).where(getattr(User, name) == value)):
            taken[name] = messages[name]
    if taken:
        raise DomainError("conflict", fields=taken)


def _commit_unique(session: Session, messages: dict = _TAKEN, **values: str | None) -> None:
    """Commit; a concurrent registration of the same phone/email/CCCD becomes a clear conflict, not a 500."""
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        message = str(exc.orig).lower()
        fields = {name: messages[name] for name, value in values.items() if value and name in message}
        raise DomainError("conflict", fields=fields or {"phone": messages["phone"]}) from exc
