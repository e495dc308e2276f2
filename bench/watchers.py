"""Board watchers: N raw websockets on ``/board`` watching one round's board, plus a trickle of submits that
changes the board every second, so the server pushes a snapshot to every watcher each tick.

    python -m bench.watchers --url http://127.0.0.1:5000 --round-id 1 --count 5000 --duration 120 \\
        --churn-first 3001 --churn 100

Connects ``--count`` watchers at ``--ramp`` per second (one gevent process; each watcher is one reader greenlet
that answers pings), sends ``watch {round_id}`` and counts the ``board`` pushes it receives. With ``--churn N``,
entrants ``--churn-first`` … log in over HTTP and one per ``--churn-every`` seconds starts and submits an empty
attempt, so the board's total changes and every tick pushes. Prints one JSON line at the end: watchers connected,
pushes received, the push delay (``generated_at`` on the server → received here, p50/p99 ms; same machine clock),
and errors. Run it beside ``bench.harness --url`` against the same server to see what pushes cost answer acks.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import datetime  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402

from bench import frames, wire  # noqa: E402
from bench.entrant import socket_url  # noqa: E402
from bench.stats import latency_summary  # noqa: E402

NAMESPACE = "/board"
BOARD_PUSH = b'42/board,["board",'
GENERATED_AT = re.compile(rb'"generated_at":\s*"([^"]+)"')


class Deadline:
    """When the watchers stop: ``--duration`` after the start, or at once on SIGTERM (how bench.board_push ends a
    run, so that the figures are still printed)."""

    def __init__(self, at: float):
        self.at = at

    def passed(self) -> bool:
        return time.time() >= self.at


class Watcher:
    """One raw websocket on ``/board``: connect, ``watch``, then count pushes (and answer pings) until ``until``."""

    def __init__(self, url: str, round_id: int, stats: dict):
        self.url, self.round_id, self.stats = url, round_id, stats
        self.sock: socket.socket | None = None

    def run(self, until: Deadline) -> None:
        target = urlsplit(socket_url(self.url))
        try:
            self.sock = socket.create_connection((target.hostname, target.port or 80), timeout=30)
            # audience=board is what nginx routes watchers to the board processes by (deploy/nginx.conf)
            self.sock.sendall(frames.upgrade_request(target.netloc, f"{target.path}?{target.query}&audience=board"))
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = self.sock.recv(4096)
                if not chunk:
                    raise OSError("closed during the handshake")
                head += chunk
            if not head.startswith(b"HTTP/1.1 101"):
                raise OSError(f"no upgrade: {head[:40]!r}")
            reader = frames.FrameReader()
            pending = reader.feed(head.partition(b"\r\n\r\n")[2])
            self.sock.settimeout(5)
            while not until.passed():
                for opcode, payload in pending:
                    if opcode == frames.TEXT:
                        self._text(payload)
                    elif opcode == frames.PING:
                        self.sock.sendall(frames.client_frame(payload.decode(), frames.PONG))
                    elif opcode == frames.CLOSE:
                        return
                try:
                    data = self.sock.recv(65536)
                except TimeoutError:
                    pending = []
                    continue
                if not data:
                    return
                pending = reader.feed(data)
        except (OSError, ValueError) as error:
            self.stats["errors"][type(error).__name__] += 1
        finally:
            if self.sock is not None:
                self.sock.close()

    def _text(self, payload: bytes) -> None:
        kind = payload[:1]
        if kind == b"2":  # Engine.IO ping
            self.sock.sendall(frames.client_frame(wire.ENGINE_PONG))
        elif payload.startswith(BOARD_PUSH):
            # Only the head is read: generated_at comes fourth in a snapshot, and decoding 5,000 snapshots a
            # second would make this process, not the server, the bottleneck.
            self.stats["pushes"] += 1
            found = GENERATED_AT.search(payload, 0, 200)
            if found:
                generated = datetime.fromisoformat(found.group(1).decode()).timestamp()
                self.stats["delays_ms"].append((time.time() - generated) * 1000)
        elif kind == b"0":  # Engine.IO open
            self.sock.sendall(frames.client_frame(wire.connect(NAMESPACE)))
        elif kind == b"4":
            self._message(wire.decode(payload[1:].decode()))

    def _message(self, packet: wire.Packet) -> None:
        if packet.type == wire.CONNECT:
            self.stats["connected"] += 1
            self.sock.sendall(frames.client_frame(wire.emit(NAMESPACE, "watch", {"round_id": self.round_id}, 1)))
        elif packet.type == wire.ACK:
            ok = isinstance(packet.data, list) and packet.data and packet.data[0].get("ok")
            self.stats["watching" if ok else "watch_refused"] += 1


def churn(url: str, round_id: int, phones: list[str], password: str, every_s: float, until: Deadline,
          stats: dict) -> None:
    """Log the churn entrants in, then one submits an empty attempt every ``every_s`` seconds."""
    sessions = []
    for phone in phones:
        http = requests.Session()
        if http.post(f"{url}/api/session", json={"login": phone, "password": password}, timeout=30).ok:
            sessions.append(http)
    stats["churn_logged_in"] = len(sessions)
    for http in sessions:
        if until.passed():
            return
        started = time.time()
        try:
            attempt = http.post(f"{url}/api/rounds/{round_id}/attempts", json={}, timeout=30).json()
            if attempt.get("ok"):
                done = http.post(f"{url}/api/attempts/{attempt['attempt']['id']}/submit", json={}, timeout=30)
                stats["churn_submits" if done.ok else "churn_errors"] += 1
            else:
                stats["churn_errors"] += 1
        except requests.RequestException:
            stats["churn_errors"] += 1
        gevent.sleep(max(0.0, every_s - (time.time() - started)))


def report_watching(stats: dict, until: Deadline) -> None:
    """``watching N`` on stderr each second, which bench.board_push waits on before it starts the entrants."""
    while not until.passed():
        print(f"watching {stats['watching']}", file=sys.stderr, flush=True)
        gevent.sleep(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--round-id", type=int, required=True)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--ramp", type=float, default=500.0, help="new watchers per second")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds from the first connect")
    parser.add_argument("--churn", type=int, default=0, help="entrants that submit one after another")
    parser.add_argument("--churn-first", type=int, default=1, help="demo entrant number of the first (phone 09…)")
    parser.add_argument("--churn-every", type=float, default=1.0)
    parser.add_argument("--churn-delay", type=float, default=0.0, help="seconds before the churn logs in")
    parser.add_argument("--churn-url", help="where the churn entrants submit (default: --url)")
    parser.add_argument("--password", default="demo-pass")
    args = parser.parse_args(argv)

    stats = {"connected": 0, "watching": 0, "watch_refused": 0, "pushes": 0, "delays_ms": [],
             "errors": Counter(), "churn_submits": 0, "churn_errors": 0, "churn_logged_in": 0}
    begin = time.time()
    until = Deadline(begin + args.duration)
    gevent.signal_handler(signal.SIGTERM, lambda: setattr(until, "at", time.time()))
    greenlets = []
    if args.churn:
        phones = [f"09{n:08d}" for n in range(args.churn_first, args.churn_first + args.churn)]
        greenlets.append(gevent.spawn_later(args.churn_delay, churn, args.churn_url or args.url, args.round_id, phones,
                                            args.password, args.churn_every, until, stats))
    reporter = gevent.spawn(report_watching, stats, until)
    for n in range(args.count):
        if until.passed():
            break
        gevent.sleep(max(0.0, begin + n / args.ramp - time.time()))
        greenlets.append(gevent.spawn(Watcher(args.url, args.round_id, stats).run, until))
        if n % 1000 == 999:
            print(f"watchers: {n + 1} started, {stats['watching']} watching", file=sys.stderr)
    gevent.joinall(greenlets, timeout=args.duration + 60)
    reporter.kill()
    delays = stats.pop("delays_ms")
    stats["errors"] = dict(stats["errors"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
    print(json.dumps({**stats, "count": args.count, "push_delay_ms": latency_summary(delays),
                      "pushes_per_watcher": round(stats["pushes"] / max(1, stats["watching"]), 1)}))


if __name__ == "__main__":
    main()
