from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from contest.accounts.models import Role, User
from contest.extensions import db
from contest.organiser.access import organiser_required
from contest.units.models import Unit
from contest.units.service import subtree_filter

bp = Blueprint("organiser", __name__, url_prefix="/organiser")


@bp.get("/")
@organiser_required
def home():
    """Counts within the organiser's scope (their unit subtree; everything for admins and unscoped)."""
    scope = None if current_user.is_admin else current_user.scope_unit
    in_scope = subtree_filter(scope)
    units = db.session.scalar(select(func.count()).select_from(Unit).where(in_scope))
    entrants = db.session.scalar(
        select(func.count()).select_from(User).join(Unit, User.unit_id == Unit.id)
        .where(User.role == Role.ENTRANT, in_scope)
    )
    return render_template("organiser/home.html", scope=scope, units=units, entrants=entrants)
