"""Pages (register, login, profile, password) and the session API for non-browser clients."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from contest.accounts import logins, service, throttle
from contest.accounts.consent import CONSENT_VERSION, TEXTS, text_for
from contest.accounts.forms import ChangePasswordForm, LoginForm, LogoutForm, RegisterForm
from contest.accounts.models import User
from contest.api import json_body, ok
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, limiter
from contest.realtime.notifier import SocketIONotifier
from contest.units.service import leaf_units, unit_paths
from contest.web import show_field_errors

bp = Blueprint("accounts", __name__)
api = Blueprint("accounts_api", __name__, url_prefix="/api")


def _limit(setting: str, **kwargs):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **kwargs)


# Only the generous per-address limit here: wrong passwords for one account are slowed down by the throttle
# (contest.accounts.throttle), per account and address, so a rival cannot lock the owner out.
login_limit = _limit("LOGIN_LIMIT_PER_IP")


def _log_in(login: str, password: str) -> User:
    return throttle.log_in(db.session, throttle.app_throttle(), login, password,
                           address=request.remote_addr or "", now=utcnow())


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
    """``?next=`` when it is a path on this site, else ``default``. A line break (which no header may hold) or a
    backslash (which browsers read as ``/``, so ``/\\evil`` is ``//evil``) sends the user to ``default``."""
    target = request.args.get("next", "")
    if any(ord(char) < 0x20 or char in "\x7f\\" for char in target):
        return default
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def home_for(user: User) -> str:
    return url_for("organiser_pages.home") if user.is_organiser else url_for("accounts.profile")


def _registration_refused(_response) -> bool:
    return bool(g.get("registration_conflict"))


@bp.route("/register", methods=["GET", "POST"])
@_limit("REGISTER_LIMIT_PER_IP")
@_limit("REGISTER_CONFLICT_LIMIT_PER_IP", deduct_when=_registration_refused)
def register():
    """Registration. A phone/email/CCCD that is taken gets a generic field error, and an address told so too
    often is slowed down (REGISTER_CONFLICT_LIMIT_PER_IP), so the form is no cheap directory of who is in."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    if form.validate_on_submit():
        data = service.Registration(
            full_name=form.full_name.data, birth_date=form.birth_date.data, phone=form.phone.data,
            password=form.password.data, unit_id=form.unit_id.data, email=form.email.data or "",
            citizen_id=form.citizen_id.data or "",
            consent=bool(form.consent.data), guardian_consent=bool(form.guardian_consent.data),
            consent_version=form.consent_version.data or "",
        )
        try:
            user = service.register_entrant(db.session, data, now=utcnow())
        except DomainError as error:
            g.registration_conflict = error.code == "conflict"
            show_field_errors(form, error)
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("accounts.profile"))
    leaves = leaf_units(db.session, limit=5000)
    paths = unit_paths(db.session, leaves)
    units = [(unit.id, paths[unit.id]) for unit in leaves]
    form.consent_version.data = CONSENT_VERSION
    return render_template("accounts/register.html", form=form, units=units,
                           consent_text=text_for(CONSENT_VERSION, str(get_locale())))


@bp.get("/privacy")
def privacy():
    """The consent and purpose text that registration asks to agree to, in the visitor's language; an earlier
    version an entrant agreed to with ``?version=``."""
    version = request.args.get("version", CONSENT_VERSION)
    if version not in TEXTS:
        abort(404)
    return render_template("accounts/privacy.html", version=version,
                           consent_text=text_for(version, str(get_locale())))


@bp.route("/login", methods=["GET", "POST"])
@login_limit
def login():
    """The login form; while this address must wait for this account, the form again with the wait (a 429)."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = _log_in(form.login.data, form.password.data)
        except DomainError as error:
            flash(str(error.message), "error")
            if error.retry_after is not None:
                page = render_template("accounts/login.html", form=form)
                return page, 429, {"Retry-After": str(error.retry_after)}
        else:
            _start_session(user)
            return redirect(safe_next(home_for(user)))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        _end_session()
    return redirect(url_for("public_pages.home"))


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
            show_field_errors(form, error)
        else:
            _start_session(current_user._get_current_object())  # every login ended, this browser's too
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)


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
    user = _log_in(login, password)
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
