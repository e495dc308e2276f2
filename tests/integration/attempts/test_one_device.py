"""One active device per attempt (contest.attempts.devices, docs/contract.md "One device per attempt"): a second
device takes an attempt over, the first is told at once and its answers are refused, on the in-memory answer path,
the ordinary one and HTTP alike, and when the take-over happened in another process."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from contest.attempts.models import Answer, Attempt, AttemptDevice
from contest.extensions import socketio
from contest.realtime import fast_answer
from contest.realtime.notifier import SocketIONotifier
from tests.conftest import IsolatedSocket, _isolated
from tests.factories import PASSWORD
from tests.integration.attempts.conftest import correct_labels

PHONE_A = "deviceAAAA-phone1"
LAPTOP = "deviceBBBB-laptop"
ANDROID = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def _pushes_reach_sockets(rt):
    """The real notifier (``rt`` records instead): these tests watch what the sockets receive."""
    rt.notifier = SocketIONotifier()


@pytest.fixture(params=[True, False], ids=["fast", "flask"])
def fast_setting(request, app, monkeypatch):
    monkeypatch.setitem(app.config, fast_answer.SETTING, request.param)
    return request.param


@pytest.fixture
def device_socket(app):
    """``connect(http_client, device)``: a ``/play`` socket of that client's login, connected with ``device``."""
    made = []

    def connect(http_client, device: str | None, agent: str = ANDROID):
        auth = {"device_id": device} if device else None
        sock = _isolated(socketio.test_client)(app, namespace="/play", flask_test_client=http_client, auth=auth,
                                               headers={"User-Agent": agent})
        wrapped = IsolatedSocket(sock, "/play")
        made.append(wrapped)
        return wrapped

    yield connect
    for sock in made:
        sock.close()


def logged_in(app, lang: str | None = None):
    http = app.test_client()
    if lang:
        http.get(f"/lang/{lang}")
    assert http.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    return http


def taken_over_pushes(sock) -> list:
    return [message["args"][0] for message in sock.received() if message["name"] == "attempt_taken_over"]


def answer(sock, attempt_id: int, slot: int, choice: list, seq: int) -> dict:
    return sock.call("answer", {"attempt_id": attempt_id, "slot": slot, "choice": choice, "seq": seq})


def test_a_second_device_takes_over_the_first_is_told_and_its_answers_refused(app, world, db_session, rt,
                                                                               device_socket, fast_setting):
    phone = device_socket(logged_in(app), PHONE_A)
    attempt = phone.call("attempt_start", {"round_id": world["round"].id, "device_id": PHONE_A})["attempt"]
    labels = correct_labels(db_session, attempt["id"])
    assert answer(phone, attempt["id"], 0, labels[0], 1)["ok"]

    laptop = device_socket(logged_in(app), LAPTOP, agent="Mozilla/5.0 (Windows NT 10.0; Win64) Firefox/121.0")
    resumed = laptop.call("attempt_resume", {"attempt_id": attempt["id"], "device_id": LAPTOP})
    assert resumed["ok"] and resumed["attempt"]["answers"] == {"0": labels[0]}
    assert taken_over_pushes(phone) == [{"attempt_id": attempt["id"]}]
    assert taken_over_pushes(laptop) == []

    refused = answer(phone, attempt["id"], 1, labels[1], 2)
    assert refused["ok"] is False and refused["error"]["code"] == "attempt_taken_over"
    assert "thiết bị khác" in refused["error"]["message"]  # Vietnamese first
    assert answer(laptop, attempt["id"], 2, labels[2], 3)["ok"]

    stored = dict(db_session.execute(select(Answer.slot, Answer.seq).where(Answer.attempt_id == attempt["id"])).all())
    assert stored == {0: 1, 2: 3}  # the old device's answer after the take-over is not stored
    row = db_session.get(Attempt, attempt["id"])
    db_session.refresh(row)
    assert (row.device_id, row.device_changes) == (LAPTOP, 1)
    devices = db_session.execute(select(AttemptDevice.device_id, AttemptDevice.took_over, AttemptDevice.agent,
                                        AttemptDevice.address).where(AttemptDevice.attempt_id == attempt["id"])
                                 .order_by(AttemptDevice.id)).all()
    assert [tuple(d) for d in devices] == [(PHONE_A, False, "Android Chrome", "127.0.0.1"),
                                           (LAPTOP, True, "Windows Firefox", "127.0.0.1")]


def test_the_old_device_is_refused_in_english_too(app, world, db_session, rt, device_socket):
    phone = device_socket(logged_in(app, "en"), PHONE_A)
    attempt = phone.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    device_socket(logged_in(app), LAPTOP).call("attempt_resume", {"attempt_id": attempt["id"]})
    refused = answer(phone, attempt["id"], 0, ["A"], 1)
    assert refused["error"]["code"] == "attempt_taken_over"
    assert "another device" in refused["error"]["message"]


