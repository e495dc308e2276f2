"""Between the pure ``BankQuestion`` and the stored rows: the column values each side needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_

from contest.search_text import fold
from question_bank.formats.model import BankQuestion, Option
from question_bank.import_plan import question_key
from question_bank.models import Question, QuestionRevision

# Joins a question to its current revision.
CURRENT_REVISION = and_(QuestionRevision.question_id == Question.id, QuestionRevision.number == Question.revision)


def search_key(question: BankQuestion) -> str:
    return fold(" ".join([question.text, *(option.text for option in question.options), *question.tags]))


def question_values(question: BankQuestion, *, topic_id: int, now: datetime, actor_id: int | None,
                    content_key: str | None = None) -> dict:
    """Column values of a new ``Question`` (revision 1); ``content_key`` when the caller has it already."""
    return {
        "topic_id": topic_id, "difficulty": question.difficulty, "type": question.type, "active": True,
        "revision": 1, "search_key": search_key(question), "content_key": content_key or question_key(question),
        "created_at": now, "created_by_id": actor_id, "updated_at": now, "updated_by_id": actor_id,
    }


def revision_values(question: BankQuestion, *, question_id: int, number: int, now: datetime,
                    actor_id: int | None) -> dict:
    return {
        "question_id": question_id, "number": number, "text": question.text,
        "options": [option_json(option) for option in question.options],
        "correct": list(question.correct), "explanation": question.explanation, "source": question.source,
        "tags": list(question.tags), "image": question.image, "image_alt": question.image_alt,
        "created_at": now, "created_by_id": actor_id,
    }


def option_json(option: Option) -> dict:
    """An option as a revision stores it; ``image`` only when it has one (older revisions have none)."""
    return {"key": option.key, "text": option.text, **({"image": option.image} if option.image else {})}


def bank_question(question: Question, revision: QuestionRevision, topic: str) -> BankQuestion:
    return BankQuestion(
        text=revision.text, options=tuple(Option(o["key"], o["text"], o.get("image")) for o in revision.options),
        correct=tuple(revision.correct), topic=topic, difficulty=question.difficulty, type=question.type,
        explanation=revision.explanation, source=revision.source, tags=tuple(revision.tags),
        image=revision.image, image_alt=revision.image_alt or "",
    )


def same_content(a: BankQuestion, b: BankQuestion) -> bool:
    """True when nothing an entrant reads differs (then an edit needs no new revision)."""
    fields = ("text", "options", "correct", "explanation", "source", "tags", "image", "image_alt")
    return all(getattr(a, name) == getattr(b, name) for name in fields)
