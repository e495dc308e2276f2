"""The harness's entrant waits in line like the play page: a connect refused as full (``connect_error`` data with
``retry_after``) is tried again after the hint; any other refusal ends the visit."""

from __future__ import annotations

import random
import time

import pytest
import websocket

from bench import entrant, wire
from bench.entrant import Plan, Refused
from bench.stats import Tally


def scripted(outcomes: list):
    """A Connection whose open() plays ``outcomes`` in turn: a Refused to raise, or None to connect."""

    class Scripted:
        opened = 0

        def __init__(self, plan, tally, cookie):
            pass

        def open(self):
            outcome = outcomes[Scripted.opened]
            Scripted.opened += 1
            if outcome is not None:
                raise outcome

        def close(self):
            pass

    return Scripted


def plan(seconds: float = 5.0) -> Plan:
    return Plan(url="http://127.0.0.1:1", round_id=1, think_s=1.0, deadline=time.time() + seconds)


def test_a_full_server_is_waited_out_then_joined(monkeypatch):
    fake = scripted([Refused("connect_refused", 0.01), Refused("connect_refused", 0.01), None])
    monkeypatch.setattr(entrant, "Connection", fake)
    tally = Tally()
    entrant.patient_connect(plan(), tally, None, random.Random(1))
    assert fake.opened == 3 and tally.errors["connect:retried"] == 2


@pytest.mark.parametrize("refusal", [Refused("connect_refused"), Refused("connect_failed"), Refused("timeout")])
def test_a_refusal_without_a_hint_ends_the_visit(monkeypatch, refusal):
    fake = scripted([refusal, None])
    monkeypatch.setattr(entrant, "Connection", fake)
    with pytest.raises(Refused) as raised:
        entrant.patient_connect(plan(), Tally(), None, random.Random(1))
    assert raised.value is refusal and fake.opened == 1


def test_the_hint_is_read_from_the_connect_errors_data():
    connection = entrant.Connection(plan(), Tally(), None)
    connection.dispatch(wire.decode('4/play,{"message":"unavailable","data":{"code":"unavailable","retry_after":3}}'))
    assert connection.joined.get() == ("connect_refused", 3)
    other = entrant.Connection(plan(), Tally(), None)
    other.dispatch(wire.decode('4/play,{"message":"Connection refused by server"}'))
    assert other.joined.get() == ("connect_refused", None)


@pytest.mark.parametrize(("status", "headers", "expected"), [
    (503, {"retry-after": "3"}, ("connect_busy", 3.0)),  # nginx's limit on websocket opens
    (429, {}, ("connect_busy", 2.0)),
    (502, {}, ("connect_failed", None)),
])
def test_a_busy_answer_to_the_websocket_opening_is_a_hint(monkeypatch, status, headers, expected):
    def busy(*args, **kwargs):
        raise websocket.WebSocketBadStatusException("busy", status, resp_headers=headers)

    monkeypatch.setattr(websocket, "create_connection", busy)
    with pytest.raises(Refused) as raised:
        entrant.Connection(plan(), Tally(), None).open()
    assert (raised.value.code, raised.value.retry_after) == expected


def test_a_busy_proxy_is_waited_out_too(monkeypatch):
    fake = scripted([Refused("connect_busy", 0.01), None])
    monkeypatch.setattr(entrant, "Connection", fake)
    tally = Tally()
    entrant.patient_connect(plan(), tally, None, random.Random(1))
    assert fake.opened == 2 and tally.errors["connect:retried"] == 1
