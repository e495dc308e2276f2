"""Validating read questions and planning an import against the existing bank: all or nothing. Pure code."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from question_bank.formats.model import (
    MIN_OPTIONS,
    N_,
    OPTION_KEYS,
    BankQuestion,
    Option,
    RawQuestion,
    ReadResult,
    RowProblem,
    split_tags,
)
from question_bank.media import is_media_name
from question_bank.vocabulary import (
    FALSE_TEXT,
    TRUE_TEXT,
    Difficulty,
    QuestionType,
    parse_difficulty,
    parse_type,
    truth_of,
)

MAX_TEXT = 5000
MAX_OPTION = 1000
MAX_TOPIC = 200
MAX_SOURCE = 500
MAX_ALT = 300


@dataclass(frozen=True)
class Defaults:
    """What rows that leave a field empty get (the CLI's --topic and --difficulty, the upload form's choices)."""

    topic: str = ""
    difficulty: Difficulty | None = None


NO_DEFAULTS = Defaults()


@dataclass
class ImportPlan:
    questions: list[tuple[int, BankQuestion]] = field(default_factory=list)  # (row, question) to add
    problems: list[RowProblem] = field(default_factory=list)
    skipped: list[tuple[int, int]] = field(default_factory=list)  # (row, id of the same question in the bank)
    new_topics: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # content key of each of ``questions``, in order
    images: dict = field(default_factory=dict)  # new pictures the questions show, by name (``image_refs``)
    warnings: list[tuple[str, dict]] = field(default_factory=list)  # (msgid, params): said, but no problem

    @property
    def ok(self) -> bool:
        return not self.problems


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """NFC and trimmed: Vietnamese typed on different keyboards differs in composition, not in meaning.
    Control characters (pasted from PDFs) are dropped: spreadsheets refuse them on export."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):  # the checks skip the costly steps on ordinary text
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = _CONTROL.sub("", text)
    return text.strip()


def _compare_form(text: str) -> str:
    return " ".join(clean(text).casefold().split()).rstrip(" .?!:…")


def content_key(text: str, option_texts: Iterable[str], image: str | None = None) -> str:
    """Two questions are duplicates when their texts and their sets of option texts match after normalising
    (composition, case, spacing, final punctuation). Options count so that generic stems such as
    'Chọn đáp án đúng' do not collide; their order does not. Pictures count too ("Who is this?" under two
    portraits is two questions); a question without any keeps the key it had before pictures existed."""
    options = sorted(_compare_form(text) for text in option_texts)
    joined = "\x1f".join([_compare_form(text), *options])
    if image:
        joined += "\x1e" + image
    return hashlib.sha256(joined.encode()).hexdigest()[:40]


def question_key(question: BankQuestion) -> str:
    return content_key(question.text, (_option_form(option) for option in question.options), question.image)


def _option_form(option: Option) -> str:
    return f"{option.text}\x1d{option.image}" if option.image else option.text


def topic_key(name: str) -> str:
    return re.sub(r"\s+", " ", clean(name).casefold())


def plan_import(read: ReadResult, existing: dict[str, int], known_topics: Iterable[str],
                defaults: Defaults = NO_DEFAULTS, skip_existing: bool = False) -> ImportPlan:
    """Validate every question of ``read`` and decide what to add to a bank holding ``existing``
    (content key -> question id) and ``known_topics``. Duplicates of the bank are problems, or are skipped
    when ``skip_existing`` (re-running a seed); duplicates within the file are always problems.
    A topic matching a known one but for case or spacing takes the known spelling."""
    plan = ImportPlan(problems=list(read.problems))
    known = {topic_key(name): name for name in known_topics}
    new_topics: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for raw in read.questions:
        question, problems = check_question(raw, defaults)
        if question is None:
            plan.problems.extend(problems)
            continue
        key = question_key(question)
        if key in first_row:
            plan.problems.append(RowProblem(raw.row, "cau_hoi", N_("duplicate of the question on row %(other)d"),
                                            {"other": first_row[key]}))
            continue
        first_row[key] = raw.row
        if key in existing:
            if skip_existing:
                plan.skipped.append((raw.row, existing[key]))
            else:
                plan.problems.append(RowProblem(raw.row, "cau_hoi", N_("duplicate of question #%(id)d in the bank"),
                                                {"id": existing[key]}))
            continue
        name = topic_key(question.topic)
        spelled = known.get(name) or new_topics.setdefault(name, question.topic)
        plan.questions.append((raw.row, replace(question, topic=spelled)))
        plan.keys.append(key)
    plan.problems.sort(key=lambda problem: problem.row)
    plan.new_topics = list(new_topics.values())
    return plan


