"""Pages (register, login, profile, password) and the session API for non-browser clients."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from contest.accounts import identity, logins, service
from contest.accounts.forms import ChangePasswordForm, LoginForm, LogoutForm, RegisterForm
from contest.accounts.models import User
from contest.api import json_body, ok
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, limiter
from contest.realtime.notifier import SocketIONotifier
from contest.units.service import leaf_units, unit_paths

bp = Blueprint("accounts", __name__)
api = Blueprint("accounts_api", __name__, url_prefix="/api")


def _login_key() -> str:
    """Rate-limit key per account: the login as normalised, whichever form it was sent in."""
    body = request.get_json(silent=True) if request.is_json else None
    login = request.form.get("login") or (body.get("login") if isinstance(body, dict) else "") or ""
    kind = identity.login_kind(str(login))
    return "login:" + (kind[1] if kind else str(login).strip().lower()[:254])


def _limit(setting: str, **kwargs):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **kwargs)


login_limits = [_limit("LOGIN_LIMIT_PER_IP"), _limit("LOGIN_LIMIT_PER_ACCOUNT", key_func=_login_key)]


def _apply(decorators):
    def wrap(view):
        for decorator in reversed(decorators):
            view = decorator(view)
        return view

    return wrap


def _start_session(user: User) -> None:
    """A new login record, its token in the session and remember cookies, and a fresh CSRF token: a token a
    visitor was handed before logging in must not carry over into their login."""
    _end_current_login()  # logging in again over a login: that one ends
    logins.open_login(db.session, user, now=utcnow())
    csrf_key = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # Flask-WTF's key in both
    session.pop(csrf_key, None)
    g.pop(csrf_key, None)
    login_user(user, remember=True)
    session.permanent = True


def _end_session() -> None:
    _end_current_login()
    logout_user()


def _end_current_login() -> None:
    if current_user.is_authenticated and current_user.login_id is not None:
        logins.end_login(db.session, current_user.login_id, now=utcnow(), notifier=SocketIONotifier())


def safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def home_for(user: User) -> str:
    return url_for("organiser.home") if user.is_organiser else url_for("accounts.profile")


def _show_field_errors(form, error: DomainError) -> None:
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, str(message)]
        else:
            flash(str(message), "error")
    if not error.fields:
        flash(str(error.message), "error")


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_LIMIT_PER_IP")
def register():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        data = service.Registration(
            full_name=form.full_name.data, birth_date=form.birth_date.data, phone=form.phone.data,
            password=form.password.data, unit_id=form.unit_id.data, email=form.email.data or "",
            citizen_id=form.citizen_id.data or "",
        )
        try:
            user = service.register_entrant(db.session, data, now=utcnow())
        except DomainError as error:
            _show_field_errors(form, error)
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("accounts.profile"))
    leaves = leaf_units(db.session, limit=5000)
    paths = unit_paths(db.session, leaves)
    units = [(unit.id, paths[unit.id]) for unit in leaves]
    return render_template("accounts/register.html", form=form, units=units)


@bp.route("/login", methods=["GET", "POST"])
@_apply(login_limits)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = service.authenticate(db.session, form.login.data, form.password.data, now=utcnow())
        except DomainError as error:
            flash(str(error.message), "error")
        else:
            _start_session(user)
            return redirect(safe_next(home_for(user)))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        _end_session()
    return redirect(url_for("public.home"))


@bp.route("/account")
@login_required
def profile():
    return render_template("accounts/profile.html", user=current_user,
                           unit_path=unit_paths(db.session, [current_user.unit]).get(current_user.unit_id)
                           if current_user.unit else None)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            service.change_password(db.session, current_user, form.current.data, form.new.data, now=utcnow(),
                                    notifier=SocketIONotifier())
        except DomainError as error:
            _show_field_errors(form, error)
        else:
            _start_session(current_user._get_current_object())  # every login ended, this browser's too
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


def _user_json(user: User) -> dict:
    return {"id": user.id, "full_name": user.full_name, "role": user.role.value, "unit_id": user.unit_id}


@api.post("/session")
@_apply(login_limits)
def api_login():
    """``{login, password}`` -> sets the session cookie; ``{"ok": true, "user": {...}}``."""
    body = json_body()
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not isinstance(password, str):
        raise DomainError("bad_request", _("Send login and password as strings."))
    user = service.authenticate(db.session, login, password, now=utcnow())
    _start_session(user)
    return ok(user=_user_json(user))


@api.delete("/session")
def api_logout():
    _end_session()
    return ok()


@api.get("/session")
def api_whoami():
    if not current_user.is_authenticated:
        raise DomainError("not_authenticated")
    return ok(user=_user_json(current_user))
