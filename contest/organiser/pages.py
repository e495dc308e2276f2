from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from contest.access.permissions import Action, contest_scope, current_unit_scope, requires
from contest.accounts.logins import revoke_logins
from contest.accounts.models import Role, StaffRole, User
from contest.audit.labels import describe
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.i18n import vietnam_day
from contest.organiser import service
from contest.organiser.forms import ROLE_NAMES, ContestScopeForm, OrganiserForm, StaffRoleForm
from contest.realtime.notifier import SocketIONotifier
from contest.rounds.models import Contest, OrganiserContest
from contest.rounds.service import set_organiser_contests
from contest.units.models import Unit
from contest.units.search import MAX_LIMIT, UnitSearch, found_unit, search_units
from contest.units.service import subtree_filter
from contest.web import show_field_errors, whole_number

bp = Blueprint("organiser_pages", __name__, url_prefix="/organiser")


@bp.get("/")
@requires(Action.HOME)
def home():
    """Counts within the organiser's scope (a unit organiser's subtree; everything for everyone else)."""
    scope = current_unit_scope()
    in_scope = subtree_filter(scope)
    units = db.session.scalar(select(func.count()).select_from(Unit).where(in_scope))
    entrants = db.session.scalar(
        select(func.count()).select_from(User).join(Unit, User.unit_id == Unit.id)
        .where(User.role == Role.ENTRANT, in_scope)
    )
    contests = contest_scope()
    return render_template("organiser/home.html", scope=scope, units=units, entrants=entrants,
                           contest_count=len(contests) if contests is not None else None)


@bp.get("/staff")
@requires(Action.STAFF)
def staff():
    """``?q=&page=``: staff accounts, a page at a time, found by name or email."""
    text = (request.args.get("q") or "").strip()[:100]
    try:
        page = whole_number(request.args.get("page")) or 1
    except ValueError:
        page = 1
    listed = service.list_staff(db.session, page=page, text=text)
    return render_template("organiser/staff.html", staff=listed.rows, listed=listed, text=text,
                           role_names=ROLE_NAMES)


@bp.route("/staff/new", methods=["GET", "POST"])
@requires(Action.STAFF)
def create_organiser():
    form = OrganiserForm()
    form.contests.choices = _contest_choices()
    unit_results = scope_units_found() if request.form.get("unit_find") else None
    if unit_results is None and form.validate_on_submit():
        try:
            user = service.create_organiser(
                db.session, email=form.email.data or "", full_name=form.full_name.data or "",
                password=form.password.data or "", staff_role=StaffRole(form.staff_role.data),
                scope_unit_code=(form.scope_unit.data or "").strip() or None,
                contest_ids=form.contests.data or [], now=utcnow(), actor_id=current_user.id)
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Organiser %(email)s created.", email=user.email), "success")
            return redirect(url_for("organiser_pages.staff"))
    return render_template("organiser/staff_form.html", form=form, **scope_picker(form, unit_results))


def scope_units_found():
    """Up to 20 units of any level matching the picker's ``unit_q`` (its "Find" without JavaScript)."""
    return search_units(db.session, UnitSearch(request.values.get("unit_q", ""), limit=MAX_LIMIT),
                        today=vietnam_day(utcnow()))


def scope_picker(form: StaffRoleForm, unit_results) -> dict:
    """What the scope's unit picker shows: the unit chosen (by code), what was typed, the units found."""
    chosen = found_unit(db.session, code=form.scope_unit.data or "")
    return {"scope_unit": chosen, "unit_results": unit_results,
            "unit_q": request.values.get("unit_q", chosen.name if chosen else "")[:100]}


@bp.route("/staff/<int:user_id>/contests", methods=["GET", "POST"])
@requires(Action.STAFF)
def staff_contests(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or user.role != Role.ORGANISER:
        abort(404)
    form = ContestScopeForm()
    form.contests.choices = _contest_choices()
    if request.method == "GET":
        form.contests.data = list(db.session.scalars(
            select(OrganiserContest.contest_id).where(OrganiserContest.user_id == user_id)))
    elif form.validate_on_submit():
        try:
            set_organiser_contests(db.session, user_id=user_id, contest_ids=form.contests.data or [], now=utcnow(),
                                   actor_id=current_user.id)
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Contests of %(name)s saved.", name=user.full_name), "success")
            return redirect(url_for("organiser_pages.staff"))
    role_form = StaffRoleForm(formdata=None, staff_role=request.args.get("staff_role", user.organiser_role.value),
                              scope_unit=user.scope_unit.code if user.scope_unit else "")
    unit_results = scope_units_found() if request.args.get("unit_q") else None
    return render_template("organiser/staff_contests.html", form=form, user=user, role_form=role_form,
                           **scope_picker(role_form, unit_results))


@bp.post("/staff/<int:user_id>/role")
@requires(Action.STAFF)
def staff_role(user_id: int):
    """Give an organiser another role (and a unit organiser their unit); errors are shown as a message. The unit
    picker's "Find" without JavaScript goes back to the organiser's page with the units found."""
    if request.form.get("unit_find"):
        return redirect(url_for("organiser_pages.staff_contests", user_id=user_id,
                                unit_q=request.form.get("unit_q", "")[:100] or None,
                                staff_role=request.form.get("staff_role") or None) + "#role-form")
    form = StaffRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        user = service.set_staff_role(db.session, user_id=user_id, staff_role=StaffRole(form.staff_role.data),
                                      scope_unit_code=(form.scope_unit.data or "").strip() or None, now=utcnow(),
                                      actor_id=current_user.id)
    except DomainError as error:
        if error.code == "not_found":
            abort(404)
        flash(" ".join(str(message) for message in error.fields.values()) or str(error.message), "error")
        return redirect(url_for("organiser_pages.staff_contests", user_id=user_id))
    flash(_("Role of %(name)s saved.", name=user.full_name), "success")
    return redirect(url_for("organiser_pages.staff"))


@bp.post("/staff/<int:user_id>/end-logins")
@requires(Action.END_LOGINS)
def end_logins(user_id: int):
    """End every login of an account (a lost phone, a shared password), audited: its cookies stop working at once,
    its open sockets are disconnected."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    count = revoke_logins(db.session, user.id, now=utcnow(), notifier=SocketIONotifier(), actor_id=current_user.id)
    flash(_("Logins of %(name)s ended: %(count)s.", name=user.full_name, count=count), "success")
    return redirect(url_for("organiser_pages.staff"))


@bp.get("/audit")
@requires(Action.AUDIT)
def audit():
    try:
        page = whole_number(request.args.get("page")) or 1
    except ValueError:
        page = 1
    entries = service.recent_audit(db.session, page=page)
    return render_template("organiser/audit.html", entries=entries, describe_audit=describe)


def _contest_choices() -> list[SelectChoice]:
    return [SelectChoice(contest_id, title) for contest_id, title in db.session.execute(
        select(Contest.id, Contest.title).order_by(Contest.created_at.desc(), Contest.id.desc()))]
