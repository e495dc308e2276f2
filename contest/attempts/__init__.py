"""Taking a round: starting an attempt, answering, submitting, and the server finalising at the deadline."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Answers are stored inline until ``start_background`` runs (the server does; tests and CLI don't)."""
    from contest.attempts.answer_store import InlineWriter
    from contest.attempts.api import api
    from contest.attempts.bank import BankPapers
    from contest.attempts.pages import pages
    from contest.attempts.runtime import AttemptRuntime, install
    from contest.extensions import csrf, db
    from contest.leaderboards.runtime import leaderboards
    from contest.realtime.notifier import SocketIONotifier

    papers = BankPapers()
    install(app, AttemptRuntime(writer=InlineWriter(lambda: db.session), bank=papers, questions=papers,
                                notifier=SocketIONotifier(), boards=leaderboards(app)))
    csrf.exempt(api)
    app.register_blueprint(api)
    app.register_blueprint(pages)


def start_background(app: Flask) -> None:
    """In a serving process: group-commit the answers and sweep overdue attempts."""
    from contest.attempts.answer_store import GroupCommitWriter
    from contest.attempts.runtime import runtime
    from contest.attempts.sweeper import start_sweeper
    from contest.extensions import db

    with app.app_context():
        rt = runtime()
        rt.writer = GroupCommitWriter(writer_engine(db.engine), max_batch=app.config["ANSWER_BATCH_MAX"],
                                      timeout_s=float(app.config["ANSWER_STORE_WAIT_S"])).start()
    start_sweeper(app, app.config["SWEEP_INTERVAL_S"])


def writer_engine(engine):
    """The answer writer's own connection on PostgreSQL, so a pool busy with starts and logins never delays
    an acknowledgement. It runs in autocommit: a batch is one multi-row upsert, atomic by itself, so it costs
    one round trip instead of three (BEGIN, INSERT, COMMIT); under a saturated event loop each round trip
    waits its turn behind every other ready greenlet, which the load harness showed as multi-second acks.
    SQLite keeps its single shared connection: a second one would wait for the write lock inside SQLite,
    stalling the whole process."""
    if engine.dialect.name != "postgresql":
        return engine
    from sqlalchemy import create_engine

    return create_engine(engine.url, pool_size=1, max_overflow=0, isolation_level="AUTOCOMMIT")
