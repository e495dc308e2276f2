"""Setting a password with a one-time code (``/reset``: a code from an organiser, a school's slip or an email)
and asking for a code by email (``/reset/email``). Both are limited per address (``RESET_LIMIT_PER_IP``) and
answer the same whether an account exists or not."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from contest import mail
from contest.accounts import admin_service
from contest.accounts.admin_forms import EmailResetForm, ResetForm
from contest.accounts.consent import CONSENT_VERSION, text_for
from contest.db import utcnow
from contest.errors import DomainError
from contest.extensions import db, limiter, socketio
from contest.realtime.notifier import SocketIONotifier
from contest.web import show_field_errors

bp = Blueprint("reset", __name__, url_prefix="/reset")
reset_limit = limiter.limit(lambda: current_app.config["RESET_LIMIT_PER_IP"], methods=["POST"])


@bp.route("", methods=["GET", "POST"])
@reset_limit
def reset():
    """The entrant types their phone (or email), the code and a new password; the link of an email or an
    organiser fills in the first two. Every login of the account ends; the entrant then logs in."""
    form = ResetForm()
    if request.method == "GET":
        form.login.data = request.args.get("login", "")[:254]
        form.code.data = request.args.get("code", "")[:40]
    elif form.validate_on_submit():
        ticks = admin_service.ConsentTicks(consent=bool(form.consent.data),
                                           guardian_consent=bool(form.guardian_consent.data),
                                           version=form.consent_version.data or "")
        try:
            admin_service.redeem_reset(db.session, form.login.data, form.code.data, form.password.data, now=utcnow(),
                                       notifier=SocketIONotifier(), consent=ticks)
        except DomainError as error:
            show_field_errors(form, error)
        else:
            flash(_("Your new password is set. Log in with it."), "success")
            return redirect(url_for("accounts_pages.login"))
    form.consent_version.data = CONSENT_VERSION
    return render_template("accounts/reset.html", form=form,
                           consent_text=text_for(CONSENT_VERSION, str(get_locale())))


@bp.route("/email", methods=["GET", "POST"])
@reset_limit
def reset_by_email():
    """Self-service: a code is mailed when an account has the address; the page says the same either way."""
    form = EmailResetForm()
    if form.validate_on_submit():
        app = current_app._get_current_object()
        minutes = int(app.config["RESET_CODE_MINUTES"])

        def send(address: str, code: str) -> None:
            link = url_for("reset.reset", login=address, code=code, _external=True)
            body = _("Someone asked to set a new password for your Olympiad account. If it was you, open this link "
                     "within %(minutes)s minutes:\n\n%(link)s\n\nor type this code at %(page)s: %(code)s\n\nIf it "
                     "was not you, ignore this message: your password stays as it is.", minutes=minutes, link=link,
                     page=url_for("reset.reset", _external=True), code=code)
            mail.send(app, mail.Mail(to=address, subject=_("Set a new password"), body=body),
                      spawn=socketio.start_background_task)

        admin_service.request_email_reset(db.session, form.email.data, now=utcnow(), minutes=minutes, send=send)
        flash(_("If an account has this email address, a message with a code is on its way. It is valid for "
                "%(minutes)s minutes.", minutes=minutes), "success")
        return redirect(url_for("reset.reset"))
    return render_template("accounts/reset_email.html", form=form)