def test_a_take_over_in_another_process_stops_this_ones_fast_path(app, world, db_session, rt, device_socket,
                                                                   fast_setting):
    """Another process took the attempt over: the database says so and the message queue closes the old device's
    holder room here. This process's cache still names the old device; its answers are refused all the same."""
    phone = device_socket(logged_in(app), PHONE_A)
    attempt = phone.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert answer(phone, attempt["id"], 0, ["A"], 1)["ok"]
    db_session.execute(update(Attempt).where(Attempt.id == attempt["id"]).values(device_id=LAPTOP, device_changes=1))
    db_session.commit()
    SocketIONotifier().attempt_taken_over(attempt["id"], PHONE_A)  # what the queue delivers to every process
    assert rt.cache.get(attempt["id"]).device == PHONE_A  # stale here
    assert taken_over_pushes(phone) == [{"attempt_id": attempt["id"]}]
    assert answer(phone, attempt["id"], 1, ["A"], 2)["error"]["code"] == "attempt_taken_over"


def test_a_reconnect_does_not_take_the_attempt_back_but_opening_it_again_does(app, world, db_session, rt,
                                                                              device_socket):
    phone_http = logged_in(app)
    phone = device_socket(phone_http, PHONE_A)
    attempt = phone.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    laptop = device_socket(logged_in(app), LAPTOP)
    assert laptop.call("attempt_resume", {"attempt_id": attempt["id"]})["ok"]

    again = device_socket(phone_http, PHONE_A)  # the phone's page reconnects and catches up
    caught_up = again.call("attempt_resume", {"attempt_id": attempt["id"], "takeover": False})
    assert caught_up["error"]["code"] == "attempt_taken_over"
    assert answer(again, attempt["id"], 0, ["A"], 1)["error"]["code"] == "attempt_taken_over"

    assert again.call("attempt_resume", {"attempt_id": attempt["id"]})["ok"]  # the entrant opens it here again
    assert taken_over_pushes(laptop) == [{"attempt_id": attempt["id"]}]
    assert answer(again, attempt["id"], 0, ["A"], 1)["ok"]
    assert answer(laptop, attempt["id"], 1, ["A"], 2)["error"]["code"] == "attempt_taken_over"
    row = db_session.get(Attempt, attempt["id"])
    db_session.refresh(row)
    assert row.device_changes == 2


def test_two_tabs_of_one_browser_are_one_device(app, world, db_session, rt, device_socket, fast_setting):
    http = logged_in(app)
    first, second = device_socket(http, PHONE_A), device_socket(http, PHONE_A)
    attempt = first.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert second.call("attempt_resume", {"attempt_id": attempt["id"]})["ok"]
    assert taken_over_pushes(first) == []
    assert answer(first, attempt["id"], 0, ["A"], 1)["ok"] and answer(second, attempt["id"], 1, ["A"], 2)["ok"]
    assert db_session.get(Attempt, attempt["id"]).device_changes == 0


def test_a_client_without_a_device_id_is_one_device_per_login(app, world, db_session, rt, device_socket):
    http = logged_in(app)
    first, second = device_socket(http, None), device_socket(http, "bad id!")  # malformed: as if none
    attempt = first.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert second.call("attempt_resume", {"attempt_id": attempt["id"]})["ok"]
    assert answer(first, attempt["id"], 0, ["A"], 1)["ok"]
    other_login = device_socket(logged_in(app), None)
    assert other_login.call("attempt_resume", {"attempt_id": attempt["id"]})["ok"]
    assert answer(first, attempt["id"], 1, ["A"], 2)["error"]["code"] == "attempt_taken_over"
    assert db_session.get(Attempt, attempt["id"]).device_id.startswith("login:")


def test_over_http_the_device_header_decides(app, world, db_session, rt):
    phone, laptop = logged_in(app), logged_in(app)
    started = phone.post(f"/api/rounds/{world['round'].id}/attempts", json={},
                         headers={"X-Olympiad-Device": PHONE_A, "X-Forwarded-For": "203.0.113.9"}).json
    attempt_id = started["attempt"]["id"]
    put = f"/api/attempts/{attempt_id}/answers/0"
    assert phone.put(put, json={"choice": ["A"], "seq": 1}, headers={"X-Olympiad-Device": PHONE_A}).json["ok"]
    assert laptop.get(f"/api/attempts/{attempt_id}?takeover=0", headers={"X-Olympiad-Device": LAPTOP}
                      ).status_code == 409
    assert laptop.get(f"/api/attempts/{attempt_id}", headers={"X-Olympiad-Device": LAPTOP}).json["ok"]
    refused = phone.put(put, json={"choice": ["B"], "seq": 2}, headers={"X-Olympiad-Device": PHONE_A})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "attempt_taken_over"
    assert laptop.put(put, json={"choice": ["C"], "seq": 3}, headers={"X-Olympiad-Device": LAPTOP}).json["ok"]
    addresses = db_session.scalars(select(AttemptDevice.address).where(AttemptDevice.attempt_id == attempt_id))
    assert set(addresses) == {"127.0.0.1"}  # PROXIES is 0 here: a forged X-Forwarded-For is not believed


def test_a_client_naming_no_device_reads_a_pages_attempt_but_cannot_take_or_answer_it(app, world, db_session, rt,
                                                                                    device_socket):
    http = logged_in(app)
    phone = device_socket(http, PHONE_A)
    attempt = phone.call("attempt_start", {"round_id": world["round"].id})["attempt"]
    assert http.get(f"/api/attempts/{attempt['id']}").json["ok"]  # the same login's script, no device header
    assert taken_over_pushes(phone) == []
    assert answer(phone, attempt["id"], 0, ["A"], 1)["ok"]
    refused = http.put(f"/api/attempts/{attempt['id']}/answers/1", json={"choice": ["A"], "seq": 2})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "attempt_taken_over"
