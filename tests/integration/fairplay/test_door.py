"""The proof of work at the doors (contest.fairplay.door) through the app: off by default; when on, the JSON
session API and the login and registration forms need a solved, unspent challenge, the difficulty rises under a
registration burst, and the load harness's logins solve it themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bench.sessions import door_work
from contest.db import utcnow
from contest.fairplay.door import solve, solved
from tests.factories import PASSWORD, make_tree, make_user

PHONE = "0933333333"
BITS = 8  # the door's difficulty in these tests


@pytest.fixture
def entrant(db_session):
    tree = make_tree(db_session)
    return make_user(db_session, unit=tree["s1"], phone=PHONE, commit=True)


@pytest.fixture
def door_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "FAIRPLAY_POW_BITS", BITS)


def solved_challenge(client, purpose: str = "login") -> dict:
    pow_ = client.get(f"/api/pow?purpose={purpose}").json["pow"]
    return {"pow_challenge": pow_["challenge"], "pow_solution": solve(pow_["challenge"], pow_["bits"])}


def test_off_by_default_no_challenge_and_no_work(client, entrant):
    assert client.get("/api/pow").json == {"ok": True, "pow": None}
    assert client.post("/api/session", json={"login": PHONE, "password": PASSWORD}).json["ok"]
    assert 'name="pow_challenge"' not in client.get("/login").get_data(as_text=True)


def test_the_session_api_needs_a_solved_unspent_challenge(app, client, entrant, door_on):
    refused = client.post("/api/session", json={"login": PHONE, "password": PASSWORD})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "pow_required"
    work = solved_challenge(client)
    assert client.post("/api/session", json={"login": PHONE, "password": PASSWORD, **work}).json["ok"]
    client.delete("/api/session")
    again = client.post("/api/session", json={"login": PHONE, "password": PASSWORD, **work})
    assert again.status_code == 403 and again.json["error"]["code"] == "pow_required"  # spent
    fresh = solved_challenge(client)  # a solution that does not solve it ("x" would, once in 2**bits)
    wrong = {**fresh, "pow_solution": next(str(n) for n in range(10_000)
                                           if not solved(fresh["pow_challenge"], str(n), BITS))}
    assert client.post("/api/session", json={"login": PHONE, "password": PASSWORD, **wrong}).status_code == 403


def test_the_login_form_carries_the_challenge_and_checks_it(client, entrant, door_on):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="pow_challenge"' in page and "js/door.js" in page
    assert client.post("/login", data={"login": PHONE, "password": PASSWORD}).status_code == 200  # refused
    work = solved_challenge(client)
    assert client.post("/login", data={"login": PHONE, "password": PASSWORD, **work}).status_code == 302


def test_a_registration_burst_from_an_address_raises_the_difficulty(client, db_session, door_on):
    assert client.get("/api/pow?purpose=register").json["pow"]["bits"] == 8
    now = utcnow()
    for n in range(10):
        user = make_user(db_session, phone=f"09444444{n:02d}")
        user.registered_address, user.created_at = "127.0.0.1", now - timedelta(minutes=2)
    db_session.commit()
    assert client.get("/api/pow?purpose=register").json["pow"]["bits"] == 12
    assert client.get("/api/pow?purpose=elsewhere").status_code == 400


def test_the_harness_login_solves_the_work_in_python(client, entrant, door_on):
    class Through:  # bench.sessions talks to a URL; here, the test client
        def get(self, url, params=None, timeout=None):
            body = client.get(url, query_string=params).get_json()
            return type("Reply", (), {"json": lambda _self: body})()  # as requests answers

    work = door_work(Through(), "", 5)
    assert client.post("/api/session", json={"login": PHONE, "password": PASSWORD, **work}).json["ok"]
