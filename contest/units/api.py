"""The unit picker's search API (public: registration and the public boards need it)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.access.permissions import unit_scope
from contest.api import ok
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.i18n import vietnam_day
from contest.units.search import MAX_LIMIT, UnitSearch, search_units
from contest.units.service import leaf_units, unit_paths
from contest.web import whole_number

api = Blueprint("units_api", __name__, url_prefix="/api/units")
SEARCH_MAX_AGE_S = 60  # the tree changes a few times a year; a phone typing the same letters again asks no one


@api.get("/search")
def search():
    """``?q=&leaf=1&level=&limit=&mine=1`` -> ``{"ok": true, "units": [{id, code, name, level, leaf, parents,
    label}]}``: at most ``limit`` (1–20, 10 by default) units valid today holding every word of ``q``, best first;
    ``mine=1`` keeps a unit organiser's subtree (their forms' pickers: the services check the scope anyway)."""
    leaf, mine = request.args.get("leaf", ""), request.args.get("mine", "")
    if leaf not in ("", "0", "1") or mine not in ("", "0", "1"):
        raise DomainError("bad_request", _l("leaf and mine must be 0 or 1."))
    try:
        limit = whole_number(request.args.get("limit"), low=1, high=MAX_LIMIT) or 10
    except ValueError:
        raise DomainError("bad_request", _l("limit must be a whole number from 1 to %(most)s.",
                                            most=MAX_LIMIT)) from None
    wanted = UnitSearch(request.args.get("q", ""), leaf_only=leaf == "1", level=request.args.get("level") or None,
                        limit=limit, within=unit_scope(current_user) if mine == "1" and current_user.is_authenticated
                        else None)
    found = search_units(db.session, wanted, today=vietnam_day(utcnow()))
    response = jsonify({"ok": True, "units": [unit.as_json() for unit in found]})
    response.cache_control.max_age = SEARCH_MAX_AGE_S
    if mine == "1":
        response.cache_control.private = True
        response.vary.add("Cookie")
    else:
        response.cache_control.public = True
    return response


@api.get("/leaves")
def leaves():
    """``?q=`` words to find (accents optional) -> ``{"ok": true, "units": [{id, code, name, path}]}``: the units
    valid today only. Kept for clients written before ``/search``; the pages use ``/search``."""
    query = request.args.get("q", "")[:100]
    found = leaf_units(db.session, query, limit=50, today=vietnam_day(utcnow()))
    paths = unit_paths(db.session, found)
    return ok(units=[{"id": u.id, "code": u.code, "name": u.name, "path": paths[u.id]} for u in found])
