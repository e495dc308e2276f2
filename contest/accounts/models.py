from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from contest.db import flag_true, intpk, utcnow
from contest.extensions import db
from contest.search_text import fold
from contest.units.models import Unit

NAME_LENGTH = 120


def fold_name(full_name: str) -> str:
    """The search key of a name (``User.name_key``). Cut to the column's length: NFD can lengthen a name (a Hangul
    syllable becomes two or three letters), and PostgreSQL refuses an over-long value where SQLite keeps it."""
    return fold(full_name)[:NAME_LENGTH]


def _default_name_key(context) -> str:
    """For inserts that bypass the ORM's attribute events: ``insert(User)`` with dicts, as the demo seed does."""
    return fold_name(context.get_current_parameters().get("full_name") or "")


class Role(enum.StrEnum):
    ENTRANT = "entrant"
    ORGANISER = "organiser"
    ADMIN = "admin"


class StaffRole(enum.StrEnum):
    """What an organiser does (admins do everything): see ``contest.access.permissions``."""

    CONTEST = "contest"  # contests, rounds, results, freeze/publish, whole-round exports
    BANK = "bank"  # the question bank
    UNIT = "unit"  # read-only: their unit subtree's entrants, participation and results
    # A school's or district's organiser: a unit organiser who also keeps their subtree's entrants (fixes,
    # password reset codes, deactivation, lists of students).
    UNIT_MANAGER = "unit_manager"


UNIT_ROLES = frozenset({StaffRole.UNIT, StaffRole.UNIT_MANAGER})  # the roles limited to a unit subtree


class User(UserMixin, db.Model):
    """Anyone who logs in. Entrants belong to a leaf unit; organisers may be scoped to a unit subtree."""

    __tablename__ = "users"

    id: Mapped[intpk]
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, values_callable=lambda roles: [r.value for r in roles]),
        default=Role.ENTRANT,
    )
    full_name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # What the public name search matches; kept by _keep_name_key, and by the default for bulk inserts.
    name_key: Mapped[str] = mapped_column(String(NAME_LENGTH), default=_default_name_key, server_default="")
    birth_date: Mapped[date | None]
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # stored lowercased
    citizen_id: Mapped[str | None] = mapped_column(String(12), unique=True)  # CCCD
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # organisers: None = all
    # Organisers only; None (rows written before roles existed) reads as CONTEST, or UNIT with a scope_unit.
    staff_role: Mapped[StaffRole | None] = mapped_column(
        Enum(StaffRole, native_enum=False, length=16, values_callable=lambda roles: [r.value for r in roles]))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[flag_true]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # The address the account was registered from (behind the configured proxies): bursts of registrations from
    # one address are a fair-play signal (contest.fairplay). None for accounts made by organisers or imports.
    registered_address: Mapped[str | None] = mapped_column(String(45))
    # Decree 13/2023: which consent text (``consent.CONSENT_VERSION``) the entrant agreed to and when; whether a
    # parent or guardian agreed (entrants under 16). None for accounts made before consent was recorded.
    consent_version: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None]
    guardian_consent: Mapped[bool | None]
    # Set by the retention command (``privacy.retention``): ``pseudonymised`` or ``erased``, and when.
    personal_data_removed: Mapped[str | None] = mapped_column(String(16))
    personal_data_removed_at: Mapped[datetime | None]

    # The login this instance was loaded through (set by contest.accounts.logins, not stored here): Flask-Login
    # keeps ``get_id()`` in the session and remember cookies, so a revoked login's cookies stop naming anyone.
    login_token = None
    login_id = None

    unit: Mapped[Unit | None] = relationship(foreign_keys=[unit_id])
    scope_unit: Mapped[Unit | None] = relationship(foreign_keys=[scope_unit_id])

    @validates("full_name")
    def _keep_name_key(self, _key: str, full_name: str) -> str:
        self.name_key = fold_name(full_name)
        return full_name

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_organiser(self) -> bool:
        return self.role in (Role.ORGANISER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def organiser_role(self) -> StaffRole | None:
        """The staff role of an organiser (None for entrants and admins)."""
        if self.role != Role.ORGANISER:
            return None
        if self.staff_role is not None:
            return self.staff_role
        return StaffRole.UNIT if self.scope_unit_id is not None else StaffRole.CONTEST

    def get_id(self) -> str:
        if self.login_token is None:
            raise RuntimeError("log in through contest.accounts.logins.open_login")
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class LoginSession(db.Model):
    """One login on one browser or client: the hash of the random token its cookies carry. A login ends at
    logout, at a password change or when staff end it; its cookies then name no one."""

    __tablename__ = "login_sessions"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 hex of the token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ResetPurpose(enum.StrEnum):
    ASSISTED = "assisted"  # an organiser gave the code (a forgotten password)
    EMAIL = "email"  # the entrant asked for a link by email
    SLIP = "slip"  # the first password of an account made from a school's list


class PasswordReset(db.Model):
    """A one-time code that lets its user set a new password at ``/reset``: only the SHA-256 of the code is kept,
    it ends at ``expires_at`` and is spent by its first use (``used_at``)."""

    __tablename__ = "password_resets"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[ResetPurpose] = mapped_column(
        Enum(ResetPurpose, native_enum=False, length=16, values_callable=lambda items: [i.value for i in items]))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
