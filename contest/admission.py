"""Admission at the expensive doors: connecting to a round, starting and submitting attempts (``through``,
below), and logging in and registering, which cost a password hash (~30 ms of a core) and a few queries, so a
process lets only ``LOGIN_CONCURRENCY`` of them in at once and a short line wait behind them.

Why: in a rush of 10,000 logins every request that got in waited for the database pool behind all the others,
timed out after seconds and was answered 503 anyway; the retries kept the event loop busy with doomed work, and
about 4 logins a second got through. Refusing at the door costs microseconds, keeps the work that was let in
fast, and leaves the CPU to answers. Refused requests get 503 with a ``Retry-After`` long enough (5-15 s,
jittered) that the line comes back spread out.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, request

from contest.overload import Full, busy

DOORS = frozenset({("POST", "/api/session"), ("POST", "/login"), ("POST", "/register")})
SHED_RETRY_AFTER_S = (5, 15)


class Gate:
    """At most ``limit`` holders; up to ``queue`` more wait ``wait_s`` for a place; the rest are refused."""

    def __init__(self, limit: int, queue: int, wait_s: float) -> None:
        self.places = threading.BoundedSemaphore(limit)
        self.queue, self.wait_s, self.waiting = queue, wait_s, 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        if self.places.acquire(blocking=False):
            return True
        with self._lock:
            if self.waiting >= self.queue:
                return False
            self.waiting += 1
        try:
            return self.places.acquire(timeout=self.wait_s)
        finally:
            with self._lock:
                self.waiting -= 1

    def leave(self) -> None:
        self.places.release()


# The doors of the play namespace, each with its settings' prefix: ``SUBMIT_CONCURRENCY``, ``SUBMIT_QUEUE``, ...
#
# Why doors there too: each of these holds a pooled database connection for a few queries. In a round's opening
# 200-500 entrants a second connect (loading their login) and start (drawing and storing a paper), and in its last
# minute as many submit (a dozen queries each). Let in all at once, they took the whole pool and the CPU, every
# one of them slowed down, waited 5 s for the pool and was refused anyway, and the answers' group commit waited
# behind them. A short line per process keeps the work let in fast; the rest is refused at once with a retry
# hint, which the play page (and the harness) honour with jittered back-off. The wait in line holds no connection.
PLAY_DOORS = {"submit": "SUBMIT", "opening": "OPENING"}


@contextmanager
def through(door: str) -> Iterator[None]:
    """Hold one of the process's places at ``door`` (a key of ``PLAY_DOORS``), or raise ``Full`` (answered as an
    overload, with a retry hint)."""
    gate: Gate = current_app.extensions[f"olympiad.{door}_gate"]
    if not gate.enter():
        raise Full(f"{door} door full")
    try:
        yield
    finally:
        gate.leave()


def init_app(app: Flask) -> None:
    """Register the gate before the limiter and CSRF: a refused request costs nothing else."""
    gate = Gate(app.config["LOGIN_CONCURRENCY"], app.config["LOGIN_QUEUE"], app.config["LOGIN_QUEUE_WAIT_S"])
    app.extensions["olympiad.login_gate"] = gate
    for door, prefix in PLAY_DOORS.items():
        app.extensions[f"olympiad.{door}_gate"] = Gate(app.config[f"{prefix}_CONCURRENCY"],
                                                       app.config[f"{prefix}_QUEUE"],
                                                       app.config[f"{prefix}_QUEUE_WAIT_S"])

    @app.before_request
    def admit():
        if (request.method, request.path) not in DOORS:
            return None
        if not gate.enter():
            return busy("login door full", SHED_RETRY_AFTER_S)
        g.admitted = True
        return None

    @app.teardown_request
    def release(_error=None):
        if g.pop("admitted", False):
            gate.leave()
