from __future__ import annotations

from flask import Blueprint, jsonify, request

from contest.db import utcnow
from contest.errors import bad_field
from contest.extensions import db
from contest.rounds.service import list_rounds

api = Blueprint("rounds_api", __name__, url_prefix="/api")


@api.get("/rounds")
def rounds():
    """``?status=open|upcoming|closed`` -> ``[{id, contest_id, contest_title, title, …}]`` (DESIGN.md §3)."""
    status = request.args.get("status")
    if status not in (None, "open", "upcoming", "closed"):
        raise bad_field("status")
    return jsonify(list_rounds(db.session, now=utcnow(), status=status))
