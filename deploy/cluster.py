"""Olympiad as deployed, on this machine: nginx on http://127.0.0.1:8080 in front of N answering processes (one
per core by default) and one board process, on PostgreSQL and Redis.

    python deploy/cluster.py start [--workers N] [--seed ENTRANTS] [--listen PORT]   (make cluster [SEED=10000])
    python deploy/cluster.py stop                                                  (make cluster-stop)
    python deploy/cluster.py status

``DATABASE_URL`` (default postgresql://postgres@127.0.0.1:5432/olympiad; the database is created if missing) and
``REDIS_URL`` (default redis://127.0.0.1:6379/0) say where the data lives. Everything the cluster writes (process
ids, logs, nginx's configuration and temporary files) goes to ``--run-dir`` (default instance/cluster/).
Processes share instance/ (the secret key, export files), so they must run on one machine; for several machines
see deploy/systemd/ and README "Deployment".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/olympiad"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 60
# Database connections (PostgreSQL allows 100 by default; each process's answer writer and the leader hold one more):
# the answering processes share most of them, the board process, which mostly reads Redis, gets a few.
ANSWERING_CONNECTIONS = 72
BOARD_ENGINE_OPTIONS = '{"pool_size": 4, "max_overflow": 4, "pool_timeout": 5}'


# Websocket opens a second nginx lets into each answering process (deploy/nginx.conf, `limit_req`), and how many
# seconds of them may wait in nginx before it answers 503.
OPENS_PER_PROCESS = 100
OPENS_BURST_S = 4


def engine_options(answering: int) -> str:
    """An answering process's share of ``ANSWERING_CONNECTIONS``: two thirds pooled, one third overflow."""
    share = max(6, ANSWERING_CONNECTIONS // max(1, answering))
    pooled = share * 2 // 3
    return json.dumps({"pool_size": pooled, "max_overflow": share - pooled, "pool_timeout": 5})


def render_site(site: str, listen: str, answering: list[int], board: list[int], opens_per_s: int | None = None) -> str:
    """deploy/nginx.conf with this cluster's ports (``listen``, ``127.0.0.1:8080``, and the two upstreams) and its
    rate of websocket opens (``opens_per_s``, else ``OPENS_PER_PROCESS`` per answering process)."""
    def upstream(name: str, ports: list[int], text: str) -> str:
        found = re.search(rf"upstream {name} \{{.*?server 127\.0\.0\.1:\d+([^;]*);", text, flags=re.S)
        servers = "".join(f"\n    server 127.0.0.1:{port}{found.group(1)};" for port in ports)
        return re.sub(rf"(upstream {name} \{{.*?)(\s+server 127\.0\.0\.1:\d+[^;]*;)+", rf"\g<1>{servers}", text,
                      count=1, flags=re.S)

    site = upstream("olympiad_board", board, upstream("olympiad", answering, site))
    opens = opens_per_s or OPENS_PER_PROCESS * len(answering)
    site = re.sub(r"zone=play_opens:1m rate=\d+r/s", f"zone=play_opens:1m rate={opens}r/s", site)
    site = re.sub(r"zone=play_opens burst=\d+", f"zone=play_opens burst={opens * OPENS_BURST_S}", site)
    return site.replace("listen 80;", f"listen {listen};")


def main_config(run: Path, site: Path, *, worker_connections: int = 32768) -> str:
    """A minimal nginx.conf around ``site`` that keeps every file nginx writes inside ``run``. Each websocket
    takes two connections (entrant and upstream), so 10,000 entrants need over 20,000."""
    temp_paths = "".join(f"    {kind}_temp_path {run}/{kind};\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"worker_processes auto;\nworker_rlimit_nofile {2 * worker_connections + 1024};\npid {run}/nginx.pid;\n"
            f"error_log {run}/nginx-error.log;\n{user}events {{ worker_connections {worker_connections}; }}\n"
            f"http {{\n    access_log off;\n{temp_paths}    include {site};\n}}\n")


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "contest", *args], cwd=ROOT, env=env, check=True)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from contest.config import database_uri

    target = make_url(database_uri(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}):
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                print(f"created database {target.database}")
    finally:
        admin.dispose()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pids(run: Path) -> dict[str, int]:
    """The cluster's processes by name (``answer-5001``, ``board-5011``, ``nginx``), from their pid files."""
    found = {}
    for file in sorted(run.glob("*.pid")):
        try:
            found[file.stem] = int(file.read_text().strip())
        except ValueError:
            continue
    return found


