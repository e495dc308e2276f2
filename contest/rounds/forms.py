"""Organiser forms for contests and rounds. Times are entered and shown in Vietnam time and stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from contest.i18n import CONTEST_TIME_ZONE
from contest.rounds.models import NameStyle, Prediction, Review
from contest.rounds.service import DESCRIPTION_MAX, TITLE_MAX, ContestSpec, RoundSpec

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"

NAME_STYLES = {NameStyle.FULL: _l("Full name"), NameStyle.INITIALS: _l("Initials and unit")}
PREDICTIONS = {
    Prediction.OFF: _l("No prediction question"),
    Prediction.FULL_MARKS: _l("Guess how many entrants answer everything correctly"),
    Prediction.ENTRANTS: _l("Guess how many entrants take part"),
}
REVIEWS = {
    Review.AFTER_CLOSE: _l("After the round closes"),
    Review.AFTER_SUBMIT: _l("Right after submitting"),
    Review.NEVER: _l("Never"),
}
WHOLE_BANK, BY_CELL = "whole", "cells"


def to_utc(local: datetime) -> datetime:
    """A naive Vietnam wall-clock time (as a datetime-local input gives it) as an aware UTC datetime."""
    return local.replace(tzinfo=CONTEST_TIME_ZONE).astimezone(UTC)


def to_vietnam(value: datetime) -> datetime:
    return value.astimezone(CONTEST_TIME_ZONE)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ContestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title.")), Length(max=TITLE_MAX)])
    description = TextAreaField(_l("Description (optional)"), validators=[Length(max=DESCRIPTION_MAX)],
                                render_kw={"rows": 4})
    board_levels = CheckboxesField(_l("Unit levels with their own boards"), choices=[])
    name_style = RadioField(_l("How entrants' names appear on public boards"), default=NameStyle.FULL.value,
                            choices=[SelectChoice(style.value, label) for style, label in NAME_STYLES.items()])

    def spec(self) -> ContestSpec:
        return ContestSpec(title=self.title.data or "", description=self.description.data or "",
                           board_levels=list(self.board_levels.data or []), name_style=NameStyle(self.name_style.data))

    def fill_from(self, contest) -> None:
        self.title.data = contest.title
        self.description.data = contest.description
        self.board_levels.data = list(contest.board_levels or [])
        self.name_style.data = contest.name_style.value


class RoundForm(FlaskForm):
    """The blueprint's cells are not WTForms fields: one number input per topic × difficulty, named
    ``cell-<topic id>-<difficulty>``, read by ``read_cells``. Their errors are shown on ``blueprint_mode``."""

    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title.")), Length(max=TITLE_MAX)])
    opens_at = DateTimeLocalField(_l("Opens at (Vietnam time)"), format=LOCAL_FORMAT,
                                  validators=[InputRequired(_l("Enter a date and time."))])
    closes_at = DateTimeLocalField(_l("Closes at (Vietnam time)"), format=LOCAL_FORMAT,
                                   validators=[InputRequired(_l("Enter a date and time."))])
    time_limit = DecimalField(_l("Time limit per attempt (minutes)"), places=None,
                              validators=[InputRequired(_l("Enter a number of minutes."))],
                              render_kw={"step": "any", "min": "0.5", "inputmode": "decimal"})
    question_count = IntegerField(_l("Number of questions"), validators=[InputRequired(_l("Enter a number."))],
                                  render_kw={"min": "1", "max": "200"})
    attempts_allowed = IntegerField(_l("Attempts allowed per entrant (1–10)"),
                                    validators=[InputRequired(_l("Enter a number."))],
                                    render_kw={"min": "1", "max": "10"})
    prediction = SelectField(_l("Prediction question"),
                             choices=[SelectChoice(item.value, label) for item, label in PREDICTIONS.items()])
    review = SelectField(_l("Entrants see the correct answers"),
                         choices=[SelectChoice(item.value, label) for item, label in REVIEWS.items()])
    grace_s = IntegerField(_l("Grace for answers in transit (seconds)"),
                           validators=[InputRequired(_l("Enter a number."))], render_kw={"min": "0", "max": "60"})
    pool_tags = StringField(_l("Only questions with these tags (optional)"), validators=[Length(max=2000)])
    blueprint_mode = RadioField(_l("Questions drawn from"), default=WHOLE_BANK, choices=[
        SelectChoice(WHOLE_BANK, _l("The whole active bank")),
        SelectChoice(BY_CELL, _l("Chosen numbers per topic and difficulty"))])

    def set_defaults(self, now: datetime) -> None:
        """A new round: opens tomorrow at 08:00 Vietnam time for a week, 10 questions in 10 minutes."""
        opens = datetime.combine(to_vietnam(now).date() + timedelta(days=1), time(8, 0))
        self.opens_at.data, self.closes_at.data = opens, opens + timedelta(days=7)
        self.time_limit.data, self.question_count.data, self.attempts_allowed.data, self.grace_s.data = 10, 10, 1, 5

    def fill_from(self, spec: RoundSpec) -> None:
        self.title.data = spec.title
        self.opens_at.data = to_vietnam(spec.opens_at).replace(tzinfo=None)
        self.closes_at.data = to_vietnam(spec.closes_at).replace(tzinfo=None)
        minutes = spec.time_limit_s / 60
        self.time_limit.data = int(minutes) if minutes == int(minutes) else round(minutes, 2)
        self.question_count.data = spec.question_count
        self.attempts_allowed.data = spec.attempts_allowed
        self.prediction.data = spec.prediction.value
        self.review.data = spec.review.value
        self.grace_s.data = spec.grace_s
        self.blueprint_mode.data = BY_CELL if spec.blueprint else WHOLE_BANK
        self.pool_tags.data = ", ".join(spec.pool_tags)

    def spec(self, cells: list[dict]) -> RoundSpec:
        return RoundSpec(
            title=self.title.data or "", opens_at=to_utc(self.opens_at.data), closes_at=to_utc(self.closes_at.data),
            time_limit_s=round(float(self.time_limit.data) * 60), question_count=self.question_count.data,
            attempts_allowed=self.attempts_allowed.data, prediction=Prediction(self.prediction.data),
            review=Review(self.review.data), grace_s=self.grace_s.data,
            blueprint=cells if self.blueprint_mode.data == BY_CELL else [],
            pool_tags=(self.pool_tags.data or "").split(","),
        )


def cell_name(topic_id: int, difficulty: str) -> str:
    return f"cell-{topic_id}-{difficulty}"


def read_cells(data, topics: list[tuple[int, str]], difficulties) -> tuple[list[dict], dict[str, str], set[str]]:
    """The blueprint cells typed into the builder: ``(cells, raw values by input name, names of bad inputs)``.
    Empty inputs count as 0; anything but a whole number 0–200 is bad."""
    cells, raw, bad = [], {}, set()
    for topic_id, _name in topics:
        for difficulty in difficulties:
            name = cell_name(topic_id, difficulty.value)
            text = (data.get(name) or "").strip()
            raw[name] = text
            if not text:
                continue
            if not text.isdigit() or int(text) > 200:
                bad.add(name)
            elif int(text):
                cells.append({"topic_id": topic_id, "difficulty": difficulty.value, "count": int(text)})
    return cells, raw, bad


class HomeTextsForm(FlaskForm):
    """A contest's rules and prize list (Markdown; the service checks their length)."""

    rules = TextAreaField(_l("Rules (Markdown)"), render_kw={"rows": 10})
    prizes = TextAreaField(_l("Prizes (Markdown)"), render_kw={"rows": 6})


