"""Stored item statistics: each round's rows in ``round_item_stats``, computed once, read by pages and exports.

Computing a round streams its finalised attempts (``round_stats``: about 2,700 attempts/s, minutes for a
national round), so it happens once a round has closed (the attempt sweeper calls ``start_closed_round_refresh``
after each sweep), when an organiser asks for it ("Compute now", ``flask bank stats ROUND --refresh``), or when
a round without stored rows is exported. The question page then costs one indexed query by question id.

A refresh replaces the round's rows in one commit (delete, then one bulk insert), so readers see the old rows or
the new ones, never a mix. On PostgreSQL an advisory lock per round keeps two server processes from computing
the same round at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from contest.attempts.models import Attempt, Status
from contest.db import release_connection, utcnow
from contest.errors import DomainError
from contest.extensions import db
from contest.rounds.models import Contest, Round
from question_bank import key_guard
from question_bank.item_stats import ItemSummary
from question_bank.models import Question, QuestionRevision, RoundItemStat, Topic
from question_bank.round_stats import CHUNK, FINALISED, round_item_stats
from question_bank.stats_export import StatsRow, write_stats
from question_bank.storage import CURRENT_REVISION

log = logging.getLogger(__name__)
SERVER_CHUNK = 250  # attempts between two pauses when computing inside a server process
LOCK_SPACE = 0x51B5  # first key of the PostgreSQL advisory locks of this module (the second is the round id)


@dataclass(frozen=True)
class QuestionRoundStats:
    """A question's stored statistics in one round, with what the page names the round by."""

    round_id: int
    round_title: str
    contest_title: str
    computed_at: datetime
    stats: ItemSummary


@dataclass(frozen=True)
class RoundStatsState:
    round: Round
    contest_title: str
    computed_at: datetime | None  # None: never computed
    questions: int


def cooperative_pause(session: Session) -> Callable[[], None]:
    """A ``pause`` for ``round_item_stats`` inside a server: end the transaction (the pooled connection, and
    SQLite's write lock taken by BEGIN IMMEDIATE, go back) and yield, so a gevent or eventlet process keeps
    serving its other connections between chunks."""

    def pause() -> None:
        release_connection(session)
        time.sleep(0)  # patched under gevent/eventlet: lets the other greenlets run

    return pause


def refresh_round_stats(session: Session, round_id: int, now: datetime, *, chunk: int = CHUNK,
                        pause: Callable[[], None] | None = None) -> int:
    """Compute the round's statistics from its finalised attempts and replace its stored rows; the number of
    questions stored. DomainError ``not_found`` for an unknown round, ``busy`` while another process computes it."""
    if session.get(Round, round_id) is None:
        raise DomainError("not_found", _l("There is no such round."))
    with _claim(session, round_id) as claimed:
        if not claimed:
            raise DomainError("busy", _l("The statistics of this round are being computed already. "
                                         "Try again in a minute."))
        return _refresh(session, round_id, now, chunk, pause)


def _refresh(session: Session, round_id: int, now: datetime, chunk: int, pause: Callable[[], None] | None) -> int:
    rows = [_values(round_id, stats.summary(), now)
            for stats in round_item_stats(session, round_id, chunk=chunk, pause=pause).values()]
    session.execute(delete(RoundItemStat).where(RoundItemStat.round_id == round_id))
    if rows:
        session.execute(insert(RoundItemStat), rows)
    session.commit()
    return len(rows)


def rounds_due(session: Session, now: datetime, *, sweep_s: float, round_id: int | None = None) -> list[int]:
    """Closed rounds whose stored statistics are missing or older than the round's last finalised attempt:
    closed more than ``grace_s`` + ``sweep_s`` ago, no attempt still in progress (the sweeper finalises a limited
    number per sweep), at least one finalised attempt, and no rows computed since. Oldest first."""
    computed = (select(RoundItemStat.computed_at).where(RoundItemStat.round_id == Round.id).limit(1)
                .scalar_subquery())
    stmt = (select(Round.id, Round.closes_at, Round.grace_s, computed)
            .where(Round.closes_at <= now - timedelta(seconds=sweep_s),
                   exists().where(Attempt.round_id == Round.id, Attempt.status.in_(FINALISED)),
                   ~exists().where(Attempt.round_id == Round.id, Attempt.status == Status.IN_PROGRESS))
            .order_by(Round.closes_at, Round.id))
    if round_id is not None:
        stmt = stmt.where(Round.id == round_id)
    due = []
    for found, closes_at, grace_s, computed_at in session.execute(stmt):
        settled = closes_at + timedelta(seconds=grace_s + sweep_s)
        if settled <= now and (computed_at is None or computed_at < settled):
            due.append(found)
    return due