def start(args: argparse.Namespace) -> None:
    run = args.run_dir
    running = {name: pid for name, pid in pids(run).items() if alive(pid)}
    if running:
        sys.exit(f"the cluster is already running ({', '.join(running)}); stop it first: make cluster-stop")
    if not Path(NGINX).exists():
        sys.exit("nginx is missing: apt-get install nginx")
    for stale in run.glob("*.pid"):
        stale.unlink()
    run.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_APP", None)
    ensure_database(args.database_url)
    flask(env, "db", "upgrade")
    if args.seed:
        flask(env, "demo", "seed", "--entrants", str(args.seed))
    answering = args.ports or [5001 + n for n in range(args.workers)]
    board = args.board_ports or [5011]
    for kind, ports, prefix in (("answer", answering, ()), ("board", board, ("nice", "-n", "10"))):
        for port in ports:
            name = f"{kind}-{port}"
            process_env = {**env, "OLYMPIAD_PORT": str(port), "OLYMPIAD_HOST": "127.0.0.1", "OLYMPIAD_PROXIES": "1",
                           "OLYMPIAD_SQLALCHEMY_ENGINE_OPTIONS": engine_options(len(answering)) if kind == "answer"
                           else BOARD_ENGINE_OPTIONS}
            with (run / f"{name}.log").open("a") as log:
                process = subprocess.Popen([*prefix, sys.executable, "wsgi.py"], cwd=ROOT, env=process_env,
                                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            (run / f"{name}.pid").write_text(str(process.pid))
    site = run / "olympiad.conf"
    site.write_text(render_site((ROOT / "deploy" / "nginx.conf").read_text(), f"127.0.0.1:{args.listen}",
                                answering, board, args.opens_per_s))
    (run / "nginx.conf").write_text(main_config(run, site))
    subprocess.run([NGINX, "-c", str(run / "nginx.conf"), "-p", str(run)], check=True)
    wait_healthy([f"http://127.0.0.1:{port}/healthz" for port in answering + board]
                 + [f"http://127.0.0.1:{args.listen}/healthz"], run)
    print(f"Olympiad is serving on http://127.0.0.1:{args.listen}/ (answering: {', '.join(map(str, answering))}; "
          f"board: {', '.join(map(str, board))}; logs in {run})")


def wait_healthy(urls: list[str], run: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    pending = list(urls)
    while pending and time.monotonic() < deadline:
        dead = [name for name, pid in pids(run).items() if name != "nginx" and not alive(pid)]
        if dead:
            sys.exit(f"{', '.join(dead)} exited: see {run}/{dead[0]}.log")
        try:
            with urlopen(pending[0], timeout=1) as response:
                if response.status == 200:
                    pending.pop(0)
                    continue
        except OSError:
            pass
        time.sleep(0.2)
    if pending:
        sys.exit(f"{pending[0]} did not answer within {START_TIMEOUT_S} s: see the logs in {run}")


def stop(args: argparse.Namespace) -> None:
    """nginx first (no new requests), then every process with SIGTERM, SIGKILL after 10 s."""
    run = args.run_dir
    found = pids(run)
    order = sorted(found, key=lambda name: name != "nginx")
    for name in order:
        if alive(found[name]):
            os.kill(found[name], signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in found.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for name, pid in found.items():
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
            print(f"{name} did not stop in 10 s: killed")
        (run / f"{name}.pid").unlink(missing_ok=True)
    print(f"stopped {len(found)} process(es)" if found else "the cluster was not running")


def status(args: argparse.Namespace) -> None:
    found = pids(args.run_dir)
    if not found:
        print("the cluster is not running")
    for name, pid in found.items():
        print(f"{name:14} pid {pid:7} {'running' if alive(pid) else 'gone'}")


def ports(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parse.add_argument("command", choices=("start", "stop", "status"))
    parse.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="answering processes (one per core)")
    parse.add_argument("--ports", type=ports, help="answering ports (default 5001, 5002, …)")
    parse.add_argument("--board-ports", type=ports, help="board process ports (default 5011)")
    parse.add_argument("--listen", type=int, default=8080, help="nginx's port on 127.0.0.1")
    parse.add_argument("--opens-per-s", type=int, help=f"websocket opens a second let in (default "
                                                        f"{OPENS_PER_PROCESS} per answering process)")
    parse.add_argument("--seed", type=int, default=0, help="seed the demo with this many entrants")
    parse.add_argument("--run-dir", type=Path, default=ROOT / "instance" / "cluster")
    parse.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE)
    parse.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS)
    return parse


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    arguments = parser().parse_args()
    {"start": start, "stop": stop, "status": status}[arguments.command](arguments)