class BannerForm(FlaskForm):
    banner = FileField(_l("Banner image (PNG, JPEG, WebP or GIF, at most 2 MB)"),
                       validators=[FileRequired(_l("Choose an image file."))],
                       render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"})


class NewsForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Enter a title."))])
    body = TextAreaField(_l("Text (Markdown)"), render_kw={"rows": 8})
    published_at = DateTimeLocalField(_l("Published at (Vietnam time)"), format=LOCAL_FORMAT,
                                      validators=[InputRequired(_l("Enter the date and time."))])


class InFlightForm(FlaskForm):
    """Pausing or resuming a round: the reason is optional, shown in the round's list of changes."""

    reason = StringField(_l("Reason (optional)"), validators=[Length(max=1000)])


class ExtendForm(InFlightForm):
    closes_at = DateTimeLocalField(_l("New close (Vietnam time)"), format=LOCAL_FORMAT,
                                   validators=[InputRequired(_l("Enter a date and time."))])


class AllowanceForm(InFlightForm):
    """Extra time or attempts for one entrant (their phone or email) or a unit's subtree (its code)."""

    login = StringField(_l("Entrant's phone or email"), validators=[Length(max=254)])
    unit_code = StringField(_l("or a unit's code (every entrant under it)"), validators=[Length(max=32)])


class ExtraTimeForm(AllowanceForm):
    minutes = IntegerField(_l("Extra minutes (1–360)"), validators=[InputRequired(_l("Enter a number."))],
                           render_kw={"min": "1", "max": "360"})


class ExtraAttemptForm(AllowanceForm):
    attempts = IntegerField(_l("Extra attempts (1–5)"), default=1, validators=[InputRequired(_l("Enter a number."))],
                            render_kw={"min": "1", "max": "5"})
