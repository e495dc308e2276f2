"""The door's proof-of-work challenge over JSON (``GET /api/pow``), for clients of ``POST /api/session``."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from contest.api import ok
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.fairplay import door

api = Blueprint("fairplay_api", __name__, url_prefix="/api")


@api.get("/pow")
def challenge():
    """``?purpose=login|register`` -> ``{ok, pow}``: a challenge to solve, or ``null`` while the door asks none."""
    purpose = request.args.get("purpose", "login")
    if purpose not in door.PURPOSES:
        raise DomainError("bad_request")
    return ok(pow=door.new_challenge(db.session, current_app.config, purpose, request.remote_addr or "",
                                     now=utcnow()))
