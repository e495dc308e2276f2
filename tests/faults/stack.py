"""A private deployment for the fault tests: its own PostgreSQL cluster, Redis and nginx on free ports in a temp
dir, and ``python wsgi.py`` processes behind nginx as deploy/cluster.py starts them. Never the shared servers:
these tests stop, kill and freeze what they run.

Each piece can be broken and mended (``kill``, ``stop``/``start``, ``freeze``/``thaw``); ``ensure_up`` mends
whatever an earlier test left broken, so one failure does not cascade into the next test.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench.servers import free_port, rss_kib, wait_for_port
from deploy.cluster import engine_options, main_config, render_site
from tests.server.running import ROOT, flask_cli

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 60
SECRET = "fault-tests-secret"


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


def as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the ``postgres`` user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PrivatePostgres:
    """A throw-away cluster: initdb in a temp dir of its own (pytest's are private to root, and the server runs as
    ``postgres``), served on 127.0.0.1:``port`` with trust authentication."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="olympiad-faults-pg-"))
        self.port, self.bin = free_port(), postgres_bin()
        self.data, self.log = self.root / "data", self.root / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/olympiad"

    def create(self) -> None:
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                                    "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self.start()
        subprocess.run(as_postgres([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                                    "postgres", "olympiad"]), check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} " \
                  "-c max_connections=150"
        subprocess.run(as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o",
                                    options, "-w", "-t", "60", "start"]), check=True, capture_output=True,
                       timeout=90)

    def stop(self) -> None:
        subprocess.run(as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60",
                                    "stop"]), capture_output=True, timeout=90)

    def running(self) -> bool:
        return subprocess.run(as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), "status"]),
                              capture_output=True).returncode == 0

    def remove(self) -> None:
        if self.data.exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """``redis-server`` on a free port, nothing saved to disk."""

    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "redis.log").open("a") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(self.root)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for_port(self.port, self.process, timeout_s=30)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def close(self) -> None:
        if self.running():
            self.thaw()
            self.kill()


@dataclass
class App:
    """One ``python wsgi.py`` process."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_healthy(self, timeout_s: float = START_TIMEOUT_S) -> float:
        """Seconds until ``/healthz`` answered 200."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            if self.process.poll() is not None:
                raise AssertionError(f"app on {self.port} exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"app on {self.port} not healthy in {timeout_s:.0f} s:\n{self.tail()}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rss_kib(self) -> int | None:
        return rss_kib(self.process.pid)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Nginx:
    """nginx in front of ``ports``, configured from deploy/nginx.conf as deploy/cluster.py renders it."""

    def __init__(self, root: Path, ports: list[int]):
        self.root, self.ports, self.listen = root, ports, free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listen}"

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        site = self.root / "olympiad.conf"
        # No board process here: the watchers' upstream is the answering processes too.
        site.write_text(render_site((ROOT / "deploy" / "nginx.conf").read_text(), f"127.0.0.1:{self.listen}",
                                    self.ports, self.ports))
        (self.root / "nginx.conf").write_text(main_config(self.root, site, worker_connections=4096))
        subprocess.run([NGINX, "-c", str(self.root / "nginx.conf"), "-p", str(self.root)], check=True,
                       capture_output=True, timeout=30)
        wait_for_port(self.listen, None, timeout_s=30)
        self.pid = int((self.root / "nginx.pid").read_text().strip())  # the one to stop, whatever the file says later

    def stop(self) -> None:
        if getattr(self, "pid", None):
            try:
                os.kill(self.pid, signal.SIGQUIT)
            except ProcessLookupError:
                pass


@dataclass
class Stack:
    """Two answering processes behind nginx, on a private PostgreSQL and Redis."""

    root: Path
    entrants: int
    postgres: PrivatePostgres = field(init=False)
    redis: PrivateRedis = field(init=False)
    apps: list[App] = field(default_factory=list)
    nginx: Nginx | None = None

    def __post_init__(self):
        self.postgres = PrivatePostgres()
        self.redis = PrivateRedis(self.root / "redis")

    @property
    def database_url(self) -> str:
        return self.postgres.url

    @property
    def url(self) -> str:
        return self.nginx.url

    def env(self, **settings: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in ("FLASK_APP", "DATABASE_URL",
                                                                             "REDIS_URL")}
        env.update({"DATABASE_URL": self.database_url, "REDIS_URL": self.redis.url, "PYTHONUNBUFFERED": "1",
                    "OLYMPIAD_SECRET_KEY": SECRET, "OLYMPIAD_LOGIN_LIMIT_PER_IP": "100000 per minute",
                    "OLYMPIAD_SWEEP_INTERVAL_S": "2"})
        env.update(settings)
        return env

    def start(self, processes: int = 2) -> None:
        self.postgres.create()
        self.redis.start()
        env = self.env()
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "demo", "seed", "--entrants", str(self.entrants))
        for _ in range(processes):
            port = free_port()
            self.apps.append(App(port, self.env(OLYMPIAD_PORT=str(port), OLYMPIAD_HOST="127.0.0.1",
                                                OLYMPIAD_PROXIES="1",
                                                OLYMPIAD_SQLALCHEMY_ENGINE_OPTIONS=engine_options(processes)),
                                 self.root / f"app-{port}.log"))
        for app in self.apps:
            app.start()
        for app in self.apps:
            app.wait_healthy()
        self.nginx = Nginx(self.root / "nginx", [app.port for app in self.apps])
        self.nginx.start()

    def ensure_up(self) -> None:
        """Mend what an earlier test may have left broken."""
        if not self.postgres.running():
            self.postgres.start()
        if self.redis.running():
            self.redis.thaw()
        else:
            self.redis.start()
        for app in self.apps:
            if not app.running():
                app.start()
                app.wait_healthy()

    def new_round(self, title: str, minutes: float) -> int:
        """A fresh open round of the demo contest (each test its own, so every entrant starts a new attempt)."""
        return new_round(self.env(), title, minutes)

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for app in self.apps:
            app.stop()
        self.redis.close()
        self.postgres.remove()


def new_round(env: dict[str, str], title: str, minutes: float) -> int:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "contest", "contest", "add-round", "1", "--title",
                           title, "--time-limit", str(minutes), "--questions", "10", "--attempts", "1",
                           "--grace", "5"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return int(done.stdout.split("created round ", 1)[1].split(":", 1)[0])
