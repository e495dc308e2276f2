"""How many answers the database holds for a round: the other side of "acknowledged ⇒ stored".

The harness counts before and after the load and reports the difference as ``answers_in_db``, so reruns against
the same round work as long as each stored answer is one row that this run added. Pluggable in two ways:

* ``--db-count-sql "SELECT count(*) FROM ... WHERE ... = :round_id"``: any SQL returning one number, run with
  SQLAlchemy against ``--database-url`` (default ``DATABASE_URL``, else the app's SQLite file in ``instance/``);
* ``--db-count module:function``: a function ``(database_url, round_id) -> int``; the default is
  ``count_answers`` below, which counts the ``answers`` rows of the round's attempts.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from bench.servers import REPO

SQLITE_DEFAULT = f"sqlite:///{REPO / 'instance' / 'olympiad.sqlite3'}"


# One row per (attempt, slot): the answer handler upserts, a later seq replacing an earlier one
# (contest/attempts/models.py ``Answer``, written by contest/attempts/answer_store.py).
ANSWERS_OF_ROUND = (
    "SELECT count(*) FROM answers a JOIN attempts t ON t.id = a.attempt_id WHERE t.round_id = :round_id"
)


def count_answers(database_url: str, round_id: int) -> int:
    """Stored answers of ``round_id``: rows of ``answers`` belonging to the round's attempts.

    The attempts engineer owns this query: if the schema moves (a table renamed, answers kept per event rather
    than per slot), change ``ANSWERS_OF_ROUND`` here, or pass ``--db-count-sql`` for a one-off.
    """
    return count_with_sql(database_url, ANSWERS_OF_ROUND, round_id)


def count_with_sql(database_url: str, sql: str, round_id: int) -> int:
    from sqlalchemy import create_engine, text

    from contest.config import database_uri

    engine = create_engine(database_uri(database_url))  # postgresql:// means psycopg2 here, as in the app
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql), {"round_id": round_id}).scalar_one())
    finally:
        engine.dispose()


def default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or SQLITE_DEFAULT


def counter(sql: str | None, function_path: str) -> Callable[[str, int], int]:
    """The count function chosen by the command line."""
    if sql:
        return lambda database_url, round_id: count_with_sql(database_url, sql, round_id)
    module_name, _, function_name = function_path.partition(":")
    return getattr(importlib.import_module(module_name), function_name)
