"""One simulated entrant over a raw websocket, on gevent (the importer must have monkey-patched).

A python-socketio client costs a thread or two per connection; here each entrant is two greenlets: a reader that
answers pings and hands acknowledgements to whoever waits for them, and the flow (connect, start, answer every
question on a fixed cadence, submit). Every wait has a timeout, and nothing runs past the run's deadline.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import gevent
import websocket
from gevent.event import AsyncResult, Event

from bench import pacing, wire
from bench.stats import Tally

NAMESPACE = "/play"


@dataclass(frozen=True)
class Plan:
    """What every entrant of a run does; times are epoch seconds."""

    url: str
    round_id: int | str
    think_s: float
    deadline: float
    ack_timeout_s: float = 30.0
    connect_timeout_s: float = 15.0
    record_acks: bool = False  # keep [attempt id, slot, seq] of each acknowledged answer in the tally
    pace: str = "fixed"  # bench.pacing: "fixed" (think_s), "farm" (a scripted bot farm) or "human"


class Refused(Exception):
    """The run cannot go on for this entrant; ``code`` goes into the errors tally. ``retry_after`` (seconds) is the
    server's hint on an overload refusal (``unavailable``)."""

    def __init__(self, code: str, retry_after: float | None = None):
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


# What the play page does with an overloaded start or submit: wait as told plus jitter, try again, this many times.
RETRIES = 5


def socket_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/socket.io/?EIO=4&transport=websocket"


class Connection:
    """A websocket to ``/play`` with acknowledgement bookkeeping."""

    def __init__(self, plan: Plan, tally: Tally, cookie: str | None):
        self.plan, self.tally, self.cookie = plan, tally, cookie
        self.ws: websocket.WebSocket | None = None
        self.pending: dict[int, AsyncResult] = {}
        self.joined = AsyncResult()  # the namespace connect: True, or an error code
        self.closed = False
        self.next_ack_id = 0
        self.reader: gevent.Greenlet | None = None

    def open(self) -> None:
        header = [f"Cookie: {self.cookie}"] if self.cookie else None
        try:
            self.ws = websocket.create_connection(
                socket_url(self.plan.url), timeout=self.plan.connect_timeout_s, header=header,
                suppress_origin=True, skip_utf8_validation=True)
            handshake = self.ws.recv()
        except websocket.WebSocketBadStatusException as refused:
            if refused.status_code not in (429, 503):
                raise Refused("connect_failed") from None
            # A proxy (or the app) too busy to open it now: wait as told, like a browser's Socket.IO reconnecting.
            hint = (refused.resp_headers or {}).get("retry-after", "")
            raise Refused("connect_busy", float(hint) if hint.isdigit() else 2.0) from None
        except (OSError, websocket.WebSocketException):
            raise Refused("connect_failed") from None
        if not handshake.startswith(wire.ENGINE_OPEN):
            raise Refused("connect_failed")
        self.ws.settimeout(None)  # the reader blocks; waits are bounded by the AsyncResults instead
        self.reader = gevent.spawn(self._read)
        self._send(wire.connect(NAMESPACE))
        outcome = self._wait(self.joined, self.plan.connect_timeout_s)
        if isinstance(outcome, tuple):
            raise Refused(*outcome)
        if outcome is not True:
            raise Refused(outcome)

    def call(self, event: str, payload: dict) -> dict:
        """Emit ``event`` and return its acknowledgement's payload (the ``{ok, ...}`` envelope)."""
        self.next_ack_id += 1
        ack_id = self.next_ack_id
        result = self.pending[ack_id] = AsyncResult()
        try:
            self._send(wire.emit(NAMESPACE, event, payload, ack_id))
            reply = self._wait(result, self.plan.ack_timeout_s)
        finally:
            self.pending.pop(ack_id, None)
        if isinstance(reply, str):
            raise Refused(reply)
        return reply

    def close(self) -> None:
        if self.ws is not None and not self.closed:
            try:
                self._send(wire.disconnect(NAMESPACE))
                self.ws.close(timeout=1)
            except (OSError, websocket.WebSocketException, Refused):
                pass
        self.closed = True
        if self.reader is not None:
            self.reader.kill(block=False)

    def _wait(self, result: AsyncResult, timeout: float):
        remaining = min(timeout, self.plan.deadline - time.time())
        if remaining <= 0:
            raise Refused("duration_cap")
        try:
            return result.get(timeout=remaining)
        except gevent.Timeout:
            raise Refused("timeout" if time.time() < self.plan.deadline else "duration_cap") from None

    def _send(self, text: str) -> None:
        if self.closed:
            raise Refused("disconnected")
        try:
            self.ws.send(text)
        except (OSError, websocket.WebSocketException):
            self._lost()
            raise Refused("disconnected") from None

    def _read(self) -> None:
        try:
            while not self.closed:
                frame = self.ws.recv()
                if not frame:
                    break
                kind, message = frame[0], frame[1:]
                if kind == wire.ENGINE_PING:
                    self.ws.send(wire.ENGINE_PONG)
                elif kind == wire.ENGINE_MESSAGE:
                    self.dispatch(wire.decode(message))
                elif kind == wire.ENGINE_CLOSE:
                    break
        except (OSError, websocket.WebSocketException, ValueError):
            pass
        self._lost()

    def dispatch(self, packet: wire.Packet) -> None:
        """Hands one packet from the server to whoever waits for it."""
        if packet.namespace != NAMESPACE:
            return
        if packet.type == wire.ACK:
            waiter = self.pending.get(packet.ack_id)
            if waiter is not None:
                waiter.set(packet.data[0] if packet.data else None)
        elif packet.type == wire.EVENT:
            self.tally.server_events[packet.data[0]] += 1
        elif packet.type == wire.CONNECT:
            self.joined.set(True)
        elif packet.type == wire.CONNECT_ERROR:  # {message, data}: a full server's data carries retry_after
            data = packet.data.get("data") if isinstance(packet.data, dict) else None
            hint = data.get("retry_after") if isinstance(data, dict) else None
            self.joined.set(("connect_refused", hint if isinstance(hint, int | float) else None))
        elif packet.type == wire.DISCONNECT:
            self._lost()

    def _lost(self) -> None:
        """The server went away: fail every wait now instead of letting each time out."""
        self.closed = True
        if not self.joined.ready():
            self.joined.set("disconnected")
        for waiter in list(self.pending.values()):
            if not waiter.ready():
                waiter.set("disconnected")


