"""Forms of entrant administration (organisers) and of setting a password with a one-time code (entrants)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length


class EntrantEditForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(_l("Enter the full name.")), Length(max=120)])
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired(_l("Enter the date of birth."))])
    unit_code = StringField(_l("Unit code"), validators=[InputRequired(_l("Enter the code of the unit.")),
                                                         Length(max=32)])


class DisqualifyForm(FlaskForm):
    """Disqualify (or reinstate): ``where`` is ``round:<id>`` or ``contest:<id>``; the reason is required."""

    where = StringField(_l("From"), validators=[InputRequired(_l("Choose a round or the whole contest.")),
                                                Length(max=40)])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(_l("Say why (the reason is kept and shown to "
                                                                      "the entrant).")), Length(max=1000)])


class ConfirmForm(FlaskForm):
    """Only its CSRF token: deactivate, reactivate, give a reset code, forget slips, create accounts."""


class ResetForm(FlaskForm):
    login = StringField(_l("Phone or email"), validators=[DataRequired(_l("Enter your phone or email.")),
                                                          Length(max=254)])
    code = StringField(_l("One-time code"), validators=[DataRequired(_l("Enter the code you were given.")),
                                                        Length(max=40)])
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Choose a new password.")),
                                                             Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[EqualTo("password", _l("The two passwords differ."))])
    # An account that never agreed to the personal-data text agrees here (the service says when it must).
    consent = BooleanField()
    guardian_consent = BooleanField()
    consent_version = HiddenField()


class EmailResetForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)])


class StudentListForm(FlaskForm):
    file = FileField(_l("List of students (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file."))])
