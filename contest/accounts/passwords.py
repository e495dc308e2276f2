"""argon2id password hashes, verified off the event loop so a login rush does not stall answer acks."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from contest.concurrency import run_blocking

MIN_LENGTH = 8


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return run_blocking(_hasher().hash, password)


def verify_password(stored_hash: str, password: str) -> bool:
    hasher = _hasher()  # here: the pool's thread has no app context

    def check() -> bool:
        try:
            return hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return run_blocking(check)


# A real hash to verify against when the login names nobody, so both paths cost the same time.
_DUMMY: dict[int, str] = {}


def verify_unknown_user(password: str) -> bool:
    key = current_app.config["ARGON2_MEMORY_KIB"]
    if key not in _DUMMY:
        _DUMMY[key] = _hasher().hash("not-a-password")
    verify_password(_DUMMY[key], password)
    return False
