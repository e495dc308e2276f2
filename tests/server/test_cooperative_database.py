"""A query stuck in the database must not stall the event loop: psycopg2 is made cooperative (psycogreen)."""

from __future__ import annotations

import os
import threading
import time

import psycopg2
import pytest
import requests
from sqlalchemy.engine import make_url

from tests.server.running import DEMO_PASSWORD, play_client, running_server, time_sync

pytestmark = [pytest.mark.server, pytest.mark.postgres]

PROMPT_S = 0.3


def _psycopg2_dsn(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _wait_for_lock_waiter(cursor, timeout_s: float = 10) -> None:
    """Until another backend of this database waits on a lock: the server's login query is stuck."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        if cursor.fetchone()[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the login never reached the locked table")


def _log_in(url: str, outcome: dict) -> None:
    try:
        outcome["response"] = requests.post(f"{url}/api/session", json={"login": "0900000002",
                                                                        "password": DEMO_PASSWORD}, timeout=30)
    except requests.RequestException as error:
        outcome["response"] = error


def test_acks_stay_prompt_while_a_login_waits_on_a_locked_table(tmp_path_factory):
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "needs PostgreSQL: set DATABASE_URL"
    with running_server(tmp_path_factory, async_mode="gevent") as server:
        with play_client(server, server.login()) as client:
            time_sync(client)
            locker = psycopg2.connect(_psycopg2_dsn(server.database_url))
            try:
                cursor = locker.cursor()
                cursor.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
                login: dict[str, object] = {}
                blocked = threading.Thread(target=_log_in, args=(server.url, login))
                blocked.start()
                _wait_for_lock_waiter(cursor)

                timings = []
                for _ in range(10):
                    started = time.perf_counter()
                    assert time_sync(client, timeout=5)["ok"] is True
                    timings.append(time.perf_counter() - started)
                assert blocked.is_alive(), "the login finished while the table was locked"
            finally:
                locker.rollback()
                locker.close()
            blocked.join(timeout=30)
        assert max(timings) < PROMPT_S, f"time_sync acks took {[round(t * 1000) for t in timings]} ms"
        response = login["response"]
        assert isinstance(response, requests.Response), response
        assert response.status_code == 200, response.text
        assert response.json()["user"]["role"] == "entrant"
