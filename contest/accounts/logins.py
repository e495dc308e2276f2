"""Logins as server-side records: each login gets a random token, its cookies carry the token and the database
keeps only its SHA-256. Ending a login (logout, password change, staff) makes every copy of its cookies void,
and tells its open sockets through the notifier."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from contest.accounts.models import LoginSession, User
from contest.audit import service as audit

TOKEN_BYTES = 32
MAX_TOKEN_CHARS = 64  # token_urlsafe(32) is 43 characters; anything longer is not one of ours


class LoginNotifier(Protocol):
    def logins_ended(self, login_ids: list[int]) -> None: ...


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_login(session: Session, user: User, *, now: datetime) -> str:
    """Record a new login of ``user`` and return its token (also left on ``user`` for Flask-Login)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    login = LoginSession(user_id=user.id, token_hash=token_hash(token), created_at=now)
    session.add(login)
    session.commit()
    user.login_token, user.login_id = token, login.id
    return token


def user_for_token(session: Session, token: str, *, now: datetime, lifetime: timedelta) -> User | None:
    """The user of a login that has not ended and is younger than ``lifetime`` (the cookies' own lifetime: a
    copied remember cookie would otherwise work for ever), with ``login_token``/``login_id`` set."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.execute(_open_login_query(), {"token_hash": token_hash(token), "since": now - lifetime}).first()
    if row is None:
        return None
    user, login_id = row
    user.login_token, user.login_id = token, login_id
    return user


def open_login_of(session: Session, token: str, *, now: datetime, lifetime: timedelta) -> tuple[int, int] | None:
    """``(user id, login id)`` of an active account's open login, as ``user_for_token`` would find it, without
    loading the account: what a websocket connect needs of it (``realtime.fast_opening``)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.execute(_open_login_ids_query(), {"token_hash": token_hash(token), "since": now - lifetime}).first()
    return (row[0], row[1]) if row is not None else None


@functools.cache
def _open_login_ids_query():
    return (select(User.id, LoginSession.id).join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.revoked_at.is_(None),
                   LoginSession.created_at > bindparam("since"), User.active.is_(True)))


@functools.cache
def _open_login_query():
    """Built once: every websocket connect loads its user with it, and building the statement (its comparisons,
    join and select) cost a third of that load in a round's opening (py-spy)."""
    return (select(User, LoginSession.id).join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.revoked_at.is_(None),
                   LoginSession.created_at > bindparam("since")))


def login_is_open(session: Session, login_id: int) -> bool:
    return session.scalar(select(LoginSession.id).where(LoginSession.id == login_id,
                                                        LoginSession.revoked_at.is_(None))) is not None


def end_login(session: Session, login_id: int, *, now: datetime, notifier: LoginNotifier) -> None:
    """Logout: end this one login."""
    ended = end_user_logins(session, now=now, login_id=login_id)
    session.commit()
    notifier.logins_ended(ended)


def revoke_logins(session: Session, user_id: int, *, now: datetime, notifier: LoginNotifier,
                  actor_id: int | None) -> int:
    """Staff end every open login of a user (a lost phone, a shared password), audited; returns how many."""
    ended = end_user_logins(session, now=now, user_id=user_id)
    audit.record(session, actor_id=actor_id, action="account.logins_revoked", now=now, target_type="user",
                 target_id=user_id, details={"count": len(ended)})
    session.commit()
    notifier.logins_ended(ended)
    return len(ended)


def end_user_logins(session: Session, *, now: datetime, user_id: int | None = None,
                    login_id: int | None = None) -> list[int]:
    """Mark the open logins of a user (or one login) ended, without committing; the ids, for the notifier."""
    where = [LoginSession.revoked_at.is_(None)]
    where.append(LoginSession.user_id == user_id if login_id is None else LoginSession.id == login_id)
    ids = list(session.scalars(select(LoginSession.id).where(*where)))
    if ids:
        session.execute(update(LoginSession).where(LoginSession.id.in_(ids)).values(revoked_at=now))
    return ids
