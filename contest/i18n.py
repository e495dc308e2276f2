"""Language choice: Vietnamese unless the visitor switched to another supported language (a cookie)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask_babel import format_decimal, format_percent, get_locale, get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l

LANG_COOKIE = "lang"
# Contest times are entered and shown in Vietnam's time, whatever the server's or the phone's zone.
CONTEST_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_day(now: datetime) -> date:
    """The day in Vietnam at ``now`` (ages turn and units start or end at midnight there, whatever the server's
    zone)."""
    return now.astimezone(CONTEST_TIME_ZONE).date()


def select_locale() -> str:
    chosen = request.cookies.get(LANG_COOKIE) if request else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# WTForms' and Flask-WTF's own messages (validators without a message of ours, CSRF), named here so that
# `make messages` keeps them in our catalog: WTForms ships no Vietnamese. ``wtforms_translations`` hands them
# our catalog.
WTFORMS_MESSAGES = (
    _l("This field is required."), _l("Invalid input."), _l("Invalid email address."), _l("Invalid URL."),
    _l("Invalid value, must be one of: %(values)s."), _l("Invalid value, can't be any of: %(values)s."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."), _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."), _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."), _l("Date must be between %(min)s and %(max)s."),
    _l("This field cannot be edited."), _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."), _l("CSRF token missing."), _l("CSRF failed."), _l("CSRF token expired."),
    _l("The CSRF token is missing."), _l("The CSRF session token is missing."), _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."), _l("The CSRF tokens do not match."), _l("The referrer header is missing."),
    _l("The referrer does not match the host."),
    _l("Invalid Choice: could not coerce."), _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l("Not a valid datetime value."), _l("Not a valid date value."), _l("Not a valid time value."),
    _l("Not a valid week value."), _l("Not a valid integer value."), _l("Not a valid decimal value."),
    _l("Not a valid float value."), _l("File does not have an approved extension."),
)


def wtforms_translations() -> None:
    """Every form's messages from our catalog. Flask-WTF looks for WTForms' own Vietnamese catalog (there is none)
    and keeps what it loaded on ``request.wtforms_translations``: putting ours there first covers every form,
    those of every package, without a base class each form would have to remember. ``test_wtforms_vietnamese``
    fails if a Flask-WTF upgrade stops reading it."""
    request.wtforms_translations = get_translations()


def decimal(value: float | None, digits: int = 2) -> str:
    """A number in the visitor's language, up to ``digits`` decimals: 4,25 in Vietnamese, 4.25 in English;
    "–" for none."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "#" * digits if digits else "#,##0")


def percent(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage in the visitor's language, ``digits`` decimals: 1,7% (0.017); "–" for none."""
    if value is None:
        return "–"
    return format_percent(value, format="#,##0." + "0" * digits + "%" if digits else "#,##0%")


def file_size(size: int) -> str:
    """Bytes as MB in the visitor's language ("8 MB", "1,5 MB")."""
    return f"{decimal(size / (1024 * 1024), 1)} MB"


def init_app(app: Flask) -> None:
    app.jinja_env.globals["get_locale"] = get_locale
    app.add_template_filter(decimal)
    app.add_template_filter(percent)
    app.add_template_filter(file_size)
    app.before_request(wtforms_translations)
