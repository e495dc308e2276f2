"""Curating the bank: topics, creating and editing questions (new revisions), (de)activating, searching."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from contest.audit import service as audit
from contest.errors import DomainError
from contest.search_text import fold
from question_bank.formats.model import OPTION_KEYS, BankQuestion, RawQuestion
from question_bank.image_check import CheckedImage, ImageRejected, check_image
from question_bank.image_store import add_images
from question_bank.import_plan import Defaults, check_question, clean, question_key
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.storage import (
    CURRENT_REVISION,
    bank_question,
    question_values,
    revision_values,
    same_content,
    search_key,
)
from question_bank.vocabulary import Difficulty

# The form field each import column is entered in, so a problem shows beside its field.
FORM_FIELDS = {"cau_hoi": "text", "dap_an_dung": "correct", "chu_de": "topic_id", "muc_do": "difficulty",
               "loai": "type", "nguon": "source", **{f"dap_an_{k}": f"option_{k}" for k in "abcdefgh"},
               "hinh_anh": "image", "mo_ta_hinh": "image_alt", **{f"hinh_{k}": f"image_{k}" for k in "abcdefgh"}}


@dataclass(frozen=True)
class ImageChanges:
    """The pictures a question form sent: ``uploads`` by slot (``""`` the question, ``"A"`` … an option), and the
    slots whose picture the organiser removed. A slot in neither keeps the picture it had."""

    uploads: Mapping[str, bytes] = field(default_factory=dict)
    removed: frozenset[str] = frozenset()


NO_IMAGE_CHANGES = ImageChanges()


@dataclass(frozen=True)
class Listed:
    question: Question
    revision: QuestionRevision
    topic: str


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    topic_id: int | None = None
    difficulty: Difficulty | None = None
    active: bool | None = True  # None: both
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class SearchPage:
    items: list[Listed]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_questions(session: Session, query: SearchQuery) -> SearchPage:
    """Questions whose text, options or tags contain every word of ``query.text`` (accents optional)."""
    stmt = select(Question, QuestionRevision, Topic.name).join(QuestionRevision, CURRENT_REVISION).join(Topic)
    for word in fold(query.text).split():
        stmt = stmt.where(Question.search_key.contains(word, autoescape=True))
    if query.topic_id is not None:
        stmt = stmt.where(Question.topic_id == query.topic_id)
    if query.difficulty is not None:
        stmt = stmt.where(Question.difficulty == query.difficulty)
    if query.active is not None:
        stmt = stmt.where(Question.active.is_(query.active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = min(max(1, query.page), max(1, -(-total // query.per_page)))
    rows = session.execute(stmt.order_by(Question.id.desc()).offset((page - 1) * query.per_page)
                           .limit(query.per_page))
    return SearchPage([Listed(*row) for row in rows], total, page, query.per_page)


def get_question(session: Session, question_id: int) -> tuple[Question, BankQuestion, list[QuestionRevision]]:
    """The question, its current content and every revision, newest first."""
    question = session.get(Question, question_id)
    if question is None:
        raise DomainError("not_found", _l("There is no such question."))
    revisions = list(session.scalars(select(QuestionRevision).where(QuestionRevision.question_id == question_id)
                                     .order_by(QuestionRevision.number.desc())))
    return question, bank_question(question, revisions[0], question.topic.name), revisions


def create_question(session: Session, raw: RawQuestion, *, topic_id: int, now: datetime,
                    actor_id: int | None, images: ImageChanges = NO_IMAGE_CHANGES) -> Question:
    """Validate ``raw`` as an import row would be (its pictures checked, ``image_check``), refuse duplicates, store
    revision 1 and its new pictures."""
    topic = _topic(session, topic_id)
    raw, checked = _with_images(raw, images, None)
    question = _validated(raw, topic)
    _refuse_duplicate(session, question, None)
    add_images(session, checked, now=now, actor_id=actor_id)
    values = question_values(question, topic_id=topic.id, now=now, actor_id=actor_id)
    stored = Question(**values)
    session.add(stored)
    session.flush()
    session.execute(insert(QuestionRevision),
                    [revision_values(question, question_id=stored.id, number=1, now=now, actor_id=actor_id)])
    audit.record(session, actor_id=actor_id, action="bank.question.created", now=now, target_type="question",
                 target_id=stored.id, details={"images": len(checked)} if checked else None)
    session.commit()
    return stored


def edit_question(session: Session, question_id: int, raw: RawQuestion, *, topic_id: int, now: datetime,
                  actor_id: int | None, images: ImageChanges = NO_IMAGE_CHANGES) -> Question:
    """Change a question. A change to what entrants read (its pictures included) adds a revision (attempts keep
    theirs); a change of topic, difficulty or type alone does not."""
    question, before, _revisions = get_question(session, question_id)
    topic = _topic(session, topic_id)
    raw, checked = _with_images(raw, images, before)
    after = _validated(raw, topic)
    _refuse_duplicate(session, after, question.id)
    content_changed = not same_content(before, after)
    if content_changed:
        add_images(session, checked, now=now, actor_id=actor_id)
        question.revision += 1
        session.execute(insert(QuestionRevision), [revision_values(
            after, question_id=question.id, number=question.revision, now=now, actor_id=actor_id)])
    changed = [name for name in ("topic", "difficulty", "type") if getattr(before, name) != getattr(after, name)]
    question.topic_id, question.difficulty, question.type = topic.id, after.difficulty, after.type
    question.search_key, question.content_key = search_key(after), question_key(after)
    question.updated_at, question.updated_by_id = now, actor_id
    details = {"revision": question.revision, "new_revision": content_changed, "changed": changed}
    if content_changed and checked:
        details["images"] = len(checked)
    audit.record(session, actor_id=actor_id, action="bank.question.edited", now=now, target_type="question",
                 target_id=question.id, details=details)
    session.commit()
    return question


def set_active(session: Session, question_id: int, active: bool, *, now: datetime, actor_id: int | None) -> None:
    """An inactive question is never drawn again; past attempts keep it."""
    question, _content, _revisions = get_question(session, question_id)
    if question.active == active:
        return
    question.active, question.updated_at, question.updated_by_id = active, now, actor_id
    audit.record(session, actor_id=actor_id, action="bank.question." + ("activated" if active else "deactivated"),
                 now=now, target_type="question", target_id=question.id)
    session.commit()


def list_topics(session: Session) -> list[tuple[Topic, int]]:
    """Every topic with its number of active questions, by name."""
    counts = (select(Question.topic_id, func.count().label("n")).where(Question.active)
              .group_by(Question.topic_id).subquery())
    rows = session.execute(select(Topic, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.topic_id == Topic.id)
                           .order_by(Topic.name))
    return [(topic, count) for topic, count in rows]


def find_topic(session: Session, name: str) -> Topic | None:
    return session.scalar(select(Topic).where(Topic.name == clean(name)))


def save_topic(session: Session, name: str, *, now: datetime, actor_id: int | None,
               topic_id: int | None = None) -> Topic:
    """Create a topic, or rename ``topic_id``. Names are unique."""
    name = clean(name)
    if not name or len(name) > 200:
        raise DomainError("validation", fields={"name": _l("Enter a name of at most 200 characters.")})
    clash = find_topic(session, name)
    if clash is not None and clash.id != topic_id:
        raise DomainError("validation", fields={"name": _l("There is already a topic with that name.")})
    if topic_id is None:
        topic = Topic(name=name, created_at=now)
        session.add(topic)
        session.flush()
        action, details = "bank.topic.created", {"name": name}
    else:
        topic = _topic(session, topic_id)
        action, details = "bank.topic.renamed", {"from": topic.name, "to": name}
        topic.name = name
    audit.record(session, actor_id=actor_id, action=action, now=now, target_type="topic", target_id=topic.id,
                 details=details)
    session.commit()
    return topic


def _topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise DomainError("validation", fields={"topic_id": _l("Choose a topic.")})
    return topic


def _with_images(raw: RawQuestion, changes: ImageChanges,
                 before: BankQuestion | None) -> tuple[RawQuestion, list[CheckedImage]]:
    """``raw`` naming its pictures (the new ones checked, the kept ones of ``before``), and the new pictures."""
    checked: dict[str, CheckedImage] = {}
    errors: dict[str, str] = {}
    for slot, data in changes.uploads.items():
        try:
            checked[slot] = check_image(data)
        except ImageRejected as refused:
            errors["image_" + slot.lower() if slot else "image"] = _(refused.message, **refused.params)
    if errors:
        raise DomainError("validation", fields=errors)
    kept = {"": before.image, **{option.key: option.image for option in before.options}} if before else {}

    def name(slot: str) -> str:
        if slot in checked:
            return checked[slot].name
        return "" if slot in changes.removed else kept.get(slot) or ""

    option_images = tuple((key, name(key)) for key in OPTION_KEYS if name(key))
    return replace(raw, image=name(""), option_images=option_images), list(checked.values())


def _validated(raw: RawQuestion, topic: Topic) -> BankQuestion:
    question, problems = check_question(replace(raw, topic=""), Defaults(topic=topic.name))
    if problems:
        fields: dict[str, str] = {}
        for problem in problems:
            name = FORM_FIELDS.get(problem.column, "text")
            fields.setdefault(name, _(problem.message, **problem.params))
        raise DomainError("validation", fields=fields)
    return question


def _refuse_duplicate(session: Session, question: BankQuestion, own_id: int | None) -> None:
    clash = session.scalar(select(Question.id).where(Question.content_key == question_key(question),
                                                     Question.id != (own_id or 0)).limit(1))
    if clash is not None:
        raise DomainError("validation", fields={
            "text": _l("Question #%(id)s already has this text and these options.", id=clash)})