def check_question(raw: RawQuestion, defaults: Defaults = NO_DEFAULTS) -> tuple[BankQuestion | None, list[RowProblem]]:
    """The valid question ``raw`` describes, or None and every problem found (one row may have several)."""
    problems: list[RowProblem] = []

    def problem(column: str, message: str, **params) -> None:
        problems.append(RowProblem(raw.row, column, message, params))

    text = clean(raw.text)
    if not text:
        problem("cau_hoi", N_("the question is empty"))
    elif len(text) > MAX_TEXT:
        problem("cau_hoi", N_("the question is longer than %(max)d characters"), max=MAX_TEXT)

    options, correct = _options_and_correct(raw, problem)
    kind = _question_type(raw, options, correct, problem)

    topic = clean(raw.topic) or defaults.topic
    if not topic:
        problem("chu_de", N_("no topic (fill the column or choose a topic for the whole import)"))
    elif len(topic) > MAX_TOPIC:
        problem("chu_de", N_("the topic is longer than %(max)d characters"), max=MAX_TOPIC)

    difficulty = defaults.difficulty
    if clean(raw.difficulty):
        difficulty = parse_difficulty(clean(raw.difficulty))
        if difficulty is None:
            problem("muc_do", N_("unknown difficulty %(value)s (use Nhận biết, Thông hiểu, Vận dụng, "
                                 "Vận dụng cao, NB/TH/VD/VDC or 1-4)"), value=clean(raw.difficulty))
    elif difficulty is None:
        problem("muc_do", N_("no difficulty (fill the column or choose one for the whole import)"))

    source = clean(raw.source)
    if len(source) > MAX_SOURCE:
        problem("nguon", N_("the source is longer than %(max)d characters"), max=MAX_SOURCE)
    image = _image_name(raw.image, "hinh_anh", problem)
    alt = clean(raw.image_alt) if image else ""
    if len(alt) > MAX_ALT:
        problem("mo_ta_hinh", N_("the image description is longer than %(max)d characters"), max=MAX_ALT)
    if problems:
        return None, problems
    return BankQuestion(text=text, options=options, correct=correct, topic=topic, difficulty=difficulty,
                        type=kind, explanation=clean(raw.explanation), source=source,
                        tags=split_tags(clean(raw.tags)), image=image, image_alt=alt), []


def _image_name(name: str, column: str, problem) -> str | None:
    """A picture's name once ``attach_images`` resolved it; anything else names no picture the bank has."""
    name = clean(name)
    if name and not is_media_name(name):
        problem(column, N_("the image %(name)s is not in the bank or in the zip of images"), name=name)
    return name or None


def _options_and_correct(raw: RawQuestion, problem) -> tuple[tuple[Option, ...], tuple[str, ...]]:
    images = {key.upper(): _image_name(name, image_column(key), problem) for key, name in raw.option_images}
    # An option is there when it has a text or a picture (the portraits of "Which of these is…?").
    options = tuple(Option(key.upper(), text, images.get(key.upper()))
                    for key, text in ((k, clean(t)) for k, t in raw.options) if text or images.get(key.upper()))
    answer = clean(raw.correct)
    truth = truth_of(answer)
    if not options and truth is not None:
        # A true/false statement written with only its answer: the options are implied.
        return (Option("A", TRUE_TEXT), Option("B", FALSE_TEXT)), ("A" if truth else "B",)

    if len(options) > len(OPTION_KEYS) or any(option.key not in OPTION_KEYS for option in options):
        problem(_column("H"), N_("more than %(max)d options"), max=len(OPTION_KEYS))
        return options, ()
    seen: dict[str, str] = {}
    for option in options:
        if len(option.text) > MAX_OPTION:
            problem(_column(option.key), N_("option %(key)s is longer than %(max)d characters"),
                    key=option.key, max=MAX_OPTION)
        same = _compare_form(_option_form(option))
        if same in seen:
            problem(_column(option.key), N_("option %(key)s repeats option %(other)s"), key=option.key,
                    other=seen[same])
        seen.setdefault(same, option.key)
    if len(options) < MIN_OPTIONS:
        problem(_column(OPTION_KEYS[len(options)]), N_("fewer than %(min)d options (found %(count)d)"),
                min=MIN_OPTIONS, count=len(options))

    if not answer:
        problem("dap_an_dung", N_("no correct answer given"))
        return options, ()
    keys = _answer_keys(answer, options)
    if keys is None:
        problem("dap_an_dung", N_("the correct answer %(value)s is not a list of option letters A-H"),
                value=answer)
        return options, ()
    present = {option.key for option in options}
    for key in keys:
        if key not in present:
            problem("dap_an_dung", N_("the correct answer %(key)s names an option that is empty or missing"),
                    key=key)
    return options, keys


def _answer_keys(answer: str, options: tuple[Option, ...]) -> tuple[str, ...] | None:
    """'B', 'a, c', 'A;C', 'AC' -> keys in order; an answer spelled as one option's text names that option."""
    parts = [part for part in re.split(r"[\s,;/&+]+", answer.upper()) if part]
    if len(parts) == 1 and len(parts[0]) > 1 and set(parts[0]) <= set(OPTION_KEYS):
        parts = list(parts[0])
    if parts and all(part in OPTION_KEYS for part in parts):
        return tuple(sorted(set(parts)))
    by_text = [option.key for option in options if _compare_form(option.text) == _compare_form(answer)]
    return (by_text[0],) if len(by_text) == 1 else None


def _question_type(raw: RawQuestion, options, correct, problem) -> QuestionType:
    stated = clean(raw.type)
    kind = parse_type(stated) if stated else None
    if stated and kind is None:
        problem("loai", N_("unknown question type %(value)s"), value=stated)
    if kind is None:
        if len(correct) > 1:
            return QuestionType.MULTIPLE
        return QuestionType.TRUE_FALSE if _is_true_false(options) else QuestionType.SINGLE
    if kind is not QuestionType.MULTIPLE and len(correct) > 1:
        problem("dap_an_dung", N_("a question with one answer has %(count)d correct answers"),
                count=len(correct))
    if kind is QuestionType.TRUE_FALSE and len(options) != 2:
        problem("loai", N_("a true/false question needs exactly 2 options"))
    return kind


def _is_true_false(options: tuple[Option, ...]) -> bool:
    return len(options) == 2 and {truth_of(option.text) for option in options} == {True, False}


def _column(key: str) -> str:
    return f"dap_an_{key.lower()}"


def image_column(key: str) -> str:
    """The column of option ``key``'s picture: hinh_a … hinh_h."""
    return f"hinh_{key.lower()}"
