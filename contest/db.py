"""The declarative base shared by every model, its naming convention and reusable column types."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Annotated

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, MetaData, event, false, true
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC timestamps on every backend (SQLite keeps no offset, so it is restored on load)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


# Reusable column types.
intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
bigpk = Annotated[int, mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)]
timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
flag_true = Annotated[bool, mapped_column(Boolean, default=True, server_default=true())]
flag_false = Annotated[bool, mapped_column(Boolean, default=False, server_default=false())]


def utcnow() -> datetime:
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy emits BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def set_sqlite_busy_timeout(engine: Engine, seconds: float) -> None:
    """How long ``engine``'s connections wait for another process's write lock (the 10 s above is for tools and
    tests). SQLite waits inside a C call, so in a serving process nobody is served meanwhile: the app keeps it
    short and answers 503 past it (``contest.overload``). Runs after ``_sqlite_pragmas``, which is class-wide."""

    @event.listens_for(engine, "connect")
    def _busy_timeout(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")


def set_sqlite_synchronous(engine: Engine, level: str) -> None:
    """SQLite's ``synchronous`` for every connection of ``engine``.

    NORMAL (the embedded default) writes each commit to the WAL before returning, so a committed answer
    survives a crash of the server process, and fsyncs at checkpoints; a power cut can lose the last moments.
    FULL fsyncs every commit: ~3 ms here when idle and 20 ms under load, during which a gevent process serves
    nobody, since SQLite blocks. PostgreSQL, the production store, fsyncs every (group) commit.
    """
    if level.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"SQLITE_SYNCHRONOUS must be NORMAL or FULL, not {level!r}")

    @event.listens_for(engine, "connect")
    def _synchronous(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA synchronous={level.upper()}")


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        # Take the write lock up front: a deferred transaction that reads and then writes fails at once
        # ("database is locked") when another connection committed meanwhile; an immediate one waits its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def release_connection(session) -> None:
    """End the session's transaction so its pooled connection goes back before a slow wait (password hashing,
    a group commit). Committing, not rolling back, keeps anything the caller already flushed. Cheap when
    nothing is open: a scoped session is looked at without creating one."""
    registry = getattr(session, "registry", None)
    if registry is not None:
        if not registry.has():
            return
        session = registry()
    if session.in_transaction():
        session.commit()
