from __future__ import annotations

from contest.accounts.models import Role
from tests.factories import PASSWORD, make_tree, make_user


def test_login_by_phone_sets_session_and_logout_clears_it(client, db_session):
    unit = make_tree(db_session)["s1"]
    user = make_user(db_session, unit=unit, phone="0912345678")

    response = client.post("/api/session", json={"login": "+84 912 345 678", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json == {"ok": True, "user": {"id": user.id, "full_name": user.full_name,
                                                  "role": "entrant", "unit_id": unit.id}}
    assert client.get("/api/session").json["user"]["id"] == user.id

    assert client.delete("/api/session", json={}).json == {"ok": True}
    assert client.get("/api/session").status_code == 401


def test_wrong_password_is_refused_in_vietnamese_by_default(client, db_session):
    make_user(db_session, role=Role.ORGANISER, email="bt@example.org")
    response = client.post("/api/session", json={"login": "BT@example.org", "password": "nope-nope"})
    assert response.status_code == 401
    assert response.json["ok"] is False
    assert response.json["error"]["code"] == "not_authenticated"


def test_session_api_accepts_only_json_objects(client, db_session):
    form = client.post("/api/session", data={"login": "a", "password": "b"})  # refused before the view
    assert form.status_code == 403
    assert form.json["error"]["code"] == "forbidden" and "application/json" in form.json["error"]["message"]
    listed = client.post("/api/session", json=["a", "b"])
    assert listed.status_code == 400 and listed.json["error"]["code"] == "bad_request"
    typed = client.post("/api/session", json={"login": 5, "password": None})
    assert typed.status_code == 400 and typed.json["error"]["code"] == "bad_request"


def test_play_namespace_answers_time_sync_and_refuses_nothing_silently(socket_client, client, db_session):
    sock = socket_client()
    reply = sock.call("time_sync", {})
    assert reply["ok"] is True and isinstance(reply["server_now"], int)
    assert sock.call("time_sync", "not a dict")["error"]["code"] == "bad_request"
    assert sock.connected()
