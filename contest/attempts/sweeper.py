"""The server finalises attempts whose time is over, whether or not their entrant is still connected.

Every server process runs the loop, but only the cluster's leader (``contest.leadership``) sweeps, then runs the
leader jobs other packages registered (item statistics, board reconciliation); another process takes over within
one interval if the leader dies. Finalising is a conditional update anyway, so two sweepers would never
double-count. The leader starts with a sweep, so attempts that ran out while the server was down are finalised on
start-up.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from contest.attempts.runtime import runtime
from contest.attempts.service import finalise_overdue
from contest.db import utcnow
from contest.extensions import db
from contest.leadership import Leadership, run_leader_jobs

log = logging.getLogger(__name__)


def sweep_once(app: Flask) -> int:
    with app.app_context():
        try:
            return finalise_overdue(db.session, runtime(), now=utcnow())
        finally:
            db.session.remove()


def start_sweeper(app: Flask, interval_s: float) -> threading.Thread:
    with app.app_context():
        leadership = Leadership(db.engine)

    def loop() -> None:
        while True:
            try:
                if not leadership.held():
                    time.sleep(interval_s)
                    continue
                closed = sweep_once(app)
                if closed:
                    log.info("finalised %d overdue attempts", closed)
                run_leader_jobs(app)
            except Exception:
                log.exception("sweep failed; trying again in %.0f s", interval_s)
            time.sleep(interval_s)

    thread = threading.Thread(target=loop, name="attempt-sweeper", daemon=True)
    thread.start()
    return thread
