"""One-time codes for setting a password at ``/reset``: made from a random source, typed back however the person
writes them, and stored as a SHA-256 only. Pure code.

Twelve letters of an alphabet without look-alikes (no 0/O, 1/I/L) carry 59 bits: with the codes' short life and
the per-address limit on ``/reset`` nobody guesses one, and a typist can read it off a slip.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
GROUP = 4


def new_code(choice=secrets.choice) -> str:
    """'K7QM-2XWD-9PTA': groups of four, as printed on a slip and shown to an organiser."""
    letters = "".join(choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(letters[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise_code(typed: str) -> str | None:
    """What was typed, upper-cased without dashes and spaces; None when it cannot be a code (a wrong length or a
    letter outside the alphabet), so nothing is looked up."""
    bare = "".join(char for char in (typed or "").upper() if char not in " -\t")
    if len(bare) != LENGTH or any(char not in ALPHABET for char in bare):
        return None
    return bare


def code_hash(code: str) -> str:
    """The stored form of a code (normalised first, so 'k7qm 2xwd 9pta' finds 'K7QM-2XWD-9PTA')."""
    bare = normalise_code(code) or ""
    return hashlib.sha256(bare.encode()).hexdigest()
