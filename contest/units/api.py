"""The unit picker's search API (public: registration needs it)."""

from __future__ import annotations

from flask import Blueprint, request

from contest.api import ok
from contest.db import utcnow
from contest.extensions import db
from contest.i18n import vietnam_day
from contest.units.service import leaf_units, unit_paths

api = Blueprint("units_api", __name__, url_prefix="/api/units")


@api.get("/leaves")
def leaves():
    """``?q=`` words to find (accents optional) -> ``{"ok": true, "units": [{id, code, name, path}]}``: the units
    valid today only (an ended or merged unit is not offered)."""
    query = request.args.get("q", "")[:100]
    found = leaf_units(db.session, query, limit=50, today=vietnam_day(utcnow()))
    paths = unit_paths(db.session, found)
    return ok(units=[{"id": u.id, "code": u.code, "name": u.name, "path": paths[u.id]} for u in found])
