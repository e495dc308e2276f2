"""Entrant administration: finding entrants, fixing their name, birth date or unit, (de)activating them, and
password reset codes (given by an organiser, mailed on request, or printed on a school's slips).

Every function takes ``scope``, the root of the organiser's unit subtree (None: every unit): an entrant outside
it is "not found", as if they did not exist, and a unit outside it cannot be given. Every change is audited in
the same commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, contains_eager

from contest.access.permissions import entrant_filter
from contest.accounts import identity, reset_codes
from contest.accounts.consent import CONSENT_VERSION
from contest.accounts.logins import LoginNotifier, end_user_logins
from contest.accounts.models import PasswordReset, ResetPurpose, Role, User
from contest.accounts.passwords import hash_password
from contest.accounts.service import (
    ConsentAnswer,
    checked_name,
    consent_problems,
    find_user,
    password_problems,
    record_consent,
)
from contest.attempts.models import Attempt
from contest.audit import service as audit
from contest.db import release_connection
from contest.errors import DomainError
from contest.i18n import vietnam_day
from contest.rounds.models import Contest, Round
from contest.search_text import fold
from contest.units.models import Unit
from contest.units.service import is_leaf, is_valid_on

PAGE_SIZE = 50
MIN_PHONE_DIGITS = 4  # fewer digits match too many phones to be a search
BAD_CODE = _l("This code is wrong, already used or expired. Ask your organiser for a new one.")


@dataclass(frozen=True)
class ConsentTicks:
    """What the reset form's consent boxes say (``version``: the text it showed)."""

    consent: bool = False
    guardian_consent: bool = False
    version: str = CONSENT_VERSION


@dataclass(frozen=True)
class SearchPage:
    entrants: list[User]
    total: int
    page: int
    pages: int


