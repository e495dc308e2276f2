"""Storing answers durably, many per commit.

One ORM commit per answer manages ~730/s on PostgreSQL here; a multi-row upsert of a few hundred rows per
commit manages tens of thousands. ``GroupCommitWriter`` collects the answers that arrive while the previous
batch is being written and stores them with one statement and one commit; each waiting handler is released
only after that commit, so an acknowledgement always means "stored". ``InlineWriter`` stores each answer in
the caller's session (tests, and anywhere a background writer is not running).
"""

from __future__ import annotations

import collections
import functools
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine

from contest.attempts.models import Answer

log = logging.getLogger(__name__)
SLOW_BATCH_S = 1.0  # a batch slower than this is logged: acknowledgements are waiting on it


@dataclass(frozen=True)
class AnswerRow:
    attempt_id: int
    slot: int
    choice: tuple[str, ...]
    seq: int
    answered_at: datetime
    via: str = "ws"


class StoreFailed(RuntimeError):
    """The answer could not be stored (database down or too slow); the client keeps it and resends."""


def upsert_answers(connection: Connection, rows: Sequence[AnswerRow]) -> None:
    """Insert ``rows``, or replace a stored answer when the new ``seq`` is higher, in one statement."""
    latest: dict[tuple[int, int], AnswerRow] = {}
    for row in rows:  # PostgreSQL refuses to update one row twice in a statement
        key = (row.attempt_id, row.slot)
        if key not in latest or latest[key].seq < row.seq:
            latest[key] = row
    if connection.dialect.name == "postgresql":
        _postgresql_upsert(connection, latest.values())
    else:
        values = [{"attempt_id": r.attempt_id, "slot": r.slot, "choice": list(r.choice), "seq": r.seq,
                   "answered_at": r.answered_at, "via": r.via} for r in latest.values()]
        connection.execute(_sqlite_upsert(), values)


@functools.cache
def _sqlite_upsert():
    """SQLite's executemany loops in C without yielding to other greenlets: one cached statement serves."""
    stmt = sqlite.insert(Answer)
    return stmt.on_conflict_do_update(
        index_elements=[Answer.attempt_id, Answer.slot],
        set_={"choice": stmt.excluded.choice, "seq": stmt.excluded.seq,
              "answered_at": stmt.excluded.answered_at, "via": stmt.excluded.via},
        where=Answer.seq < stmt.excluded.seq,
    )


# The same upsert for PostgreSQL, sent with psycopg2's execute_values: one round trip and a few milliseconds of
# C for 500 rows. Measured with the load harness, the alternatives stalled the event loop: psycopg2's
# executemany sends a statement per row (2.5 s per batch, each round trip queued behind every ready greenlet)
# and SQLAlchemy compiling a 500-row VALUES ran long enough to starve logins and starts.
_POSTGRESQL_UPSERT = (
    f"INSERT INTO {Answer.__tablename__} (attempt_id, slot, choice, seq, answered_at, via) VALUES %s "
    "ON CONFLICT (attempt_id, slot) DO UPDATE SET choice = excluded.choice, seq = excluded.seq, "
    f"answered_at = excluded.answered_at, via = excluded.via WHERE {Answer.__tablename__}.seq < excluded.seq"
)


def _postgresql_upsert(connection: Connection, rows) -> None:
    from psycopg2.extras import execute_values

    cursor = connection.connection.cursor()
    try:
        execute_values(cursor, _POSTGRESQL_UPSERT,
                       [(r.attempt_id, r.slot, json.dumps(list(r.choice)), r.seq, r.answered_at, r.via) for r in rows],
                       template="(%s, %s, %s::json, %s, %s, %s)", page_size=1000)
    finally:
        cursor.close()


class InlineWriter:
    """Stores each answer at once in the session ``get_session()`` returns, and commits it."""

    def __init__(self, get_session: Callable):
        self.get_session = get_session

    def store(self, row: AnswerRow) -> None:
        session = self.get_session()
        try:
            upsert_answers(session.connection(), [row])
            session.commit()
        except Exception as exc:
            session.rollback()
            raise StoreFailed(str(exc)) from exc

    def has_pending(self, attempt_id: int) -> bool:
        return False

    def barrier(self) -> None:
        """Nothing is ever pending here."""


class _Pending:
    __slots__ = ("row", "done", "error")

    def __init__(self, row: AnswerRow | None):
        self.row = row
        self.done = threading.Event()
        self.error: Exception | None = None


class GroupCommitWriter:
    """A background writer: one upsert and one commit per batch of up to ``max_batch`` answers.

    Under gevent or eventlet the ``threading`` and ``queue`` modules are patched, so the writer is a greenlet
    and waiting handlers yield; with plain threads it is a thread. Either way the batch grows by itself while
    the previous commit is in flight, which is what makes group commit cheap under load and instant when idle.
    """

    def __init__(self, engine: Engine, *, max_batch: int = 500, timeout_s: float = 10.0):
        self.engine = engine
        self.max_batch = max_batch
        self.timeout_s = timeout_s
        self.queue: queue.Queue[_Pending] = queue.Queue()
        self.batches = 0
        self.rows = 0
        self.pending: collections.Counter[int] = collections.Counter()  # queued answers per attempt
        self._pending_lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> GroupCommitWriter:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="answer-writer", daemon=True)
            self._thread.start()
        return self

    def store(self, row: AnswerRow) -> None:
        with self._pending_lock:
            self.pending[row.attempt_id] += 1
        try:
            self._wait(_Pending(row))
        finally:
            with self._pending_lock:
                self.pending[row.attempt_id] -= 1
                if not self.pending[row.attempt_id]:
                    del self.pending[row.attempt_id]

    def has_pending(self, attempt_id: int) -> bool:
        """Whether answers of the attempt are queued or being written; none are when its entrant waited
        for every acknowledgement, as clients do."""
        return self.pending.get(attempt_id, 0) > 0

    def barrier(self) -> None:
        """Return once every answer queued before this call is committed (the queue is first in, first out)."""
        self._wait(_Pending(None))

    def _wait(self, pending: _Pending) -> None:
        if self._thread is None:
            raise StoreFailed("the answer writer is not running")
        self.queue.put(pending)
        if not pending.done.wait(self.timeout_s):
            raise StoreFailed("the answer was not stored in time")
        if pending.error is not None:
            raise StoreFailed(str(pending.error))

    def _run(self) -> None:
        while True:
            batch = [self.queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        rows = [p.row for p in batch if p.row is not None]
        started = time.monotonic()
        try:
            if rows:
                with self.engine.begin() as connection:
                    upsert_answers(connection, rows)
        except Exception:
            log.exception("batch of %d answers failed; storing them one by one", len(rows))
            self._write_each(batch)
            return
        took = time.monotonic() - started
        if took > SLOW_BATCH_S:
            log.warning("storing %d answers took %.2f s (queue: %d waiting)", len(rows), took, self.queue.qsize())
        self.batches += 1
        self.rows += len(rows)
        for pending in batch:
            pending.done.set()

    def _write_each(self, batch: list[_Pending]) -> None:
        """Isolate a bad row so it cannot fail the answers that came with it."""
        for pending in batch:
            if pending.row is not None:
                try:
                    with self.engine.begin() as connection:
                        upsert_answers(connection, [pending.row])
                except Exception as exc:
                    pending.error = exc
            pending.done.set()
