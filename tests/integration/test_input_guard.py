"""Malformed requests answer 400/404/413 with a message, never 500 (contest.input_guard), on SQLite and on
PostgreSQL, which refuses a NUL in any text value."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select, text

from contest.accounts.models import Role, User
from question_bank import pages as bank_views
from tests.factories import PASSWORD, make_tree, make_user


def log_in(client, session, **kwargs) -> User:
    user = make_user(session, **kwargs)
    login = user.email or user.phone
    assert client.post("/api/session", json={"login": login, "password": PASSWORD}).status_code == 200
    return user


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/rounds/99999999999999999999/attempts"),
                                              ("GET", "/api/attempts/9223372036854775808"),
                                              ("GET", "/rounds/99999999999999999999999999")])
def test_ids_beyond_64_bits_are_not_found(client, db_session, method, path):
    log_in(client, db_session, unit=make_tree(db_session)["s1"])
    response = client.open(path, method=method, json={} if method == "POST" else None)
    assert response.status_code == 404


def test_nul_in_query_form_and_json_is_refused_with_a_message(client, db_session):
    make_tree(db_session)
    for response in (client.get("/units/leaves?q=a%00b"), client.get("/lang/v%00i"),
                     client.get("/api/units/leaves?q=%00"),
                     client.post("/api/session", json={"login": "0912\x00345678", "password": "x"}),
                     client.post("/api/session", json={"login\x00": "a", "password": "x"}),
                     client.post("/login", data={"login": "0912345678", "password": "a\x00"})):
        assert response.status_code == 400
        assert "NUL" in response.get_data(as_text=True)
    lone_surrogate = client.post("/api/session", data='{"login": "\\ud800", "password": "x"}',
                                 content_type="application/json")
    assert lone_surrogate.status_code == 400


def test_nul_in_registration_is_refused_before_it_reaches_the_database(client, db_session):
    school = make_tree(db_session)["s1"]
    data = {"full_name": "An\x00", "birth_date": "2007-05-01", "phone": "0912345678", "unit_id": str(school.id),
            "password": "mat-khau-1", "confirm": "mat-khau-1", "email": "a\x00@b.vn"}
    response = client.post("/register", data=data)
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert db_session.scalar(select(User.id)) is None


def test_deeply_nested_json_is_a_400(client, db_session):
    for body in ("[" * 5000 + "]" * 5000, '{"a":' * 40 + "1" + "}" * 40):
        response = client.post("/api/session", data=body, content_type="application/json")
        assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    # Brackets inside strings are not nesting.
    flat = client.post("/api/session", json={"login": "[" * 100, "password": "{" * 100})
    assert flat.status_code == 401


def test_json_bodies_are_capped_at_64_kb_with_a_json_413(client, db_session):
    response = client.post("/api/session", json={"login": "x" * 70_000, "password": "p"})
    assert response.status_code == 413
    assert response.json["error"] == {"code": "payload_too_large",
                                      "message": "Yêu cầu quá lớn: tối đa 64 KB ở đây."}
    assert client.post("/api/session", json={"login": "x" * 60_000, "password": "p"}).status_code == 401


def test_forms_are_capped_with_a_page_and_the_bank_upload_has_its_own_cap(client, db_session, app, monkeypatch):
    response = client.post("/login", data={"login": "x" * 1_100_000, "password": "p"})
    assert response.status_code == 413 and "Yêu cầu quá lớn: tối đa 1024 KB" in response.get_data(as_text=True)
    log_in(client, db_session, role=Role.ADMIN, email="admin@example.org")
    monkeypatch.setattr(bank_views, "launch", lambda _app, _job_id: None)  # the check would run in the background
    body, content_type = multipart("big.csv", b"text,a,b,correct\n" + b"x" * 2_000_000)
    page = client.post("/organiser/bank/import", data=body, content_type=content_type)
    assert page.status_code == 302  # past the form cap: the import's own job, which checks the file
    monkeypatch.setitem(app.config, "BANK_UPLOAD_MAX_BYTES", 1_000_000)
    page = client.post("/organiser/bank/import", data=body, content_type=content_type)
    assert page.status_code == 413 and "976 KB" in page.get_data(as_text=True)


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    """A one-file form body, built here: the test client would spool a large one to a file it never closes."""
    boundary = "olympiad-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_json_endpoint_that_reads_no_body_still_refuses_a_huge_one(client, db_session):
    log_in(client, db_session, unit=make_tree(db_session)["s1"])
    response = client.post("/api/rounds/1/attempts", data=b"x" * 100_000, content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("target", ["/account%0d%0aSet-Cookie:%20a=b", "/account%0a", "/%5Cevil.example",
                                    "/\\evil.example"])
def test_a_next_with_a_line_break_or_backslash_stays_on_site(client, db_session, target):
    make_user(db_session, unit=make_tree(db_session)["s1"], phone="0912345678")
    response = client.post(f"/login?next={target}", data={"login": "0912345678", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"


@pytest.mark.postgres
def test_on_postgresql_a_nul_would_fail_in_the_driver_and_is_a_400_instead(client, db_session):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "the PostgreSQL stage sets DATABASE_URL"
    with pytest.raises(ValueError, match="NUL"):
        db_session.execute(text("SELECT :v"), {"v": "a\x00b"})
    assert client.get("/api/units/leaves?q=%00").status_code == 400
    assert client.post("/api/session", json={"login": "a\x00@b.vn", "password": "x"}).status_code == 400
    school = make_tree(db_session)["s1"]
    response = client.post("/register", data={"full_name": "An", "birth_date": "2007-05-01",
                                              "phone": "0912345678", "unit_id": str(school.id),
                                              "citizen_id": "\x00", "password": "mat-khau-1",
                                              "confirm": "mat-khau-1"})
    assert response.status_code == 400


@pytest.mark.postgres
def test_on_postgresql_an_out_of_range_value_in_a_field_is_a_400(client, db_session):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "the PostgreSQL stage sets DATABASE_URL"
    make_tree(db_session)
    response = client.post("/register", data={"full_name": "An", "birth_date": "2007-05-01",
                                              "phone": "0912345678", "unit_id": "9" * 30,
                                              "password": "mat-khau-1", "confirm": "mat-khau-1"})
    assert response.status_code in (200, 400)


def test_pages_take_forms_not_json(client, db_session):
    response = client.post("/login", json={"login": 1e300, "password": [1]})
    assert response.status_code == 415 and "không nhận JSON" in response.get_data(as_text=True)
    # neither JSON nor a CSRF token: refused as a cross-site post would be
    assert client.post("/api/session", data="login=a", content_type="text/plain").status_code == 403
