"""Proof of work at the login and registration doors: a small hashcash the page solves before it sends the form.

Off unless ``FAIRPLAY_POW_BITS`` is above 0. A challenge is stateless: ``nonce.bits.expires.purpose.signature``,
signed with HMAC-SHA256 of the app's secret, so any process can check it. The client finds a ``solution`` (a
decimal counter) such that SHA-256 of ``challenge + ":" + solution`` starts with ``bits`` zero bits (about
2^bits hashes: 14 bits, some 16,000 hashes, well under a second on a cheap phone with Web Crypto). A challenge is
spent by its first use (``fairplay_spent_challenges``, shared by every process through the database) and expires
after ``FAIRPLAY_POW_TTL_S``. Under a registration burst from an address (``FAIRPLAY_POW_BURST`` registrations in
10 minutes) its challenges get ``FAIRPLAY_POW_BURST_EXTRA_BITS`` more. No third party is involved: nothing leaves
the server but the challenge.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contest.accounts.models import User
from contest.errors import DomainError
from contest.fairplay.models import SpentChallenge

PURPOSES = ("login", "register")
MAX_BITS = 28
BURST_WINDOW = timedelta(minutes=10)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def _signature(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]


def issue(secret: str, purpose: str, bits: int, *, now: datetime, ttl_s: int, nonce: str | None = None) -> dict:
    """A signed challenge ``{challenge, bits, expires}`` (``expires``: epoch seconds)."""
    expires = int(now.timestamp()) + ttl_s
    body = f"{nonce or secrets.token_hex(16)}.{bits}.{expires}.{purpose}"
    return {"challenge": f"{body}.{_signature(secret, body)}", "bits": bits, "expires": expires}


def solved(challenge: str, solution: str, bits: int) -> bool:
    return leading_zero_bits(hashlib.sha256(f"{challenge}:{solution}".encode()).digest()) >= bits


def solve(challenge: str, bits: int) -> str:
    """The client's side, in Python: the load harness logs in with it when the door asks for work."""
    counter = 0
    while not solved(challenge, str(counter), bits):
        counter += 1
    return str(counter)


def check(secret: str, challenge: object, solution: object, purpose: str, *, now: datetime) -> tuple[str, datetime]:
    """``(nonce, expiry)`` of a well-signed, unexpired challenge of ``purpose`` that ``solution`` solves; else
    ``DomainError('pow_required')``. Pure: spending it is ``spend``."""
    refused = DomainError("pow_required")
    if not isinstance(challenge, str) or not isinstance(solution, str) or len(challenge) > 200 or len(solution) > 20:
        raise refused
    parts = challenge.split(".")
    if len(parts) != 5:
        raise refused
    nonce, bits, expires, used_for, signature = parts
    if not hmac.compare_digest(signature, _signature(secret, ".".join(parts[:4]))) or used_for != purpose:
        raise refused
    if not bits.isdigit() or not expires.isdigit() or int(expires) < now.timestamp():
        raise refused
    if not solved(challenge, solution, int(bits)):
        raise refused
    return nonce, datetime.fromtimestamp(int(expires), UTC)


def spend(session: Session, nonce: str, expires_at: datetime, *, now: datetime) -> None:
    """Spend a checked challenge, once in every process: a second use is ``pow_required``. Expired rows go."""
    session.execute(delete(SpentChallenge).where(SpentChallenge.expires_at < now))
    try:
        with session.begin_nested():
            session.add(SpentChallenge(nonce=nonce, expires_at=expires_at))
    except IntegrityError:
        raise DomainError("pow_required", _l("This check was used already: the page will make a new one.")) from None
    session.commit()


def bits_for(session: Session, config, purpose: str, address: str, *, now: datetime) -> int:
    """The difficulty now: ``FAIRPLAY_POW_BITS``, raised while the address registers in a burst."""
    bits = int(config.get("FAIRPLAY_POW_BITS", 0))
    if bits <= 0:
        return 0
    if address:
        recent = session.scalar(select(func.count(User.id)).where(User.registered_address == address,
                                                                 User.created_at >= now - BURST_WINDOW))
        if recent >= int(config["FAIRPLAY_POW_BURST"]):
            bits += int(config["FAIRPLAY_POW_BURST_EXTRA_BITS"])
    return min(bits, MAX_BITS)


def enabled(config) -> bool:
    return int(config.get("FAIRPLAY_POW_BITS", 0)) > 0


def new_challenge(session: Session, config, purpose: str, address: str, *, now: datetime) -> dict | None:
    """A challenge for a door, or None while the proof of work is off."""
    if not enabled(config) or purpose not in PURPOSES:
        return None
    return issue(config["SECRET_KEY"], purpose, bits_for(session, config, purpose, address, now=now), now=now,
                 ttl_s=int(config["FAIRPLAY_POW_TTL_S"]))


def pass_door(session: Session, config, purpose: str, challenge: object, solution: object, *, now: datetime) -> None:
    """Let a login or registration through: nothing while the proof of work is off, else a solved, unspent
    challenge of that door (``pow_required`` otherwise)."""
    if not enabled(config):
        return
    nonce, expires_at = check(config["SECRET_KEY"], challenge, solution, purpose, now=now)
    spend(session, nonce, expires_at, now=now)
