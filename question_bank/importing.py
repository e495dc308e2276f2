"""Importing a read file into the bank: everything is validated first, then written in bulk, or nothing is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from contest.audit import service as audit
from question_bank.formats.model import ReadResult
from question_bank.image_refs import attach_images, used_images
from question_bank.image_store import add_images, known_names
from question_bank.import_plan import NO_DEFAULTS, Defaults, ImportPlan, plan_import
from question_bank.models import Question, QuestionRevision, Topic
from question_bank.storage import question_values, revision_values

BATCH = 1000  # rows per multi-row INSERT: far fewer round trips than one per row, well under driver limits


def import_questions(session: Session, read: ReadResult, *, now: datetime, actor_id: int | None = None,
                     dry_run: bool = False, defaults: Defaults = NO_DEFAULTS, skip_existing: bool = False,
                     source: str = "", progress: Callable[[int], None] | None = None,
                     images: bytes | None = None) -> ImportPlan:
    """Add the questions of ``read`` (a format reader's result) to the bank in one transaction, with the pictures
    they name (the bank's own, or files of the zip ``images``: ``image_refs``).

    Nothing is written when any row has a problem or ``dry_run`` is set; the plan says what was (or would
    be) added and which topics are new. ``progress`` is called with the number of questions written per batch.
    ``TableError`` when ``images`` is not a readable zip.
    """
    existing, topics = bank_keys(session)
    attached = attach_images(read, images, known_names(session))
    plan = plan_import(attached.read, existing, topics, defaults, skip_existing)
    plan.images = used_images(attached.images, [question for _row, question in plan.questions])
    if not plan.ok or dry_run or not plan.questions:
        return plan
    write_plan(session, plan, now=now, actor_id=actor_id, source=source, progress=progress)
    return plan


def bank_keys(session: Session) -> tuple[dict[str, int], list[str]]:
    """What a plan is checked against: the bank's content keys (with their question ids) and topic names."""
    existing = dict(session.execute(select(Question.content_key, Question.id)).all())
    return existing, list(session.scalars(select(Topic.name)))


def write_plan(session: Session, plan: ImportPlan, *, now: datetime, actor_id: int | None, source: str,
               progress: Callable[[int], None] | None = None) -> None:
    """Write a valid plan's questions (and new topics and pictures) in multi-row batches and commit once: all or
    nothing. ``progress`` is called after each batch (the server yields to other connections there)."""
    new_images = add_images(session, plan.images.values(), now=now, actor_id=actor_id)
    topic_ids = dict(session.execute(select(Topic.name, Topic.id)).all())
    if plan.new_topics:
        session.execute(insert(Topic), [{"name": name, "created_at": now} for name in plan.new_topics])
        topic_ids = dict(session.execute(select(Topic.name, Topic.id)).all())
    for start in range(0, len(plan.questions), BATCH):
        batch = [question for _, question in plan.questions[start : start + BATCH]]
        rows = [question_values(q, topic_id=topic_ids[q.topic], now=now, actor_id=actor_id, content_key=key)
                for q, key in zip(batch, plan.keys[start : start + BATCH], strict=True)]
        # New ids come back matched by content key (unique within a plan), not by position: asking for
        # RETURNING in parameter order makes SQLAlchemy insert row by row on SQLite.
        returned = session.execute(insert(Question).returning(Question.content_key, Question.id), rows)
        ids = dict(returned.all())
        session.execute(insert(QuestionRevision), [
            revision_values(q, question_id=ids[row["content_key"]], number=1, now=now, actor_id=actor_id)
            for q, row in zip(batch, rows, strict=True)
        ])
        if progress is not None:
            progress(len(batch))
    audit.record(session, actor_id=actor_id, action="bank.import", now=now, target_type="bank",
                 details={"source": source, "created": len(plan.questions), "skipped": len(plan.skipped),
                          "new_topics": plan.new_topics, "images": new_images})
    session.commit()
