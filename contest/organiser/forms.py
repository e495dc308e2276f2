"""Admin forms: creating an organiser, choosing their role and the contests they manage."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from contest.accounts.models import StaffRole

ROLE_NAMES = {StaffRole.CONTEST: _l("contest organiser"), StaffRole.BANK: _l("question bank editor"),
              StaffRole.UNIT: _l("unit organiser (read-only)"),
              StaffRole.UNIT_MANAGER: _l("unit organiser who keeps its entrants")}


class ContestChoices(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContestScopeForm(FlaskForm):
    contests = ContestChoices(_l("Contests this organiser manages (none ticked: every contest)"), coerce=int,
                              choices=[])


class StaffRoleForm(FlaskForm):
    staff_role = SelectField(_l("Role"), choices=[SelectChoice(role.value, name) for role, name in ROLE_NAMES.items()],
                             default=StaffRole.CONTEST.value)
    scope_unit = StringField(_l("Unit code (unit organisers only)"), validators=[Length(max=32)])


class OrganiserForm(ContestScopeForm, StaffRoleForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(_l("Enter the full name.")), Length(max=120)])
    email = EmailField(_l("Email (used to log in)"), validators=[InputRequired(_l("Enter a valid email address.")),
                                                                 Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
