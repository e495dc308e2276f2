"""Who may use organiser screens, which units they see and which contests they manage."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from contest.access.permissions import contest_scope


def organiser_required(view):
    """Logged in as an organiser or admin, else 403 (or the login page when not logged in). Records no rule: organiser
    routes use ``permissions.requires`` (the URL-map test refuses a route guarded by this alone)."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_organiser:
            abort(403)
        return view(*args, **kwargs)

    guarded.organisers_only = True
    return guarded


def admin_required(view):
    """Logged in as an admin, else 403. Records no rule: use ``permissions.requires``."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    guarded.organisers_only = True
    return guarded


def contest_or_abort(contest_id: int):
    """The contest, if it exists (else 404) and is within the current organiser's scope (else 403)."""
    from contest.extensions import db
    from contest.rounds.models import Contest

    contest = db.session.get(Contest, contest_id)
    if contest is None:
        abort(404)
    scope = contest_scope()
    if scope is not None and contest_id not in scope:
        abort(403)
    return contest


def round_or_abort(round_id: int):
    """The round, if it exists (else 404) and its contest is within the current organiser's scope (else 403)."""
    from contest.extensions import db
    from contest.rounds.models import Round

    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    contest_or_abort(round_.contest_id)
    return round_
