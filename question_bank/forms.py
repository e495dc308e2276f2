"""Organiser forms of the bank, and the words the pages use for its vocabularies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from question_bank.formats.model import OPTION_KEYS, RawQuestion
from question_bank.vocabulary import Difficulty, QuestionType

DIFFICULTY_NAMES = {
    Difficulty.RECOGNITION: _l("Recognition"),
    Difficulty.COMPREHENSION: _l("Comprehension"),
    Difficulty.APPLICATION: _l("Application"),
    Difficulty.HIGH_APPLICATION: _l("High application"),
}
TYPE_NAMES = {
    QuestionType.SINGLE: _l("One correct answer"),
    QuestionType.MULTIPLE: _l("Several correct answers"),
    QuestionType.TRUE_FALSE: _l("True / false"),
}
FORMAT_NAMES = {"xlsx": "Excel (.xlsx)", "csv": "CSV", "gift": "GIFT (Moodle)", "aiken": "Aiken (Moodle)"}
MAX_OPTION_FIELD = 1000
DIFFICULTY_CHOICES = [SelectChoice(d.value, name) for d, name in DIFFICULTY_NAMES.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(FlaskForm):
    """Validation beyond lengths is the import's (``check_question``), so a form and a file agree."""

    text = TextAreaField(_l("Question"), validators=[Length(max=5000)], render_kw={"rows": 4})
    correct = CheckboxesField(_l("Correct answers"), choices=[SelectChoice(key) for key in OPTION_KEYS])
    topic_id = SelectField(_l("Topic"), coerce=int, validators=[DataRequired(_l("Choose a topic."))])
    difficulty = SelectField(_l("Difficulty"), choices=DIFFICULTY_CHOICES)
    type = SelectField(_l("Type"), choices=[SelectChoice(t.value, name) for t, name in TYPE_NAMES.items()])
    explanation = TextAreaField(_l("Explanation (optional)"), validators=[Length(max=5000)], render_kw={"rows": 2})
    source = StringField(_l("Source (optional)"), validators=[Length(max=500)])
    tags = StringField(_l("Tags (optional, separated by commas)"), validators=[Length(max=500)])
    image = FileField(_l("Picture (optional: PNG, JPEG, WebP or GIF, up to 5 MB)"),
                      render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"})
    image_alt = StringField(_l("What the picture shows, for those who cannot see it (optional)"),
                            validators=[Length(max=300)])
    remove_image = BooleanField(_l("Remove the picture"))

    # option_a … option_h, image_a … image_h and remove_image_a … remove_image_h are added below the class.

    def option_fields(self):
        return [getattr(self, f"option_{key.lower()}") for key in OPTION_KEYS]

    def option_rows(self):
        """``(key, text field, picture field, remove field)`` per option, for the template."""
        return [(key, getattr(self, f"option_{key.lower()}"), getattr(self, f"image_{key.lower()}"),
                 getattr(self, f"remove_image_{key.lower()}")) for key in OPTION_KEYS]

    def image_uploads(self) -> dict[str, bytes]:
        """The pictures sent: ``""`` the question's, ``"A"`` … option A's."""
        fields = {"": self.image, **{key: getattr(self, f"image_{key.lower()}") for key in OPTION_KEYS}}
        uploads = {}
        for slot, field in fields.items():
            upload = field.data
            if upload is not None and getattr(upload, "filename", ""):
                uploads[slot] = upload.read()
        return uploads

    def removed_images(self) -> frozenset[str]:
        removed = {"": self.remove_image.data, **{key: getattr(self, f"remove_image_{key.lower()}").data
                                                  for key in OPTION_KEYS}}
        return frozenset(slot for slot, checked in removed.items() if checked)

    def raw_question(self) -> RawQuestion:
        return RawQuestion(
            row=0, text=self.text.data or "", correct=",".join(self.correct.data or []),
            options=tuple((key, field.data or "") for key, field in zip(OPTION_KEYS, self.option_fields(),
                                                                         strict=True)),
            difficulty=self.difficulty.data or "", type=self.type.data or "", explanation=self.explanation.data or "",
            source=self.source.data or "", tags=self.tags.data or "", image_alt=self.image_alt.data or "",
        )

    def fill_from(self, question, topic_id: int) -> None:
        """Pre-fill from a ``BankQuestion`` (on GET of the edit page)."""
        self.text.data = question.text
        texts = {option.key: option.text for option in question.options}
        for key, field in zip(OPTION_KEYS, self.option_fields(), strict=True):
            field.data = texts.get(key, "")
        self.correct.data = list(question.correct)
        self.topic_id.data = topic_id
        self.difficulty.data = question.difficulty.value
        self.type.data = question.type.value
        self.explanation.data = question.explanation
        self.source.data = question.source
        self.tags.data = ", ".join(question.tags)
        self.image_alt.data = question.image_alt


for _key in OPTION_KEYS:  # WTForms' metaclass accepts fields added after the class body
    setattr(QuestionForm, f"option_{_key.lower()}", TextAreaField(
        _l("Option %(key)s", key=_key), validators=[Length(max=MAX_OPTION_FIELD)], render_kw={"rows": 1}))
    setattr(QuestionForm, f"image_{_key.lower()}", FileField(
        _l("Picture of option %(key)s (optional)", key=_key),
        render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"}))
    setattr(QuestionForm, f"remove_image_{_key.lower()}", BooleanField(_l("Remove the picture")))


class SearchForm(Form):
    """Read from the query string (a GET form: searches can be bookmarked, and need no CSRF token)."""

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    topic = SelectField(_l("Topic"), coerce=str, validate_choice=False)
    difficulty = SelectField(_l("Difficulty"), validate_choice=False,
                             choices=[SelectChoice("", _l("All difficulties")), *DIFFICULTY_CHOICES])
    active = SelectField(_l("Status"), validate_choice=False,
                         choices=[SelectChoice("1", _l("Active")), SelectChoice("0", _l("Inactive")),
                                  SelectChoice("all", _l("All"))])


class ImportForm(FlaskForm):
    file = FileField(_l("File (.xlsx, .csv, GIFT or Aiken)"), validators=[FileRequired(_l("Choose a file."))])
    images = FileField(_l("Zip of the pictures the file names (optional)"), render_kw={"accept": ".zip"})
    format = SelectField(_l("Format"), default="", choices=[SelectChoice("", _l("From the file name")),
                                                *(SelectChoice(k, v) for k, v in FORMAT_NAMES.items())])
    topic = StringField(_l("Topic for rows without one (optional)"), validators=[Length(max=200)])
    difficulty = SelectField(_l("Difficulty for rows without one"), default="",
                             choices=[SelectChoice("", _l("None: such rows are errors")), *DIFFICULTY_CHOICES])
    skip_existing = BooleanField(_l("Skip questions already in the bank instead of reporting them"))


class ConfirmImportForm(FlaskForm):
    """"Import now" on a checked file: nothing but the CSRF token (the job is in the address)."""


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])


class RefreshStatsForm(FlaskForm):
    """A one-button action ("Compute now" on a round's statistics, "Re-admit" on a question): only the CSRF
    token."""


class TopicForm(FlaskForm):
    name = StringField(_l("Topic name"), validators=[DataRequired(), Length(max=200)])
