"""One fault test's round: ~200 entrants through the load harness (bench.load) while the test breaks something,
probes of the door and of a public read meanwhile, and the checks that matter afterwards: every acknowledged
answer stored, every attempt finalised, and how long recovery took (printed, quoted in the README)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
import websocket
from sqlalchemy import create_engine, text

from bench import wire
from bench.entrant import socket_url
from bench.load import LoadSpec, run_load
from bench.sessions import sessions_for
from contest.config import database_uri
from contest.demo.people import demo_phone

PASSWORD = "demo-pass"
LOGIN_RATE_PER_S = 15.0
LOGIN_TRIES = 4
THINK_S = 2.0  # 10 questions 2 s apart: each entrant answers for ~20 s
RAMP_PER_S = 20.0  # 200 entrants connect over 10 s, so they do not all submit in the same second
ACK_TIMEOUT_S = 10.0


def cookies_for(url: str, first: int, count: int, cache: Path) -> list[str]:
    """Session cookies of demo entrants ``first``… (logged in once per stack, cached in ``cache``). A login the
    server refused as busy (503, each costs a password hash) is tried again, as a person would."""
    phones = [demo_phone(number) for number in range(first, first + count)]
    for _ in range(LOGIN_TRIES):
        cookies, report_ = sessions_for(url, phones, PASSWORD, LOGIN_RATE_PER_S, cache, fresh=False)
        missing = [phone for phone, cookie in zip(phones, cookies, strict=True) if not cookie]
        if not missing:
            return cookies
        time.sleep(2)
    raise AssertionError(f"{len(missing)} logins failed: {report_}")


class Load:
    """The harness's load on a thread, so that the test can break things while it runs."""

    def __init__(self, url: str, round_id: int, cookies: list[str], *, duration_s: float = 90.0,
                 server_pid: int | None = None):
        self.spec = LoadSpec(url=url, round_id=round_id, cookies=cookies, think_s=THINK_S, ramp_per_s=RAMP_PER_S,
                             duration_s=duration_s, procs=2, ack_timeout_s=ACK_TIMEOUT_S, record_acks=True)
        self.server_pid = server_pid
        self.figures: dict | None = None
        self.started = time.time()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Load:
        self.started = time.time()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.thread.join(timeout=self.spec.duration_s + 60)

    def at(self, seconds: float) -> None:
        """Sleep until ``seconds`` after the first entrant was due (the workers start 2 s after the thread)."""
        time.sleep(max(0.0, self.started + 2.0 + seconds - time.time()))

    def _run(self) -> None:
        self.figures = run_load(self.spec, self.server_pid)


@dataclass
class Probe:
    """Calls ``check`` every ``every_s`` on a thread; keeps (epoch time, outcome, seconds taken)."""

    check: Callable[[], str]
    every_s: float = 0.25
    samples: list[tuple[float, str, float]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Probe:
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=15)

    def _run(self) -> None:
        while not self.stop.is_set():
            sent = time.time()
            try:
                outcome = self.check()
            except Exception as error:  # noqa: BLE001 - any failure is an outcome to count
                outcome = type(error).__name__
            self.samples.append((sent, outcome, time.time() - sent))
            self.stop.wait(max(0.0, self.every_s - (time.time() - sent)))

    def outcomes(self) -> dict[str, int]:
        counted: dict[str, int] = {}
        for _, outcome, _ in self.samples:
            counted[outcome] = counted.get(outcome, 0) + 1
        return counted

    def good_again_after(self, moment: float, good: str = "ok") -> float | None:
        """Seconds from ``moment`` (the fault's end) to the first good answer after it; None if none came."""
        after = [sent + taken for sent, outcome, taken in self.samples if sent >= moment and outcome == good]
        return round(after[0] - moment, 2) if after else None

    def slowest_s(self) -> float:
        return round(max((taken for _, _, taken in self.samples), default=0.0), 2)


def http_status(url: str, timeout_s: float = 5.0) -> Callable[[], str]:
    """A probe check: ``ok`` for a 200, else ``http_NNN`` (a 503 is an honest answer, a 500 is not)."""
    def check() -> str:
        status = requests.get(url, timeout=timeout_s).status_code
        return "ok" if status == 200 else f"http_{status}"
    return check


def door(url: str, timeout_s: float = 5.0) -> Callable[[], str]:
    """A probe check: a fresh websocket to ``/play`` and one ``time_sync`` acknowledged (anonymous)."""
    def check() -> str:
        ws = websocket.create_connection(socket_url(url), timeout=timeout_s, suppress_origin=True)
        try:
            if not ws.recv().startswith(wire.ENGINE_OPEN):
                return "no_handshake"
            ws.send(wire.connect("/play"))
            ws.send(wire.emit("/play", "time_sync", {}, 1))
            while True:
                frame = ws.recv()
                if frame.startswith("43/play,1"):
                    return "ok"
                if frame.startswith("44/play"):
                    return "connect_refused"
        finally:
            ws.close()
    return check


def engine(database_url: str):
    return create_engine(database_uri(database_url))


def stored_answers(database_url: str, round_id: int) -> dict[tuple[int, int], int]:
    """(attempt id, slot) -> seq of every stored answer of the round."""
    db = engine(database_url)
    try:
        with db.connect() as connection:
            rows = connection.execute(text(
                "SELECT a.attempt_id, a.slot, a.seq FROM answers a JOIN attempts t ON t.id = a.attempt_id "
                "WHERE t.round_id = :round_id"), {"round_id": round_id}).all()
    finally:
        db.dispose()
    return {(attempt, slot): seq for attempt, slot, seq in rows}


def durability(figures: dict, database_url: str, round_id: int) -> dict:
    """Acknowledged vs stored: ``missing`` lists acknowledged answers the database does not hold."""
    stored = stored_answers(database_url, round_id)
    acked = figures["acked_answers"]
    missing = [answer for answer in acked if stored.get((answer[0], answer[1]), -1) < answer[2]]
    return {"acked": len(acked), "stored": len(stored), "missing": missing}


def wait_all_finalised(database_url: str, round_id: int, timeout_s: float) -> float:
    """Wait until no attempt of the round is in progress; returns seconds between the last deadline and then."""
    db = engine(database_url)
    give_up = time.time() + timeout_s
    try:
        while True:
            with db.connect() as connection:
                open_, latest = connection.execute(text(
                    "SELECT sum(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END), max(deadline) FROM attempts "
                    "WHERE round_id = :round_id"), {"round_id": round_id}).one()
            if not open_:
                break
            assert time.time() < give_up, f"{open_} attempts still in progress after {timeout_s:.0f} s"
            time.sleep(0.5)
    finally:
        db.dispose()
    if latest is None:
        return 0.0
    if isinstance(latest, str):
        latest = datetime.fromisoformat(latest)
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)
    return max(0.0, round(time.time() - latest.timestamp(), 1))  # 0: every attempt was in before its deadline


def acks_back_after(figures: dict, moment: float) -> float | None:
    """Seconds from ``moment`` to the first acknowledgement after it."""
    after = [acked for acked in figures["answer_acked_at"] if acked >= moment]
    return round(min(after) - moment, 2) if after else None


def report(name: str, **figures) -> None:
    """One line per fault in the stage's output (run with ``-s``), the figures the README quotes."""
    print(f"\nFAULT {name}: " + ", ".join(f"{key}={value}" for key, value in figures.items()), flush=True)