def search_entrants(session: Session, query: str, *, scope: Unit | None, page: int = 1,
                    page_size: int = PAGE_SIZE) -> SearchPage:
    """Entrants in ``scope`` matching ``query``: digits are a phone (or its start or end) or a CCCD; words must
    each appear, without accents or case, in the entrant's name or their unit's code and name. Sorted by name."""
    stmt = (select(User).join(Unit, User.unit_id == Unit.id)
            .where(User.role == Role.ENTRANT, entrant_filter(User.unit_id, scope)))
    text = (query or "").strip()
    digits = "".join(char for char in identity.PHONE_DIGITS.sub("", text) if char.isdigit())
    if digits and digits == identity.PHONE_DIGITS.sub("", text).lstrip("+"):
        phone = identity.normalise_phone(text)
        matches = [User.citizen_id == digits]
        if phone:
            matches.append(User.phone == phone)
        if len(digits) >= MIN_PHONE_DIGITS:
            matches += [User.phone.startswith(digits, autoescape=True), User.phone.endswith(digits, autoescape=True)]
        stmt = stmt.where(or_(*matches))
    else:
        for word in fold(text).split():
            stmt = stmt.where(or_(User.name_key.contains(word, autoescape=True),
                                  Unit.search_key.contains(word, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    entrants = list(session.scalars(stmt.options(contains_eager(User.unit)).order_by(User.name_key, User.id)
                                    .offset((page - 1) * page_size).limit(page_size)))
    return SearchPage(entrants=entrants, total=total, page=page, pages=pages)


def entrant_in_scope(session: Session, user_id: int, *, scope: Unit | None) -> User:
    """The entrant, or ``DomainError('not_found')`` when there is none or they are outside ``scope``."""
    user = session.get(User, user_id)
    if user is None or user.role != Role.ENTRANT or not _inside(user.unit, scope):
        raise DomainError("not_found", _l("There is no such entrant."))
    return user


def entrant_attempts(session: Session, user_id: int) -> list[tuple[Attempt, Round, Contest]]:
    """The entrant's attempts, newest first, with their round and contest."""
    return list(session.execute(
        select(Attempt, Round, Contest).join(Round, Round.id == Attempt.round_id)
        .join(Contest, Contest.id == Round.contest_id).where(Attempt.user_id == user_id)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())).all())


def update_entrant(session: Session, user_id: int, *, full_name: str, birth_date: date | None, unit_code: str,
                   scope: Unit | None, now: datetime, actor_id: int | None) -> User:
    """Fix an entrant's name, birth date or unit (a leaf unit inside ``scope``); audited with what changed.
    ``DomainError('validation')`` names the bad fields."""
    user = entrant_in_scope(session, user_id, scope=scope)
    errors: dict[str, object] = {}
    name = checked_name(full_name, errors, empty=_l("Enter the full name."))
    if birth_date is None:
        errors["birth_date"] = _l("Enter the date of birth.")
    elif not (date(now.year - 100, 1, 1) <= birth_date <= date(now.year - 6, 12, 31)):
        errors["birth_date"] = _l("Check the date of birth.")
    unit = session.scalar(select(Unit).where(Unit.code == (unit_code or "").strip()))
    if unit is None or not _inside(unit, scope):
        errors["unit_code"] = _l("No unit you manage has the code %(code)s.", code=(unit_code or "").strip())
    elif not is_leaf(session, unit.id):
        errors["unit_code"] = _l("Choose a school or lowest-level unit, not a group of units.")
    elif (user.unit_id != unit.id) and not is_valid_on(session, unit.id, vietnam_day(now)):
        errors["unit_code"] = _l("The unit %(code)s has ended or was merged: choose a unit valid today.",
                                 code=unit.code)
    if errors:
        raise DomainError("validation", fields=errors)
    before = {"full_name": user.full_name, "birth_date": _iso(user.birth_date),
              "unit": user.unit.code if user.unit else None}
    after = {"full_name": name, "birth_date": _iso(birth_date), "unit": unit.code}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changed:
        user.full_name, user.birth_date, user.unit = name, birth_date, unit
        audit.record(session, actor_id=actor_id, action="entrant.updated", now=now, target_type="user",
                     target_id=user.id, details={"changed": changed})
    session.commit()
    return user


def set_active(session: Session, user_id: int, *, active: bool, scope: Unit | None, now: datetime,
               actor_id: int | None, notifier: LoginNotifier) -> User:
    """Deactivate an entrant (they can no longer log in, and every login of theirs ends at once) or reactivate
    them; audited."""
    user = entrant_in_scope(session, user_id, scope=scope)
    if active and user.personal_data_removed:
        raise DomainError("conflict", _l("This account's personal data was removed: it cannot be reactivated."))
    ended: list[int] = []
    if user.active != active:
        user.active = active
        if not active:
            ended = end_user_logins(session, now=now, user_id=user.id)
        audit.record(session, actor_id=actor_id, action="entrant.activated" if active else "entrant.deactivated",
                     now=now, target_type="user", target_id=user.id, details={"logins_ended": len(ended)})
    session.commit()
    notifier.logins_ended(ended)
    return user


def issue_reset_code(session: Session, user_id: int, *, scope: Unit | None, now: datetime, minutes: int,
                     actor_id: int | None) -> tuple[User, str, datetime]:
    """A new one-time code for the entrant to set a password with, valid ``minutes``; the codes given to them
    before end. Only its hash is stored; the code is returned to be shown once. Audited (without the code)."""
    user = entrant_in_scope(session, user_id, scope=scope)
    if not user.active:
        raise DomainError("conflict", _l("This account is deactivated: reactivate it first."))
    code, expires = add_reset(session, user.id, purpose=ResetPurpose.ASSISTED, now=now,
                              lifetime=timedelta(minutes=minutes), actor_id=actor_id)
    audit.record(session, actor_id=actor_id, action="account.reset_code_issued", now=now, target_type="user",
                 target_id=user.id, details={"expires_at": expires.isoformat()})
    session.commit()
    return user, code, expires


def add_reset(session: Session, user_id: int, *, purpose: ResetPurpose, now: datetime, lifetime: timedelta,
              actor_id: int | None) -> tuple[str, datetime]:
    """Record a new code for ``user_id`` (ending their unused ones) without committing; the code and its end."""
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    code, expires = reset_codes.new_code(), now + lifetime
    session.add(PasswordReset(user_id=user_id, code_hash=reset_codes.code_hash(code), purpose=purpose,
                              created_by_id=actor_id, created_at=now, expires_at=expires))
    return code, expires


def request_email_reset(session: Session, email: str, *, now: datetime, minutes: int, send) -> None:
    """Self-service: when an active account has this email, a code valid ``minutes`` is mailed to it through
    ``send(to, code)``. Says nothing either way: the caller answers the same whether anyone has the address."""
    address = identity.normalise_email(email or "")
    user = session.scalar(select(User).where(User.email == address)) if address else None
    if user is None or not user.active:
        return
    code, _expires = add_reset(session, user.id, purpose=ResetPurpose.EMAIL, now=now,
                               lifetime=timedelta(minutes=minutes), actor_id=None)
    audit.record(session, actor_id=None, action="account.reset_mailed", now=now, target_type="user",
                 target_id=user.id)
    session.commit()
    send(user.email, code)


def redeem_reset(session: Session, login: str, code: str, new_password: str, *, now: datetime,
                 notifier: LoginNotifier, consent: ConsentTicks | None = None) -> User:
    """Set a new password with a one-time code: the code must be the user's, unused and not expired, and is
    spent here (a conditional UPDATE: two tabs cannot both use it). Every login of the user ends; audited.
    A wrong login and a wrong code get the same answer. An account that never agreed to the personal-data text
    (one a school's list made, or older than consent) agrees here first (Decree 13/2023): ``consent``'s boxes,
    checked only once the code is known good, so they say nothing about an account to whoever lacks its code."""
    problems = password_problems(new_password, field="password")
    if problems:
        raise DomainError("validation", fields=problems)
    user = find_user(session, login)
    bare = reset_codes.normalise_code(code)
    if user is None or not user.active or bare is None:
        raise DomainError("validation", fields={"code": BAD_CODE})
    usable = (PasswordReset.user_id == user.id, PasswordReset.code_hash == reset_codes.code_hash(bare),
              PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)
    user_id = user.id
    if session.scalar(select(PasswordReset.id).where(*usable)) is None:
        raise DomainError("validation", fields={"code": BAD_CODE})
    answer = None
    if user.consent_version is None:
        ticks = consent or ConsentTicks()
        answer = ConsentAnswer(birth_date=user.birth_date, consent=ticks.consent,
                               guardian_consent=ticks.guardian_consent, consent_version=ticks.version)
        problems = consent_problems(answer, now=now)
        if problems:
            raise DomainError("validation", fields=problems)
    release_connection(session)  # hold no database connection during the ~30 ms of hashing
    new_hash = hash_password(new_password)
    if not session.execute(update(PasswordReset).where(*usable).values(used_at=now)).rowcount:
        session.rollback()
        raise DomainError("validation", fields={"code": BAD_CODE})
    user = session.get(User, user_id)
    user.password_hash = new_hash
    if answer is not None:
        record_consent(user, answer, now=now)
    ended = end_user_logins(session, now=now, user_id=user.id)
    audit.record(session, actor_id=user.id, action="account.password_reset", now=now, target_type="user",
                 target_id=user.id, details={"logins_ended": len(ended)})
    session.commit()
    notifier.logins_ended(ended)
    return user


def _inside(unit: Unit | None, scope: Unit | None) -> bool:
    if scope is None:
        return True
    return unit is not None and unit.path.startswith(scope.path)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