def refresh_closed_rounds(session: Session, now: datetime, *, sweep_s: float, chunk: int = CHUNK,
                          pause: Callable[[], None] | None = None) -> list[int]:
    """Compute and store the statistics of every round ``rounds_due`` lists; the ids of the rounds computed.
    A round another process is computing is left to it."""
    done = []
    for round_id in rounds_due(session, now, sweep_s=sweep_s):
        with _claim(session, round_id) as claimed:
            # Checked again under the lock: another process may have finished the round meanwhile.
            if claimed and rounds_due(session, now, sweep_s=sweep_s, round_id=round_id):
                _refresh(session, round_id, now, chunk, pause)
                done.append(round_id)
        release_connection(session)
    return done


_refreshing = threading.Lock()  # created after wsgi.py's monkey-patching, so a gevent/eventlet lock there


def start_closed_round_refresh(app: Flask, sweep_s: float) -> threading.Thread | None:
    """The leader job of the bank, run after each sweep: ``refresh_closed_rounds`` in a thread of its own (a
    greenlet under gevent or eventlet) so the sweeper goes on finalising attempts while a big round is computed.
    At most one runs per process; None when one is running already. Failures are logged, never raised."""
    if not _refreshing.acquire(blocking=False):
        return None

    def run() -> None:
        try:
            with app.app_context():
                try:
                    done = refresh_closed_rounds(db.session, utcnow(), sweep_s=sweep_s, chunk=SERVER_CHUNK,
                                                 pause=cooperative_pause(db.session))
                    if done:
                        log.info("item statistics stored for closed rounds %s", done)
                except Exception:
                    log.exception("item statistics of closed rounds failed; trying again after the next sweep")
                finally:
                    db.session.remove()
        finally:
            _refreshing.release()

    thread = threading.Thread(target=run, name="round-item-stats", daemon=True)
    thread.start()
    return thread


def question_stats(session: Session, question_id: int, *, contest_ids: frozenset[int] | None = None,
                   now: datetime | None = None) -> list[QuestionRoundStats]:
    """The question's stored statistics in each round (within ``contest_ids`` when given), by opening time:
    one query on the ``question_id`` index, whatever the number of attempts. Withheld (``withhold``) while a
    live round can draw the question."""
    stmt = (select(RoundItemStat, Round.title, Contest.title)
            .join(Round, Round.id == RoundItemStat.round_id).join(Contest, Contest.id == Round.contest_id)
            .where(RoundItemStat.question_id == question_id).order_by(Round.opens_at, Round.id))
    if contest_ids is not None:
        stmt = stmt.where(Round.contest_id.in_(contest_ids))
    secret = key_guard.secret_ids(session, [question_id], now or utcnow())
    return [QuestionRoundStats(row.round_id, round_title, contest_title, row.computed_at,
                               withhold(_summary(row), secret))
            for row, round_title, contest_title in session.execute(stmt)]


def withhold(stats: ItemSummary, secret: frozenset[int]) -> ItemSummary:
    """``stats`` without what gives the key away (facility, discrimination, option shares, the key itself) when
    the question is in ``secret``; the number of entrants and the no-answer share stay."""
    if stats.question_id not in secret:
        return stats
    return replace(stats, facility=None, discrimination=None, point_biserial=None, option_shares={},
                   correct_keys=())


def stored_round_stats(session: Session, round_id: int, now: datetime | None = None) -> dict[int, ItemSummary]:
    """The round's stored statistics by question id (empty when never computed), withheld as ``withhold`` says."""
    rows = session.scalars(select(RoundItemStat).where(RoundItemStat.round_id == round_id)
                           .order_by(RoundItemStat.question_id)).all()
    secret = key_guard.secret_ids(session, [row.question_id for row in rows], now or utcnow())
    return {row.question_id: withhold(_summary(row), secret) for row in rows}


def round_state(session: Session, round_id: int) -> tuple[datetime | None, int]:
    """When the round's statistics were computed (None: never) and how many questions they cover."""
    computed_at, count = session.execute(select(func.max(RoundItemStat.computed_at), func.count())
                                         .where(RoundItemStat.round_id == round_id)).one()
    return computed_at, count


