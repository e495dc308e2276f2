"""Olympiad served for real: ``python wsgi.py`` in a subprocess on a free loopback port, as in production.

``running_server()`` migrates and seeds a database first (a temp SQLite file, or a fresh PostgreSQL database
when ``DATABASE_URL`` is set), waits for ``/healthz`` and stops the process on exit. ``play_client()`` is a
real Socket.IO client (websocket transport) on ``/play`` that carries a ``requests`` session's cookie.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
import socketio

from tests.conftest import _drop_database, _test_database_url

ROOT = Path(__file__).resolve().parents[2]
DEMO_PHONE = "0900000001"
DEMO_PASSWORD = "demo-pass"
START_TIMEOUT_S = 60  # a loaded CI machine starts a niced process slowly


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen
    log: Path
    env: dict[str, str]

    def login(self, login: str = DEMO_PHONE, password: str = DEMO_PASSWORD) -> requests.Session:
        """A ``requests`` session logged in through ``POST /api/session``."""
        http = requests.Session()
        response = http.post(f"{self.url}/api/session", json={"login": login, "password": password}, timeout=10)
        assert response.status_code == 200, f"{response.text}\n{self.log_tail()}"
        return http

    def log_tail(self, lines: int = 40) -> str:
        return "server log:\n" + "\n".join(self.log.read_text().splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of an app process (server or `flask` command): the test's own, less Redis unless
    asked for, plus ``settings``."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "FLASK_APP")}
    env.update({"DATABASE_URL": database_url, "OLYMPIAD_SECRET_KEY": "server-test-secret", "PYTHONUNBUFFERED": "1"})
    env.update(settings)
    return env


def flask_cli(env: dict[str, str], *args: str) -> None:
    """Run ``flask --app contest ARGS`` with this interpreter; fail the test with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "contest", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"


@contextlib.contextmanager
def running_server(tmp_path_factory, *, async_mode: str = "gevent", entrants: int = 5,
                   **settings: str) -> Iterator[Server]:
    """Serve a migrated, demo-seeded database with ``wsgi.py`` under ``async_mode``; ``settings`` are extra
    environment variables (``OLYMPIAD_MAX_CONNECTIONS="30"``, ``REDIS_URL=...``)."""
    database_url = _test_database_url(tmp_path_factory)
    port = free_port()
    env = app_env(database_url, OLYMPIAD_ASYNC_MODE=async_mode, OLYMPIAD_HOST="127.0.0.1",
                     OLYMPIAD_PORT=str(port), **settings)
    log = tmp_path_factory.mktemp("server") / f"{async_mode}-{port}.log"
    process = None
    try:
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo", "seed", "--entrants", str(entrants))
        server = _start(env, log)
        process = server.process
        _wait_until_healthy(server, async_mode)
        yield server
    finally:
        if process is not None:
            _stop(process)
        _drop_database(database_url)


@contextlib.contextmanager
def another_process(server: Server, *argv_prefix: str) -> Iterator[Server]:
    """A second ``wsgi.py`` on ``server``'s database and settings, on its own port (``argv_prefix``: e.g.
    ``nice -n 10``), as in a deployment of several processes."""
    port = free_port()
    env = {**server.env, "OLYMPIAD_PORT": str(port)}
    other = _start(env, server.log.with_name(f"other-{port}.log"), argv_prefix)
    try:
        _wait_until_healthy(other, env["OLYMPIAD_ASYNC_MODE"])
        yield other
    finally:
        _stop(other.process)


def _start(env: dict[str, str], log: Path, argv_prefix: tuple[str, ...] = ()) -> Server:
    with log.open("w") as out:
        process = subprocess.Popen([*argv_prefix, sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    return Server(f"http://127.0.0.1:{env['OLYMPIAD_PORT']}", env["DATABASE_URL"], process, log, env)


def _wait_until_healthy(server: Server, async_mode: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            health = requests.get(f"{server.url}/healthz", timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
            continue
        assert health.json()["async_mode"] == async_mode
        return
    raise AssertionError(f"the server did not answer /healthz in {START_TIMEOUT_S} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def play_client(server: Server, http: requests.Session | None = None) -> Iterator[socketio.Client]:
    """A Socket.IO client connected to ``/play`` over a websocket, with ``http``'s session cookie if given."""
    client = socketio.Client(http_session=http or requests.Session(), reconnection=False)
    client.connect(server.url, namespaces=["/play"], transports=["websocket"], wait_timeout=10)
    try:
        yield client
    finally:
        client.disconnect()


def time_sync(client: socketio.Client, timeout: float = 5) -> dict:
    return client.call("time_sync", {}, namespace="/play", timeout=timeout)
