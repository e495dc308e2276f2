"""The organiser's unit tree (``/organiser/units``): a unit's children a page at a time with breadcrumbs and a
search box, and the forms that add, rename, move, end and merge units.

The views are thin: every service is given the organiser's unit scope (``current_unit_scope``) and refuses a unit
outside it (403 here). After a change of the tree's shape the boards placed by today's tree are rebuilt on their
next read (``Boards.tree_changed``); published results keep the tree they were published with.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.access.permissions import Action, current_unit_scope, requires
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.i18n import vietnam_day
from contest.leaderboards.runtime import extension
from contest.units import queries, tree_changes
from contest.units.forms import AddUnitForm, EndUnitForm, MergeUnitsForm, MoveUnitForm, RenameUnitForm
from contest.units.tree_rules import parse_codes
from contest.web import show_field_errors, whole_number

bp = Blueprint("units_pages", __name__, url_prefix="/organiser/units")


@bp.get("/")
@requires(Action.UNITS_VIEW)
def index():
    """The top of the tree the organiser sees (the roots, or their own unit), or ``?q=`` a search in it."""
    return _page(None)


@bp.get("/<int:unit_id>")
@requires(Action.UNITS_VIEW)
def show(unit_id: int):
    """A unit: its breadcrumbs, details, merges, children (``?page=``, ``?q=`` searches its subtree) and, for
    those who may, the forms that change it."""
    return _page(_unit(unit_id))


@bp.post("/add")
@requires(Action.UNITS_MANAGE)
def add_root():
    """A unit at the top of the tree (organisers of the whole tree only)."""
    return _add(None)


@bp.post("/<int:unit_id>/add")
@requires(Action.UNITS_MANAGE)
def add_child(unit_id: int):
    """A unit under this one."""
    return _add(_unit(unit_id))


@bp.post("/<int:unit_id>/rename")
@requires(Action.UNITS_MANAGE)
def rename(unit_id: int):
    form = RenameUnitForm()
    return _change(unit_id, "rename_form", form, lambda scope, now: tree_changes.rename_unit(
        db.session, unit_id, name=form.name.data, scope=scope, now=now, actor_id=current_user.id),
        lambda _unit: _("Renamed."), shape=False)


@bp.post("/<int:unit_id>/move")
@requires(Action.UNITS_MANAGE)
def move(unit_id: int):
    """Put the unit and its subtree under another unit (by its code)."""
    form = MoveUnitForm()
    return _change(unit_id, "move_form", form, lambda scope, now: tree_changes.move_unit(
        db.session, unit_id, parent_code=form.parent_code.data, scope=scope, now=now, actor_id=current_user.id),
        lambda moved: _("Moved: %(count)s units (the unit and those under it).", count=moved), shape=True)


@bp.post("/<int:unit_id>/end")
@requires(Action.UNITS_MANAGE)
def end(unit_id: int):
    """No longer valid from a day: neither offered nor accepted at registration from then on."""
    form = EndUnitForm()
    return _change(unit_id, "end_form", form, lambda scope, now: tree_changes.end_unit(
        db.session, unit_id, on=form.valid_to.data, scope=scope, now=now, actor_id=current_user.id),
        lambda ended: _("Ended: %(count)s units are no longer valid from that day.", count=ended), shape=False)


@bp.post("/<int:unit_id>/merge")
@requires(Action.UNITS_MANAGE)
def merge(unit_id: int):
    """Merge other units (by their codes) into this one from a day."""
    form = MergeUnitsForm()
    return _change(unit_id, "merge_form", form, lambda scope, now: tree_changes.merge_units(
        db.session, unit_id, codes=parse_codes(form.codes.data), on=form.effective_on.data, today=vietnam_day(now),
        scope=scope, now=now, actor_id=current_user.id),
        lambda done: _("Merged %(codes)s into this unit: %(entrants)s entrants and %(units)s units moved here.",
                       codes=", ".join(done.merged), entrants=done.members, units=done.children), shape=True)


def _change(unit_id: int, key: str, form, change, message, *, shape: bool):
    """Run ``change(scope, now)`` when ``form`` is valid, then back to the unit's page with ``message(result)``;
    else the page again with ``form``'s errors (``key`` names it on the page)."""
    unit = _unit(unit_id)
    if form.validate_on_submit():
        done = _done(lambda: change(current_unit_scope(), utcnow()), form)
        if done:
            _tree_changed(shape=shape)
            flash(message(done), "success")
            return redirect(url_for("units_pages.show", unit_id=unit_id))
    return _page(unit, **{key: form})


def _add(parent):
    form = AddUnitForm()
    if form.validate_on_submit():
        added = _done(lambda: tree_changes.add_unit(
            db.session, parent_id=parent.id if parent else None, code=form.code.data, name=form.name.data,
            level=form.level.data, member_count=form.member_count.data, valid_from=form.valid_from.data,
            scope=current_unit_scope(), now=utcnow(), actor_id=current_user.id), form)
        if added:
            _tree_changed(shape=False)
            flash(_("Unit %(code)s added.", code=added.code), "success")
            return redirect(url_for("units_pages.show", unit_id=added.id))
    return _page(parent, add_form=form)


def _done(change, form):
    """What ``change`` returns, or None after showing its refusal: 403 outside the scope, 404 for a unit gone, the
    fields' messages on ``form``."""
    try:
        return change()
    except DomainError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        if error.code == "not_found":
            abort(404)
        show_field_errors(form, error)
        return None


def _unit(unit_id: int):
    try:
        return queries.unit_in_scope(db.session, unit_id, current_unit_scope())
    except DomainError as error:
        abort(403 if error.code == "forbidden" else 404)


def _tree_changed(*, shape: bool) -> None:
    """Names and unit rankings are read again; after a move or a merge, the boards of today's tree are rebuilt."""
    ext = extension(current_app)
    ext.names.clear()
    ext.units.clear()
    if shape:
        ext.boards.tree_changed(db.session)


def _page(unit, **forms):
    scope = current_unit_scope()
    text = request.args.get("q", "")[:100]
    try:
        page = whole_number(request.args.get("page"), low=1, high=100_000) or 1
    except ValueError:
        page = 1
    found = queries.children_page(db.session, unit, scope=scope, page=page, text=text)
    crumbs = queries.breadcrumbs(db.session, unit, scope=scope) if unit is not None else []
    merged_in, merged_away = queries.merges_of(db.session, unit) if unit is not None else ([], None)
    defaults = {"add_form": AddUnitForm(formdata=None), "rename_form": RenameUnitForm(formdata=None,
                                                                                      name=unit.name if unit else ""),
                "move_form": MoveUnitForm(formdata=None), "end_form": EndUnitForm(formdata=None),
                "merge_form": MergeUnitsForm(formdata=None)}
    body = render_template("units/index.html", unit=unit, scope=scope, found=found, crumbs=crumbs, text=text,
                           merged_in=merged_in, merged_away=merged_away, today=vietnam_day(utcnow()),
                           **{**defaults, **forms})
    return body, 422 if any(form.errors for form in forms.values()) else 200
