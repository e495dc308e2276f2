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
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine

from contest.attempts.models import Answer

log = logging.getLogger(__name__)
SLOW_BATCH_S = 1.0  # a batch slower than this is logged: acknowledgements are waiting on it
# While the database is unreachable the writer retries the whole batch after 0.05 s, 0.1 s, … up to this: answers
# are acknowledged within about this long after the database is back.
OUTAGE_BACKOFF_MAX_S = 1.0


def is_outage(error: Exception) -> bool:
    """Whether ``error`` says the database cannot be reached or is busy (retry later) rather than that a row is
    bad (isolate it): a lost connection, a refused connect, a pool time-out, SQLite's "database is locked"."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError))


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

    needs_app_context = True  # the app's scoped session

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
    __slots__ = ("row", "done", "error", "given_up_at")

    def __init__(self, row: AnswerRow | None, given_up_at: float = float("inf")):
        self.row = row
        self.done = threading.Event()
        self.error: Exception | None = None
        self.given_up_at = given_up_at  # monotonic time after which its handler no longer waits


class GroupCommitWriter:
    """A background writer: one upsert and one commit per batch of up to ``max_batch`` answers.

    Under gevent or eventlet the ``threading`` and ``queue`` modules are patched, so the writer is a greenlet
    and waiting handlers yield; with plain threads it is a thread. Either way the batch grows by itself while
    the previous commit is in flight, which is what makes group commit cheap under load and instant when idle.
    """

    needs_app_context = False  # it has its own engine and its own greenlet

    def __init__(self, engine: Engine, *, max_batch: int = 500, timeout_s: float = 10.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.engine = engine
        self.max_batch = max_batch
        self.timeout_s = timeout_s
        self.sleep = sleep
        self.outages = 0
        self.down_since: float | None = None  # monotonic start of the current outage
        self.failed_tries = 0
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
        pending.given_up_at = time.monotonic() + self.timeout_s
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
        except Exception as error:
            if is_outage(error):
                self._ride_out(batch, error)
                return
            log.exception("batch of %d answers failed; storing them one by one", len(rows))
            self._write_each(batch)
            return
        if rows and self.down_since is not None:
            log.warning("database back after %.1f s (%d tries failed)", time.monotonic() - self.down_since,
                        self.failed_tries)
            self.down_since = None
        took = time.monotonic() - started
        if took > SLOW_BATCH_S:
            log.warning("storing %d answers took %.2f s (queue: %d waiting)", len(rows), took, self.queue.qsize())
        self.batches += 1
        self.rows += len(rows)
        for pending in batch:
            pending.done.set()

    def _ride_out(self, batch: list[_Pending], error: Exception) -> None:
        """The database is unreachable: retry the whole batch with capped exponential back-off until it is
        stored or no handler waits for it any more (they answered ``unavailable``; their clients resend, and the
        next batch carries on the wait). Logged once when the outage starts and once when it ends, never a
        traceback per try, never row by row."""
        if self.down_since is None:
            self.down_since, self.failed_tries = time.monotonic(), 0
            self.outages += 1
            log.warning("database unavailable (%s: %s); holding answers and retrying", type(error).__name__,
                        str(error).splitlines()[0][:200])
        delay = 0.05
        while True:
            self.failed_tries += 1
            self.sleep(delay)
            now = time.monotonic()
            for pending in batch:
                if pending.given_up_at <= now:
                    pending.error = StoreFailed("the database is unavailable")
                    pending.done.set()  # nobody waits for it: the client was told and will resend
            batch = [pending for pending in batch if not pending.done.is_set()]
            if not batch:
                return
            rows = [pending.row for pending in batch if pending.row is not None]
            try:
                if rows:
                    with self.engine.begin() as connection:
                        upsert_answers(connection, rows)
            except Exception as again:
                if not is_outage(again):
                    self._write_each(batch)
                    return
                delay = min(delay * 2, OUTAGE_BACKOFF_MAX_S)
                continue
            log.warning("database back after %.1f s (%d tries failed)", now - self.down_since, self.failed_tries)
            self.down_since = None
            self.batches += 1
            self.rows += len(rows)
            for pending in batch:
                pending.done.set()
            return

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
