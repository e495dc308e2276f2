"""Who may use organiser screens and which units they see."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def organiser_required(view):
    """Logged in as an organiser or admin, else 403 (or the login page when not logged in)."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def admin_required(view):
    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded
