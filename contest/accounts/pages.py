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
from contest.attempts.history import entrant_rounds
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, limiter
from contest.fairplay import door
from contest.i18n import vietnam_day
from contest.realtime.notifier import SocketIONotifier
from contest.units.search import MAX_LIMIT, UnitSearch, found_unit, search_units
from contest.units.service import unit_paths
from contest.web import show_field_errors

bp = Blueprint("accounts_pages", __name__)


def limit(setting: str, **kwargs):
    """A Flask-Limiter limit on POST read from ``setting`` when a request comes (tests change it)."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **kwargs)


# Only the generous per-address limit here: wrong passwords for one account are slowed down by the throttle
# (contest.accounts.throttle), per account and address, so a rival cannot lock the owner out.
login_limit = limit("LOGIN_LIMIT_PER_IP")


def door_challenge(purpose: str) -> dict | None:
    """The proof-of-work challenge a door's form carries, or None while the door asks none (contest.fairplay.door)."""
    return door.new_challenge(db.session, current_app.config, purpose, request.remote_addr or "", now=utcnow())


def passed_door(purpose: str) -> bool:
    """Whether the form's proof of work lets it through; if not, a message to the visitor."""
    try:
        door.pass_door(db.session, current_app.config, purpose, request.form.get("pow_challenge"),
                       request.form.get("pow_solution"), now=utcnow())
    except DomainError as error:
        flash(str(error.message), "error")
        return False
    return True


def log_in(login: str, password: str) -> User:
    """The user for ``login`` and ``password``, through the per-account and address throttle."""
    return throttle.log_in(db.session, throttle.app_throttle(), login, password,
                           address=request.remote_addr or "", now=utcnow())


def start_session(user: User) -> None:
    """A new login record, its token in the session and remember cookies, and a fresh CSRF token: a token a
    visitor was handed before logging in must not carry over into their login."""
    end_current_login()  # logging in again over a login: that one ends
    logins.open_login(db.session, user, now=utcnow())
    csrf_key = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")  # Flask-WTF's key in both
    session.pop(csrf_key, None)
    g.pop(csrf_key, None)
    login_user(user, remember=True)
    session.permanent = True


def end_session() -> None:
    """End this browser's login and log it out."""
    end_current_login()
    logout_user()


def end_current_login() -> None:
    """End the login this request is under, if any, everywhere its sockets are."""
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
    """Where a user lands after logging in: the organiser pages or their account."""
    return url_for("organiser_pages.home") if user.is_organiser else url_for("accounts_pages.profile")


def first_round_for(user: User) -> str:
    """Where a new entrant lands: the open round (one), the list of rounds (several), else their account."""
    open_now = entrant_rounds(db.session, user_id=user.id, now=utcnow()).open
    if len(open_now) == 1:
        return url_for("attempts_pages.play", round_id=open_now[0].id)
    return url_for("attempts_pages.rounds") if open_now else url_for("accounts_pages.profile")


def _registration_refused(_response) -> bool:
    return bool(g.get("registration_conflict"))


def finding_unit() -> bool:
    """Whether the form was sent by the picker's "Find" button (no JavaScript): a search, not a registration."""
    return bool(request.form.get("unit_find"))


@bp.route("/register", methods=["GET", "POST"])
@limit("REGISTER_LIMIT_PER_IP", exempt_when=finding_unit)
@limit("REGISTER_CONFLICT_LIMIT_PER_IP", deduct_when=_registration_refused, exempt_when=finding_unit)
def register():
    """Registration. A phone/email/CCCD that is taken gets a generic field error, and an address told so too
    often is slowed down (REGISTER_CONFLICT_LIMIT_PER_IP), so the form is no cheap directory of who is in.

    The unit is chosen with the picker; without JavaScript its "Find" button sends the form back here with
    ``unit_q`` and ``unit_find``: nothing is registered, and the page comes back with the fields typed (never the
    password) and up to 20 matching schools to choose from. ``GET /register?unit_q=`` shows the same choice."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = RegisterForm()
    unit_q = request.values.get("unit_q", "").strip()[:100]
    results = None
    if finding_unit() or (request.method == "GET" and unit_q):
        results = search_units(db.session, UnitSearch(unit_q, leaf_only=True, limit=MAX_LIMIT),
                               today=vietnam_day(utcnow()))
    elif form.is_submitted():
        valid = form.validate()
        data = service.Registration(
            full_name=form.full_name.data or "", birth_date=form.birth_date.data, phone=form.phone.data or "",
            password=form.password.data or "", unit_id=form.unit_id.data, email=form.email.data or "",
            citizen_id=form.citizen_id.data or "",
            consent=bool(form.consent.data), guardian_consent=bool(form.guardian_consent.data),
            consent_version=form.consent_version.data or "",
        )
        if not valid:  # every problem at once: the service's checks too, beside the fields the form refused
            problems = service.registration_problems(db.session, data, now=utcnow())
            show_field_errors(form, DomainError("validation", fields={
                name: message for name, message in problems.items() if not getattr(form, name, None) or
                not getattr(form, name).errors}))
        elif passed_door("register"):
            try:
                user = service.register_entrant(db.session, data, now=utcnow(), address=request.remote_addr or "")
            except DomainError as error:
                g.registration_conflict = error.code == "conflict"
                show_field_errors(form, error)
            else:
                start_session(user)
                flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
                return redirect(first_round_for(user))
    chosen = found_unit(db.session, form.unit_id.data) if isinstance(form.unit_id.data, int) else None
    form.consent_version.data = CONSENT_VERSION
    return render_template("accounts/register.html", form=form, unit_q=unit_q or (chosen.name if chosen else ""),
                           chosen=chosen, results=results,
                           consent_text=text_for(CONSENT_VERSION, str(get_locale())), pow=door_challenge("register"))


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
    if form.validate_on_submit() and passed_door("login"):
        try:
            user = log_in(form.login.data, form.password.data)
        except DomainError as error:
            flash(str(error.message), "error")
            if error.retry_after is not None:
                page = render_template("accounts/login.html", form=form, pow=door_challenge("login"))
                return page, 429, {"Retry-After": str(error.retry_after)}
        else:
            start_session(user)
            return redirect(safe_next(home_for(user)))
    return render_template("accounts/login.html", form=form, pow=door_challenge("login"))


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        end_session()
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
            start_session(current_user._get_current_object())  # every login ended, this browser's too
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts_pages.profile"))
    return render_template("accounts/password.html", form=form)
