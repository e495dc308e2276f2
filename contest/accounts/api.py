"""The session API: logging in and out over JSON (``POST``/``DELETE``/``GET /api/session``, docs/contract.md)."""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_babel import gettext as _
from flask_login import current_user

from contest.accounts.models import User
from contest.accounts.pages import end_session, log_in, login_limit, start_session
from contest.api import json_body, ok
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.fairplay import door

api = Blueprint("accounts_api", __name__, url_prefix="/api")


def _user_json(user: User) -> dict:
    return {"id": user.id, "full_name": user.full_name, "role": user.role.value, "unit_id": user.unit_id}


@api.post("/session")
@login_limit
def api_login():
    """``{login, password}`` -> sets the session cookie; ``{"ok": true, "user": {...}}``."""
    body = json_body()
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not isinstance(password, str):
        raise DomainError("bad_request", _("Send login and password as strings."))
    door.pass_door(db.session, current_app.config, "login", body.get("pow_challenge"), body.get("pow_solution"),
                   now=utcnow())  # nothing while the proof of work is off
    user = log_in(login, password)
    start_session(user)
    return ok(user=_user_json(user))


@api.delete("/session")
def api_logout():
    """Ends this login: ``{"ok": true}``."""
    end_session()
    return ok()


@api.get("/session")
def api_whoami():
    """``{"ok": true, "user": {...}}`` for the logged-in user, else ``not_authenticated``."""
    if not current_user.is_authenticated:
        raise DomainError("not_authenticated")
    return ok(user=_user_json(current_user))
