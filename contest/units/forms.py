"""The forms of the organiser's unit pages: add, rename, move, end and merge units."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class AddUnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[InputRequired(_l("Enter the unit's code.")), Length(max=32)])
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the unit's name.")), Length(max=200)])
    level = StringField(_l("Level (empty: as the other units here)"), validators=[Length(max=64)])
    member_count = IntegerField(_l("Members (optional)"),
                                validators=[Optional(), NumberRange(min=0, max=10_000_000,
                                                                    message=_l("Enter a whole number of members."))])
    valid_from = DateField(_l("Valid from (optional)"), validators=[Optional()])


class RenameUnitForm(FlaskForm):
    name = StringField(_l("New name"), validators=[InputRequired(_l("Enter the unit's name.")), Length(max=200)])


class MoveUnitForm(FlaskForm):
    parent_code = StringField(_l("Code of the new parent unit"), validators=[Length(max=32)])


class EndUnitForm(FlaskForm):
    valid_to = DateField(_l("No longer valid from"), validators=[InputRequired(_l("Enter the day the unit ends."))])


class MergeUnitsForm(FlaskForm):
    codes = StringField(_l("Codes of the units merged into this one"),
                        validators=[InputRequired(_l("Enter the codes of the units to merge into this one.")),
                                    Length(max=2000)])
    effective_on = DateField(_l("From the day"),
                             validators=[InputRequired(_l("Enter the day the merge takes effect."))])
