"""An ended login stops playing: its sockets are refused and disconnected, and no cross-site form starts an
attempt for it."""

from __future__ import annotations

import time

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from contest.accounts.logins import revoke_logins
from contest.accounts.models import Role
from contest.attempts.models import Attempt
from contest.db import utcnow
from tests.factories import PASSWORD, make_user
from tests.integration.rounds.conftest import log_in


class SilentNotifier:
    """What a revocation from another process looks like when no message queue carries it."""

    def logins_ended(self, login_ids: list[int]) -> None:
        pass


def attempts(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Attempt))


def disconnected(sock) -> bool:
    """Whether the server hangs up ``sock`` soon (it does so just after sending its refusal)."""
    deadline = time.monotonic() + 5
    while sock.connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    return not sock.connected()


def refused_as_ended(reply) -> None:
    assert reply["ok"] is False and reply["error"]["code"] == "not_authenticated", reply
    assert reply["error"]["message"] == "Phiên đăng nhập đã kết thúc. Vui lòng đăng nhập lại."


def test_a_socket_of_a_logged_out_session_is_told_refused_and_disconnected(alice_socket, client, world,
                                                                           socket_client, db_session):
    other_tab = socket_client()
    assert alice_socket.call("time_sync", {})["ok"] and other_tab.call("time_sync", {})["ok"]
    assert client.delete("/api/session", json={}).json["ok"]

    assert {"name": "session_ended", "args": [{}], "namespace": "/play"} in alice_socket.received()
    refused_as_ended(alice_socket.call("attempt_start", {"round_id": world["round"].id}))
    assert disconnected(alice_socket)
    refused_as_ended(other_tab.call("time_sync", {}))
    assert attempts(db_session) == 0


def test_a_login_ended_where_no_message_reaches_is_caught_by_the_database_check(
        app, alice_socket, world, db_session, monkeypatch):
    started = alice_socket.call("attempt_start", {"round_id": world["round"].id})
    assert started["ok"], started
    revoke_logins(db_session, world["alice"].id, now=utcnow(), notifier=SilentNotifier(), actor_id=None)
    slot = started["attempt"]["questions"][0]["slot"]
    answer = {"attempt_id": started["attempt"]["id"], "slot": slot, "choice": ["A"], "seq": 1}
    assert alice_socket.call("answer", answer)["ok"]  # the database is looked at once a minute per connection
    monkeypatch.setitem(app.config, "LOGIN_RECHECK_S", 0)
    refused_as_ended(alice_socket.call("answer", {**answer, "seq": 2}))
    assert disconnected(alice_socket)


def test_a_new_socket_with_the_old_cookies_is_anonymous(alice_socket, client, world, socket_client):
    assert client.delete("/api/session", json={}).json["ok"]
    fresh = socket_client()
    assert fresh.call("attempt_start", {"round_id": world["round"].id})["error"]["code"] == "not_authenticated"


def test_a_cross_site_form_cannot_start_an_attempt(app, client, world, db_session):
    assert client.post("/api/session", json={"login": "0911111111", "password": PASSWORD}).json["ok"]
    url = f"/api/rounds/{world['round'].id}/attempts"
    for form in ({"data": {"x": "1"}}, {"data": b"", "content_type": "text/plain"}, {}):
        refused = client.post(url, headers={"Origin": "https://evil.example"}, **form)
        assert refused.status_code == 403, form
        assert refused.json["error"]["code"] == "forbidden" and "JSON" in refused.json["error"]["message"]
    bad_token = client.post(url, data={"x": "1"}, headers={"X-CSRFToken": "forged"})
    assert bad_token.status_code == 403
    assert attempts(db_session) == 0

    # The page's own CSRF token in a header is accepted, and so is the JSON the attempt page sends.
    with client.session_transaction() as session:
        session["csrf_token"] = "the-session-secret"
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("the-session-secret")
    first = client.post(url, headers={"X-CSRFToken": token}).json
    assert first["ok"] and client.post(url, json={}).json["attempt"]["id"] == first["attempt"]["id"]  # resumed
    assert attempts(db_session) == 1


def test_an_admin_ending_logins_on_the_staff_page_disconnects_the_sockets(app, alice_socket, world, db_session):
    assert alice_socket.call("time_sync", {})["ok"]
    admin = make_user(db_session, role=Role.ADMIN, email="admin@example.org", commit=True)
    staff_page = app.test_client()
    log_in(staff_page, admin)
    assert staff_page.post(f"/organiser/staff/{world['alice'].id}/end-logins").status_code == 302

    assert {"name": "session_ended", "args": [{}], "namespace": "/play"} in alice_socket.received()
    refused_as_ended(alice_socket.call("attempt_start", {"round_id": world["round"].id}))
    assert disconnected(alice_socket)
    assert attempts(db_session) == 0
