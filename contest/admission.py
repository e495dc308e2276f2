"""Admission at the expensive doors: submitting an attempt (``submitting``, below), and logging in and
registering, which cost a password hash (~30 ms of a core) and a few queries, so a process lets only
``LOGIN_CONCURRENCY`` of them in at once and a short line wait behind them.

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


@contextmanager
def submitting() -> Iterator[None]:
    """Hold one of the process's places for submitting an attempt, or raise ``Full`` (answered as an overload,
    with a retry hint).

    Why a door for submits: in a round's last minute every entrant submits within the same seconds, and each
    submit holds a pooled database connection for a dozen queries. Unbounded, they took the whole pool and the
    starts and connects behind them waited for it and were refused; the line keeps them to a share of it, and the
    wait in line holds no connection."""
    gate: Gate = current_app.extensions["olympiad.submit_gate"]
    if not gate.enter():
        raise Full("submit door full")
    try:
        yield
    finally:
        gate.leave()


def init_app(app: Flask) -> None:
    """Register the gate before the limiter and CSRF: a refused request costs nothing else."""
    gate = Gate(app.config["LOGIN_CONCURRENCY"], app.config["LOGIN_QUEUE"], app.config["LOGIN_QUEUE_WAIT_S"])
    app.extensions["olympiad.login_gate"] = gate
    app.extensions["olympiad.submit_gate"] = Gate(app.config["SUBMIT_CONCURRENCY"], app.config["SUBMIT_QUEUE"],
                                                  app.config["SUBMIT_QUEUE_WAIT_S"])

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
