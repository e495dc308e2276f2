"""Login throttling that slows a guesser down without ever locking the owner out.

Failures are counted per account *and* client address, one counter for the login form and ``POST /api/session``.
The first ``free`` failures cost nothing; from then on each failure makes that address wait 1, 2, 4 ... seconds
(up to ``max_delay_s``) before its next try for that account. Someone guessing a rival's password from their own
address therefore only slows themselves: the owner, on another address, logs in as usual. (A whole school
behind one NAT address shares a counter only for the same account.) The start of each burst is audited.

The counters live in the rate limiter's storage: Redis when ``REDIS_URL`` is set, so every server process sees
the same ones, else the process's memory. Times are seconds since the epoch, passed in as ``now``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits.storage import MemoryStorage, Storage
from sqlalchemy.orm import Session

from contest.accounts import identity, service
from contest.accounts.models import User
from contest.audit import service as audit
from contest.errors import DomainError
from contest.extensions import limiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    count: int  # failures of this account from this address in the window, this one included
    delay_s: int  # how long the address must now wait before its next try
    burst_started: bool  # this failure is the one that started the waiting


class LoginThrottle:
    def __init__(self, storage: Storage, *, free: int, max_delay_s: int, window_s: int, prefix: str = ""):
        self.storage = storage
        self.free = free
        self.max_delay_s = max_delay_s
        self.window_s = window_s
        self.prefix = f"{prefix}olympiad-login:"

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        # Hashed: bounded keys whatever was typed, and no phone numbers or emails in plain text in Redis.
        digest = hashlib.sha256(f"{account}\n{address}".encode()).hexdigest()[:32]
        return self.prefix + "fail:" + digest, self.prefix + "until:" + digest

    def wait_s(self, account: str, address: str, *, now: float) -> int:
        """Seconds this address must still wait before trying this account again (0: it may try now)."""
        until_ms = self.storage.get(self._keys(account, address)[1])
        return max(0, math.ceil((until_ms - int(now * 1000)) / 1000))

    def failed(self, account: str, address: str, *, now: float) -> Failure:
        count_key, until_key = self._keys(account, address)
        count = self.storage.incr(count_key, self.window_s)
        if count < self.free:
            return Failure(count, 0, False)
        delay = min(2 ** (count - self.free), self.max_delay_s)
        # The "counter" holds the moment the wait ends (in ms); it expires a little after, leaving nothing behind.
        self.storage.clear(until_key)
        self.storage.incr(until_key, delay + 60, amount=int(now * 1000) + delay * 1000)
        return Failure(count, delay, count == self.free)

    def succeeded(self, account: str, address: str) -> None:
        for key in self._keys(account, address):
            self.storage.clear(key)


class FallbackStorage:
    """The limiter's storage, or the process's memory while it fails (Redis hung or gone): the throttle keeps
    counting, a little less strictly across processes, and never turns a login into an error."""

    warned_at = [0.0]  # shared by every request's wrapper

    def __init__(self, main: Storage, fallback: Storage) -> None:
        self.main, self.fallback = main, fallback

    def _call(self, name: str, *args, **kwargs):
        try:
            return getattr(self.main, name)(*args, **kwargs)
        except Exception as error:
            if time.monotonic() - self.warned_at[0] > 60:  # once a minute, not once per login of a rush
                self.warned_at[0] = time.monotonic()
                log.warning("login throttle: storage unavailable (%s), counting in this process", error)
            return getattr(self.fallback, name)(*args, **kwargs)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount=amount)

    def clear(self, key: str) -> None:
        self._call("clear", key)


_in_process = MemoryStorage()


def app_throttle() -> LoginThrottle | None:
    """The throttle as configured (``LOGIN_THROTTLE_*``), on the rate limiter's storage; None when rate limits
    are switched off (``RATELIMIT_ENABLED``)."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return None
    storage = FallbackStorage(limiter.storage, _in_process)
    return LoginThrottle(storage, free=int(config["LOGIN_THROTTLE_FREE_FAILURES"]),
                         max_delay_s=int(config["LOGIN_THROTTLE_MAX_DELAY_S"]),
                         window_s=int(config["LOGIN_THROTTLE_WINDOW_S"]),
                         prefix=config.get("RATELIMIT_KEY_PREFIX", ""))


def account_key(login: str) -> str:
    """The account a login names, however it was written ('+84 912...' and '0912...' are one)."""
    kind = identity.login_kind(login)
    return kind[1] if kind else login.strip().lower()[:254]


def throttled(wait_s: int) -> DomainError:
    return DomainError(
        "rate_limited",
        _l("Too many wrong passwords for this account from your connection. Try again in %(n)d seconds.",
           n=wait_s),
        retry_after=wait_s,
    )


def log_in(session: Session, throttle: LoginThrottle | None, login: str, password: str, *, address: str,
           now: datetime) -> User:
    """``service.authenticate`` behind the throttle: ``DomainError('rate_limited')`` with ``retry_after`` while
    this address must wait for this account. ``throttle`` None: no throttling (rate limits switched off)."""
    if throttle is None:
        return service.authenticate(session, login, password, now=now)
    account, clock = account_key(login), now.timestamp()
    wait = throttle.wait_s(account, address, now=clock)
    if wait:
        raise throttled(wait)
    try:
        user = service.authenticate(session, login, password, now=now)
    except DomainError as error:
        if error.code == "not_authenticated":
            failure = throttle.failed(account, address, now=clock)
            if failure.burst_started:
                audit.record(session, actor_id=None, action="account.login_throttled", now=now,
                             target_type="login", target_id=account[:64],
                             details={"address": address, "failures": failure.count, "wait_s": failure.delay_s})
                session.commit()
        raise
    throttle.succeeded(account, address)
    return user