def check(reply: dict | None) -> dict:
    """The acknowledgement's payload if it is ``ok``; otherwise Refused with its error code."""
    if not isinstance(reply, dict):
        raise Refused("bad_ack")
    if reply.get("ok") is True:
        return reply
    error = reply.get("error")
    if not isinstance(error, dict):
        raise Refused("bad_ack")
    hint = error.get("retry_after")
    raise Refused(error.get("code", "bad_ack"), hint if isinstance(hint, int | float) else None)


def sleep_until(moment: float, deadline: float) -> None:
    if moment > deadline:
        raise Refused("duration_cap")
    gevent.sleep(max(0.0, moment - time.time()))


class FinishLine:
    """Counts entrants home; opens once all of them have submitted or given up."""

    def __init__(self, entrants: int):
        self.remaining = entrants
        self.event = Event()
        if entrants <= 0:
            self.event.set()

    def arrive(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.event.set()


def take_round(plan: Plan, tally: Tally, cookie: str | None, rng: random.Random, finish: FinishLine) -> None:
    """One entrant's whole visit. Stays connected after submitting until every entrant of the worker is home (or
    the deadline), so the server's memory peak is measured with every entrant connected."""
    connection = None
    stage = "connect"
    try:
        connection = patient_connect(plan, tally, cookie, rng)
        tally.connected += 1
        stage = "attempt_start"
        attempt = _patient_call(connection, plan, tally, rng, "attempt_start", {"round_id": plan.round_id})["attempt"]
        tally.attempt_starts += 1
        tally.resumed_attempts += bool(attempt.get("answers"))
        questions = sorted(attempt["questions"], key=lambda question: question["slot"])
        tally.questions = max(tally.questions, len(questions))
        stage = "answer"
        _answer_all(connection, plan, tally, attempt["id"], questions, rng)
        stage = "attempt_submit"
        _patient_call(connection, plan, tally, rng, "attempt_submit", {"attempt_id": attempt["id"]})
        tally.submits += 1
        tally.finished += 1
        finish.arrive()
        finish.event.wait(timeout=max(0.0, plan.deadline - time.time()))
    except Refused as refusal:
        _gave_up(tally, finish, f"{stage}:{refusal.code}")
    except (KeyError, TypeError, AttributeError, IndexError):  # an acknowledgement that breaks the contract
        _gave_up(tally, finish, f"{stage}:bad_ack")
    finally:
        if connection is not None:
            connection.close()


def patient_connect(plan: Plan, tally: Tally, cookie: str | None, rng: random.Random) -> Connection:
    """An open connection, tried again as the play page does when the server refuses it as full, or nginx
    answers 503 to the websocket's opening: after the hint plus jitter, for as long as the run lasts. The latency
    counts from the first try; each retry is ``connect:retried``."""
    sent = time.time()
    while True:
        connection = Connection(plan, tally, cookie)
        try:
            connection.open()
        except Refused as refusal:
            connection.close()
            if refusal.code not in ("connect_refused", "connect_busy") or refusal.retry_after is None:
                raise
            tally.errors["connect:retried"] += 1
            sleep_until(time.time() + refusal.retry_after * (1 + rng.random()), plan.deadline)
            continue
        tally.timed("connect", sent, time.time())
        return connection


def _gave_up(tally: Tally, finish: FinishLine, code: str) -> None:
    tally.errors[code] += 1
    tally.unfinished += 1
    finish.arrive()


def _timed_call(connection: Connection, tally: Tally, event: str, payload: dict) -> dict:
    sent = time.time()
    reply = check(connection.call(event, payload))
    tally.timed(event, sent, time.time())
    return reply


def _patient_call(connection: Connection, plan: Plan, tally: Tally, rng: random.Random, event: str,
                  payload: dict) -> dict:
    """``_timed_call`` that, like the play page, waits out an overload refusal and tries again; the latency counts
    from the first try, and each retry is tallied as ``EVENT:retried``."""
    sent, retries = time.time(), 0
    while True:
        try:
            reply = check(connection.call(event, payload))
        except Refused as refusal:
            retries += 1
            if refusal.code != "unavailable" or refusal.retry_after is None or retries > RETRIES:
                raise
            tally.errors[f"{event}:retried"] += 1
            sleep_until(time.time() + refusal.retry_after * (1 + rng.random()), plan.deadline)
            continue
        tally.timed(event, sent, time.time())
        return reply


def _answer_all(connection: Connection, plan: Plan, tally: Tally, attempt_id, questions: list[dict],
                rng: random.Random) -> None:
    # A fixed cadence, not "think after the ack": a slow server must not lower the load it is offered.
    due = time.time()
    # Increasing across runs too, so a resumed attempt's stored answers never outrank this run's.
    seq = int(time.time() * 1000)
    speed = pacing.reading_speed(rng)
    for question in questions:
        due += pacing.delay(plan.pace, rng, chars=pacing.question_chars(question), think_s=plan.think_s, speed=speed)
        sleep_until(due, plan.deadline)
        seq += 1
        choice = [rng.choice(question["options"])["key"]]
        try:
            reply = _timed_call(connection, tally, "answer",
                                {"attempt_id": attempt_id, "slot": question["slot"], "choice": choice, "seq": seq})
        except Refused as refusal:
            if refusal.code in ("disconnected", "duration_cap"):
                raise
            tally.errors[f"answer:{refusal.code}"] += 1  # one refused answer does not end the attempt
            continue
        if reply.get("slot") != question["slot"] or reply.get("seq") != seq:
            tally.errors["answer:ack_mismatch"] += 1
            continue
        tally.answers_acked += 1
        if plan.record_acks:
            tally.acked_answers.append([attempt_id, question["slot"], seq])
