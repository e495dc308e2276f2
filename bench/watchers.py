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
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import datetime  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
import websocket  # noqa: E402

from bench import wire  # noqa: E402
from bench.entrant import socket_url  # noqa: E402
from bench.stats import latency_summary  # noqa: E402

NAMESPACE = "/board"


class Watcher:
    def __init__(self, url: str, round_id: int, stats: dict):
        self.url, self.round_id, self.stats = url, round_id, stats
        self.ws = None

    def run(self, until: float) -> None:
        try:
            self.ws = websocket.create_connection(socket_url(self.url), timeout=30, suppress_origin=True,
                                                  skip_utf8_validation=True)
            if not self.ws.recv().startswith(wire.ENGINE_OPEN):
                raise OSError("no handshake")
            self.ws.send(wire.connect(NAMESPACE))
            self.ws.settimeout(5)
            while time.time() < until:
                try:
                    frame = self.ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                if not frame:
                    break
                kind, message = frame[0], frame[1:]
                if kind == wire.ENGINE_PING:
                    self.ws.send(wire.ENGINE_PONG)
                elif kind == wire.ENGINE_MESSAGE:
                    self._message(wire.decode(message))
        except (OSError, websocket.WebSocketException, ValueError) as error:
            self.stats["errors"][type(error).__name__] += 1
        finally:
            if self.ws is not None:
                try:
                    self.ws.close(timeout=1)
                except (OSError, websocket.WebSocketException):
                    pass

    def _message(self, packet: wire.Packet) -> None:
        if packet.type == wire.CONNECT:
            self.stats["connected"] += 1
            self.ws.send(wire.emit(NAMESPACE, "watch", {"round_id": self.round_id}, 1))
        elif packet.type == wire.ACK:
            ok = isinstance(packet.data, list) and packet.data and packet.data[0].get("ok")
            self.stats["watching" if ok else "watch_refused"] += 1
        elif packet.type == wire.EVENT and packet.data and packet.data[0] == "board":
            self.stats["pushes"] += 1
            generated = datetime.fromisoformat(packet.data[1]["generated_at"]).timestamp()
            self.stats["delays_ms"].append((time.time() - generated) * 1000)


def churn(url: str, round_id: int, phones: list[str], password: str, every_s: float, until: float,
          stats: dict) -> None:
    """Log the churn entrants in, then one submits an empty attempt every ``every_s`` seconds."""
    sessions = []
    for phone in phones:
        http = requests.Session()
        if http.post(f"{url}/api/session", json={"login": phone, "password": password}, timeout=30).ok:
            sessions.append(http)
    stats["churn_logged_in"] = len(sessions)
    for http in sessions:
        if time.time() >= until:
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
    parser.add_argument("--password", default="demo-pass")
    args = parser.parse_args(argv)

    stats = {"connected": 0, "watching": 0, "watch_refused": 0, "pushes": 0, "delays_ms": [],
             "errors": Counter(), "churn_submits": 0, "churn_errors": 0, "churn_logged_in": 0}
    begin = time.time()
    until = begin + args.duration
    greenlets = []
    if args.churn:
        phones = [f"09{n:08d}" for n in range(args.churn_first, args.churn_first + args.churn)]
        greenlets.append(gevent.spawn_later(args.churn_delay, churn, args.url, args.round_id, phones,
                                            args.password, args.churn_every, until, stats))
    for n in range(args.count):
        gevent.sleep(max(0.0, begin + n / args.ramp - time.time()))
        greenlets.append(gevent.spawn(Watcher(args.url, args.round_id, stats).run, until))
        if n % 1000 == 999:
            print(f"watchers: {n + 1} started, {stats['watching']} watching", file=sys.stderr)
    gevent.joinall(greenlets, timeout=args.duration + 60)
    delays = stats.pop("delays_ms")
    stats["errors"] = dict(stats["errors"])
    print(json.dumps({**stats, "count": args.count, "push_delay_ms": latency_summary(delays),
                      "pushes_per_watcher": round(stats["pushes"] / max(1, stats["watching"]), 1)}))


if __name__ == "__main__":
    main()