def rounds_overview(session: Session, *, contest_ids: frozenset[int] | None = None) -> list[RoundStatsState]:
    """Every round (within ``contest_ids``), latest first, with the state of its stored statistics."""
    stored = (select(RoundItemStat.round_id, func.max(RoundItemStat.computed_at).label("computed_at"),
                     func.count().label("questions")).group_by(RoundItemStat.round_id).subquery())
    stmt = (select(Round, Contest.title, stored.c.computed_at, stored.c.questions)
            .join(Contest, Contest.id == Round.contest_id).outerjoin(stored, stored.c.round_id == Round.id)
            .order_by(Round.opens_at.desc(), Round.id.desc()))
    if contest_ids is not None:
        stmt = stmt.where(Round.contest_id.in_(contest_ids))
    return [RoundStatsState(round_, title, computed_at, questions or 0)
            for round_, title, computed_at, questions in session.execute(stmt)]


def round_stats_rows(session: Session, round_id: int, now: datetime | None = None, *, chunk: int = CHUNK,
                     pause: Callable[[], None] | None = None) -> list[StatsRow]:
    """One row per question of the round's stored statistics, by question id, with the question's current text;
    a round without stored rows is computed and stored first."""
    if session.get(Round, round_id) is None:
        raise DomainError("not_found", _l("There is no such round."))
    now = now or utcnow()
    rows = stored_round_rows(session, round_id, now)
    if not rows and refresh_round_stats(session, round_id, now, chunk=chunk, pause=pause):
        rows = stored_round_rows(session, round_id, now)
    return rows


def export_round_stats(session: Session, round_id: int, fmt: str, now: datetime | None = None, *,
                       chunk: int = CHUNK, pause: Callable[[], None] | None = None) -> tuple[bytes, int]:
    """The statistics file of a round and how many questions it holds."""
    rows = round_stats_rows(session, round_id, now, chunk=chunk, pause=pause)
    return write_stats(rows, fmt), len(rows)


def stored_round_rows(session: Session, round_id: int, now: datetime | None = None) -> list[StatsRow]:
    """The round's stored rows, by question id, each with its question's current topic, difficulty and text;
    withheld as ``withhold`` says for questions a live round can draw."""
    stmt = (select(RoundItemStat, Topic.name, Question.difficulty, QuestionRevision.text, QuestionRevision.image)
            .join(Question, Question.id == RoundItemStat.question_id).join(QuestionRevision, CURRENT_REVISION)
            .join(Topic, Topic.id == Question.topic_id)
            .where(RoundItemStat.round_id == round_id).order_by(RoundItemStat.question_id))
    rows = session.execute(stmt).all()
    secret = key_guard.secret_ids(session, [row.question_id for row, *_rest in rows], now or utcnow())
    return [StatsRow(row.question_id, topic, level.label, body, withhold(_summary(row), secret), image or "")
            for row, topic, level, body, image in rows]


def _values(round_id: int, stats: ItemSummary, now: datetime) -> dict:
    return {"round_id": round_id, "question_id": stats.question_id, "n": stats.n, "facility": stats.facility,
            "upper_lower_d": stats.discrimination, "point_biserial": stats.point_biserial,
            "option_shares": stats.option_shares, "no_answer_share": stats.no_answer_share,
            "correct_keys": list(stats.correct_keys), "computed_at": now}


def _summary(row: RoundItemStat) -> ItemSummary:
    return ItemSummary(row.question_id, row.n, row.facility, row.upper_lower_d, row.point_biserial,
                       dict(sorted(row.option_shares.items())), row.no_answer_share, tuple(row.correct_keys))


@contextmanager
def _claim(session: Session, round_id: int) -> Iterator[bool]:
    """True while this process alone computes the round: a PostgreSQL advisory lock held on a connection of its
    own (the computation ends its transactions between chunks). SQLite needs none: writers queue for its lock."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        yield True
        return
    with bind.engine.connect() as conn:
        keys = {"space": LOCK_SPACE, "round": round_id}
        claimed = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:space, :round)"), keys))
        conn.commit()
        try:
            yield claimed
        finally:
            if claimed:
                conn.execute(text("SELECT pg_advisory_unlock(:space, :round)"), keys)
                conn.commit()
