"""The door's proof of work (contest.fairplay.door), without a database: signed, expiring, for one door, solved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contest.errors import DomainError
from contest.fairplay.door import check, issue, leading_zero_bits, solve, solved

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_leading_zero_bits():
    assert leading_zero_bits(bytes([0, 0, 0x1F])) == 19 and leading_zero_bits(bytes([0xFF])) == 0


def test_a_solved_challenge_passes_and_gives_its_nonce():
    made = issue("secret", "login", 10, now=NOW, ttl_s=600, nonce="ab" * 16)
    solution = solve(made["challenge"], 10)
    assert solved(made["challenge"], solution, 10)
    nonce, expires = check("secret", made["challenge"], solution, "login", now=NOW)
    assert nonce == "ab" * 16 and expires == NOW + timedelta(seconds=600)


@pytest.mark.parametrize("case", ["unsolved", "other_door", "expired", "forged_bits", "other_secret", "garbage"])
def test_anything_else_is_pow_required(case):
    made = issue("secret", "login", 10, now=NOW, ttl_s=600)
    challenge, solution = made["challenge"], solve(made["challenge"], 10)
    secret, purpose, now = "secret", "login", NOW
    if case == "unsolved":
        solution = next(str(n) for n in range(10_000) if not solved(challenge, str(n), 10))
    elif case == "other_door":
        purpose = "register"
    elif case == "expired":
        now = NOW + timedelta(seconds=601)
    elif case == "forged_bits":
        parts = challenge.split(".")
        parts[1] = "1"
        challenge = ".".join(parts)
        solution = solve(challenge, 1)
    elif case == "other_secret":
        secret = "another"
    else:
        challenge, solution = ["not", "a string"], 5
    with pytest.raises(DomainError) as refused:
        check(secret, challenge, solution, purpose, now=now)
    assert refused.value.code == "pow_required"
