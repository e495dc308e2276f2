from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    StringField,
    TelField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional


class RegisterForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    birth_date = DateField(_l("Date of birth"), validators=[InputRequired()])
    phone = TelField(_l("Mobile phone"), validators=[DataRequired(), Length(max=20)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Length(max=254)])
    citizen_id = StringField(_l("Citizen ID / CCCD (optional)"), validators=[Optional(), Length(max=20)])
    unit_id = IntegerField(_l("Your unit (school)"), validators=[InputRequired(_l("Choose your unit."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", _l("The two passwords differ."))]
    )
    # Decree 13/2023: the labels are the versioned consent text's own (contest/accounts/consent.py); the service
    # checks the boxes, so a missing tick is reported with the other fields.
    consent = BooleanField()
    guardian_consent = BooleanField()
    consent_version = HiddenField()


class LoginForm(FlaskForm):
    login = StringField(_l("Phone or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("new", _l("The two passwords differ."))]
    )


class LogoutForm(FlaskForm):
    """Only its CSRF token: logging out is a POST so another site cannot log a user out."""
